"""Every report page: asking, following, downloading; the district's settings."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.reports.requests import routes as requests
from app.reports.settings import routes as settings

ROUTES: list[ControllerRouterHandler] = [*settings.ROUTES, *requests.ROUTES]
