"""The grid worker's phone: the due list, logging visits, concerns, the calendar."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
