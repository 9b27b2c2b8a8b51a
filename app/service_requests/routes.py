"""Every route of service requests: logging and the flow, the settings, the SLA report."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.service_requests.compliance import routes as compliance
from app.service_requests.requests import routes as requests
from app.service_requests.settings import routes as settings

ROUTES: list[ControllerRouterHandler] = [
    *requests.ROUTES,
    *settings.ROUTES,
    *compliance.ROUTES,
]
