"""Who sees hardship aid and who decides: the district admin sees and decides
everything; a branch secretary sees the applications of the people of their branch;
nobody else sees any (the routes' guards answer them 403 first)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import N_
from app.people.scope import people_in


def sees(identity: Identity) -> ColumnElement[bool]:
    """The people whose applications this user sees: everyone for the admin, the led
    branches for a secretary, nobody else."""
    if Role.TENANT_ADMIN in identity.roles:
        return true()
    if Role.BRANCH_SECRETARY in identity.roles:
        return people_in(identity.scope)
    return false()


def decides(identity: Identity) -> None:
    """Only the district admin — the leader — decides, pays and keeps the fund."""
    if Role.TENANT_ADMIN not in identity.roles:
        raise Refused(N_("Only the district administrator decides on aid."))
