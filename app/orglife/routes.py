"""Every route of organisational life, gathered from its sub-packages (app/main.py
registers this one list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.orglife.kinds import routes as kinds
from app.orglife.meetings import routes as meetings
from app.orglife.owed import routes as owed
from app.orglife.thought_reports import routes as thought_reports

ROUTES: list[ControllerRouterHandler] = [
    *meetings.ROUTES,
    *kinds.ROUTES,
    *owed.ROUTES,
    *thought_reports.ROUTES,
]
