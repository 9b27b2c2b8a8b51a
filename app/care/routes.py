"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.care.calendar import routes as calendar

ROUTES: list[ControllerRouterHandler] = [*calendar.ROUTES]
