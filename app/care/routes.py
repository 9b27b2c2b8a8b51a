"""Every route of care, gathered from its sub-packages (app/main.py mounts this one
list)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
