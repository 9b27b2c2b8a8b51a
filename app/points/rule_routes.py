"""Rule-set pages: the versions, the draft editor, the what-if preview, activation."""

from __future__ import annotations

from litestar import Controller

from app.accounts.models import Role
from app.web.guards import allow


class RulesController(Controller):
    path = "/points/rules"
    opt = allow(Role.TENANT_ADMIN)
