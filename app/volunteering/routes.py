"""Every page of the volunteering capability, for app.main."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.volunteering.certificates import routes as certificates

ROUTES: list[ControllerRouterHandler] = [*certificates.ROUTES]
