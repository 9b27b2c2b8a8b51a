"""Every route of grid service, gathered from its sub-packages (app/main.py registers
this one list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.grid.assignment import routes as assignment
from app.grid.coverage import routes as coverage
from app.grid.grids import routes as grids
from app.grid.rules import routes as rules
from app.grid.visits import routes as visits

ROUTES: list[ControllerRouterHandler] = [
    *visits.ROUTES,
    *grids.ROUTES,
    *assignment.ROUTES,
    *rules.ROUTES,
    *coverage.ROUTES,
]
