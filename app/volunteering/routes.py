"""Every route of volunteering, gathered from its sub-packages (app/main.py mounts this
one list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.volunteering.activities import routes as activities
from app.volunteering.certificates import routes as certificates
from app.volunteering.teams import routes as teams
from app.volunteering.totals import routes as totals

ROUTES: list[ControllerRouterHandler] = [
    *teams.ROUTES,
    *activities.ROUTES,
    *totals.ROUTES,
    *certificates.ROUTES,
]
