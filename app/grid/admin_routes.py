"""Grids and household assignment, must-visit rules and the meeting day (admin)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
