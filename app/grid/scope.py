"""Grid service's data-scope predicates: the people a user serves on the ground and
the grids they see. Wider than the roster's (app.people.scope): the people of the
user's own grids and of the grids that belong to a led unit are served — visits,
requests and point claims — though not on the user's roster."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.scope import Scope
from app.grid.models import Grid, GridAssignment
from app.people.models import OrgUnit, Person
from app.people.scope import people_in, units_under


def assigned_to(grids: frozenset[UUID]) -> Select[UUID]:
    """People currently assigned to any of `grids`."""
    return select(GridAssignment.person_id).where(
        GridAssignment.grid_id.in_(sorted(grids)), GridAssignment.ends_at.is_(None)
    )


def grids_seen(scope: Scope) -> ColumnElement[bool]:
    """Grids (live or retired) this user sees: the admin all of them, a grid worker
    the grids they work, whoever leads an org unit the grids of a unit in their subtree."""
    if scope.everyone:
        return true()
    conditions = []
    if scope.grids:
        conditions.append(Grid.id.in_(sorted(scope.grids)))
    if scope.units:
        conditions.append(Grid.unit_id.in_(select(OrgUnit.id).where(units_under(scope))))
    return or_(*conditions) if conditions else false()


def served_by(scope: Scope) -> ColumnElement[bool]:
    """People this user serves: those of the led subtrees, of the user's own grids,
    and of the grids that belong to a led unit — the people of the grids they see."""
    if scope.everyone:
        return true()
    if scope.empty:
        return false()
    conditions = [people_in(scope)] if scope.units else []
    if scope.grids:
        conditions.append(Person.id.in_(assigned_to(scope.grids)))
    if scope.units:
        owned = select(Grid.id).where(
            Grid.unit_id.in_(select(OrgUnit.id).where(units_under(scope)))
        )
        conditions.append(
            Person.id.in_(
                select(GridAssignment.person_id).where(
                    GridAssignment.grid_id.in_(owned), GridAssignment.ends_at.is_(None)
                )
            )
        )
    return or_(*conditions)


async def visible_grids(session: AsyncSession, scope: Scope) -> list[Grid]:
    """The live grids this user sees, by name."""
    found = await session.scalars(
        select(Grid).where(grids_seen(scope), Grid.retired_at.is_(None)).order_by(Grid.name)
    )
    return list(found)


async def grid_for(session: AsyncSession, scope: Scope, grid_id: UUID) -> Grid:
    """One grid this user sees, or NotFound (as another district's grid would be)."""
    grid = await session.scalar(select(Grid).where(Grid.id == grid_id, grids_seen(scope)))
    if grid is None:
        raise NotFound()
    return grid
