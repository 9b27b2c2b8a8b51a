"""Demo data for `make run`: 山东省 with 历下区 and 兖州区, their accounts, rosters,
grids and a year of points, made through the product's own flows (`seed.py` is the
entry point). It sits above every capability and uses them; nothing imports it but
the `redstar` command (app.cli) and tests.
"""
