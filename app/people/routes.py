"""Every page of the people capability, for app.main: the org tree, the roster and the
roster import."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.people.imports import routes as imports
from app.people.org import routes as org
from app.people.roster import routes as roster

ROUTES: list[ControllerRouterHandler] = [*org.ROUTES, *imports.ROUTES, *roster.ROUTES]
