"""Service requests: log, assign, work, resolve, confirm; SLA settings and compliance."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
