"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.care.after_care import routes as after_care
from app.care.cards import routes as cards

ROUTES: list[ControllerRouterHandler] = [
    *after_care.ROUTES,
    *cards.ROUTES,
]
