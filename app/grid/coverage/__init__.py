"""How the grids are served: coverage (who was visited this month and quarter, per
grid, against its targets) and the worker's five-week calendar of meeting days,
holidays and must-visits."""
