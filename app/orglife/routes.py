"""Every route of organisational life, gathered from its sub-packages (app/main.py
registers this one list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.orglife.meetings import routes as meetings

ROUTES: list[ControllerRouterHandler] = [
    *meetings.ROUTES,
]
