"""Claims and awards: a grid worker or member claims, the secretary approves or awards."""

from __future__ import annotations

from litestar import Controller

from app.accounts.models import TENANT_ROLES
from app.web.guards import allow


class ClaimController(Controller):
    path = "/points/claims"
    opt = allow(*TENANT_ROLES)
