"""The district's report settings: how long finished files are kept."""
