"""Points pages: the district's tally, a branch's ranking, a member's points, the ledger."""

from __future__ import annotations

from litestar import Controller

from app.accounts.models import TENANT_ROLES
from app.web.guards import allow


class PointsController(Controller):
    path = "/points"
    opt = allow(*TENANT_ROLES)
