"""The district's must-visit rules and meeting day, as the district admin tunes them
after the preset; a changed rule writes its due items again at once."""
