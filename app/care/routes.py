"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.care.aid import routes as aid
from app.care.condolence import routes as condolence

ROUTES: list[ControllerRouterHandler] = [*condolence.ROUTES, *aid.ROUTES]
