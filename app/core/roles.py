"""The roles an account may hold. The guards on each route say which roles may open
it (app.web.guards.allow); the data scope says whose people they see there."""

from __future__ import annotations

import enum

from app.i18n import N_


class Role(enum.StrEnum):
    OPERATOR = "operator"
    PROVINCIAL_VIEWER = "provincial_viewer"
    TENANT_ADMIN = "tenant_admin"
    BRANCH_SECRETARY = "branch_secretary"
    GRID_WORKER = "grid_worker"
    MEMBER = "member"


PLATFORM_ROLES = frozenset({Role.OPERATOR, Role.PROVINCIAL_VIEWER})
TENANT_ROLES = (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER, Role.MEMBER)

ROLE_LABELS: dict[str, str] = {
    Role.OPERATOR: N_("Platform operator"),
    Role.PROVINCIAL_VIEWER: N_("Provincial viewer"),
    Role.TENANT_ADMIN: N_("District administrator"),
    Role.BRANCH_SECRETARY: N_("Branch secretary"),
    Role.GRID_WORKER: N_("Grid worker"),
    Role.MEMBER: N_("Member"),
}
