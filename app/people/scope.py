"""The roster's data-scope predicates (the scope itself is app.core.scope): which org
units and which people a scope covers. The roster, point decisions and corrections
use these, never the grids; grid service widens them in app.grid.scope."""

from __future__ import annotations

from sqlalchemy import ColumnElement, cast, false, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from app.core.scope import Scope
from app.people.models import OrgUnit, Person

UUID_ARRAY = ARRAY(PgUUID(as_uuid=True))


def units_under(scope: Scope) -> ColumnElement[bool]:
    """Org units inside the scope: the subtrees of the units it leads."""
    if scope.everyone:
        return true()
    if not scope.units:
        return false()
    return OrgUnit.path.overlap(cast(sorted(scope.units), UUID_ARRAY))


def people_in(scope: Scope) -> ColumnElement[bool]:
    """People inside the led subtrees: their branch or group lies in one."""
    if scope.everyone:
        return true()
    if not scope.units:
        return false()
    inside = select(OrgUnit.id).where(units_under(scope))
    return or_(Person.branch_id.in_(inside), Person.group_id.in_(inside))
