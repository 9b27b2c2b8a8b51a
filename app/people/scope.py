"""Data scope: whose people a user may see and edit, following the org tree.

The district administrator sees everyone. Anyone else sees the subtrees of the units
whose leader they are (through the person linked to their account): a branch
secretary their branch, a sub-center head the sub-center, a group leader the group.
Services apply `Scope.people()` to every query, so a secretary asking for another
branch's person gets "not found", exactly as another district would. (Grid workers'
people, by grid, join here with the grid issue.)
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, cast, false, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role
from app.people.models import OrgUnit, Person

UUID_ARRAY = ARRAY(PgUUID(as_uuid=True))


@dataclass(frozen=True)
class Scope:
    everyone: bool = False
    units: frozenset[UUID] = frozenset()
    """Roots of the subtrees this user leads."""
    sees_id_numbers: bool = False
    """Whole ID numbers; everyone else sees them masked."""

    @property
    def empty(self) -> bool:
        return not self.everyone and not self.units

    def units_under(self) -> ColumnElement[bool]:
        """Org units inside the scope."""
        if self.everyone:
            return true()
        if not self.units:
            return false()
        return OrgUnit.path.overlap(cast(sorted(self.units), UUID_ARRAY))

    def people(self) -> ColumnElement[bool]:
        """People inside the scope: their branch or group lies in a led subtree."""
        if self.everyone:
            return true()
        if not self.units:
            return false()
        inside = select(OrgUnit.id).where(self.units_under())
        return or_(Person.branch_id.in_(inside), Person.group_id.in_(inside))


EVERYONE = Scope(everyone=True, sees_id_numbers=True)


async def scope_of(session: AsyncSession, user_id: UUID, roles: frozenset[str]) -> Scope:
    if Role.TENANT_ADMIN in roles:
        return EVERYONE
    led = await session.scalars(
        select(OrgUnit.id)
        .join(
            Person,
            (Person.tenant_id == OrgUnit.tenant_id) & (Person.id == OrgUnit.leader_person_id),
        )
        .where(Person.user_id == user_id, OrgUnit.retired_at.is_(None))
    )
    return Scope(units=frozenset(led))
