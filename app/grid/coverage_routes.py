"""Coverage: who was visited this month and quarter, per grid, against its target."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
