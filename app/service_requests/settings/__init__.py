"""The district's request settings: the categories with their SLAs, and the names and
time limits of the escalation levels (the district administrator's)."""
