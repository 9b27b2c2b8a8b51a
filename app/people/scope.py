"""Data scope: whose people a user may see and edit, following the org tree.

The district administrator sees everyone. Anyone else sees the subtrees of the units
whose leader they are (through the person linked to their account): a branch
secretary their branch, a sub-center head the sub-center, a group leader the group. Services apply
`Scope.people()` to every query, so a secretary asking for another branch's person
gets "not found", exactly as another district would.

Grid service is wider: `Scope.served()` adds the people currently assigned to the
user's grids (定人包户) and to the grids of the units they lead. It opens visits,
requests and point claims, never the roster or point decisions — a secretary who is
also a grid worker does not edit the records of the people in their grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, Select, cast, false, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role
from app.grid.models import Grid, GridAssignment, GridWorker
from app.people.models import OrgUnit, Person

UUID_ARRAY = ARRAY(PgUUID(as_uuid=True))


@dataclass(frozen=True)
class Scope:
    everyone: bool = False
    units: frozenset[UUID] = frozenset()
    """Roots of the subtrees this user leads."""
    grids: frozenset[UUID] = frozenset()
    """Grids this user works as grid worker: their people are in scope too."""
    sees_id_numbers: bool = False
    """Whole ID numbers; everyone else sees them masked."""

    @property
    def empty(self) -> bool:
        return not self.everyone and not self.units and not self.grids

    @property
    def edits_roster(self) -> bool:
        """Whether anyone is on this user's roster, to see, add or edit: the admin's
        (everyone) or a leader's (the led subtrees). A grid alone gives none."""
        return self.everyone or bool(self.units)

    def units_under(self) -> ColumnElement[bool]:
        """Org units inside the scope."""
        if self.everyone:
            return true()
        if not self.units:
            return false()
        return OrgUnit.path.overlap(cast(sorted(self.units), UUID_ARRAY))

    def people(self) -> ColumnElement[bool]:
        """People inside the led subtrees: their branch or group lies in one. The
        roster, point decisions and corrections use this, never the grids."""
        if self.everyone:
            return true()
        if not self.units:
            return false()
        inside = select(OrgUnit.id).where(self.units_under())
        return or_(Person.branch_id.in_(inside), Person.group_id.in_(inside))

    def served(self) -> ColumnElement[bool]:
        """People this user serves on the ground (visits, requests, claims): those of
        the led subtrees, those of the user's own grids, and those of the grids that
        belong to a led unit — the grids this user sees (app.grid.visibility)."""
        if self.everyone:
            return true()
        if self.empty:
            return false()
        conditions = [self.people()] if self.units else []
        if self.grids:
            conditions.append(Person.id.in_(assigned_to(self.grids)))
        if self.units:
            owned = select(Grid.id).where(
                Grid.unit_id.in_(select(OrgUnit.id).where(self.units_under()))
            )
            conditions.append(
                Person.id.in_(
                    select(GridAssignment.person_id).where(
                        GridAssignment.grid_id.in_(owned), GridAssignment.ends_at.is_(None)
                    )
                )
            )
        return or_(*conditions)


EVERYONE = Scope(everyone=True, sees_id_numbers=True)


def assigned_to(grids: frozenset[UUID]) -> Select[UUID]:
    """People currently assigned to any of `grids`."""
    return select(GridAssignment.person_id).where(
        GridAssignment.grid_id.in_(sorted(grids)), GridAssignment.ends_at.is_(None)
    )


async def scope_of(session: AsyncSession, user_id: UUID, roles: frozenset[str]) -> Scope:
    if Role.TENANT_ADMIN in roles:
        return EVERYONE
    grids: frozenset[UUID] = frozenset()
    if Role.GRID_WORKER in roles:
        grids = frozenset(
            await session.scalars(
                select(GridWorker.grid_id)
                .join(
                    Grid, (Grid.tenant_id == GridWorker.tenant_id) & (Grid.id == GridWorker.grid_id)
                )
                .where(GridWorker.user_id == user_id, Grid.retired_at.is_(None))
            )
        )
    led = await session.scalars(
        select(OrgUnit.id)
        .join(
            Person,
            (Person.tenant_id == OrgUnit.tenant_id) & (Person.id == OrgUnit.leader_person_id),
        )
        .where(Person.user_id == user_id, OrgUnit.retired_at.is_(None))
    )
    return Scope(units=frozenset(led), grids=grids)
