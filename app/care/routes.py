"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.care.surveys import routes as surveys

ROUTES: list[ControllerRouterHandler] = [
    *surveys.ROUTES,
]
