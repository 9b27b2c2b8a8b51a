"""Household assignment (定人包户): the district admin puts people into grids in bulk
from a filtered list (whole households too), and sees who nobody answers for yet."""
