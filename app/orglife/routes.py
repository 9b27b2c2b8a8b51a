"""Organisational life's routes beside the meetings: meeting kinds, meetings owed and the
branch calendar, thought reports."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.orglife.kinds import routes as kinds
from app.orglife.owed import routes as owed
from app.orglife.thought_reports import routes as thought_reports

ROUTES: list[ControllerRouterHandler] = [*kinds.ROUTES, *owed.ROUTES, *thought_reports.ROUTES]
