"""After-care (善后): a member's death recorded, the help given to the family, the
condolence visit, and the year's cases."""
