"""Which grids a user sees: the district admin all of them, a grid worker the grids
they work, and whoever leads an org unit the grids that belong to a unit in their
subtree — so a sub-center's head sees only that sub-center's grids."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role
from app.errors import NotFound
from app.grid.models import Grid
from app.people.models import OrgUnit
from app.people.scope import Scope, scope_of
from app.web.identity import Identity


def grids_condition(identity: Identity, scope: Scope) -> ColumnElement[bool]:
    """Grids (live or retired) this user may see."""
    if Role.TENANT_ADMIN in identity.roles or scope.everyone:
        return true()
    conditions = []
    if scope.grids:
        conditions.append(Grid.id.in_(sorted(scope.grids)))
    if scope.units:
        conditions.append(Grid.unit_id.in_(select(OrgUnit.id).where(scope.units_under())))
    return or_(*conditions) if conditions else false()


async def visible_grids(session: AsyncSession, identity: Identity) -> list[Grid]:
    """The live grids this user sees, by name."""
    scope = await scope_of(session, identity.user_id, identity.roles)
    found = await session.scalars(
        select(Grid)
        .where(grids_condition(identity, scope), Grid.retired_at.is_(None))
        .order_by(Grid.name)
    )
    return list(found)


async def grid_for(session: AsyncSession, identity: Identity, grid_id: UUID) -> Grid:
    """One grid this user sees, or NotFound (as another district's grid would be)."""
    scope = await scope_of(session, identity.user_id, identity.roles)
    grid = await session.scalar(
        select(Grid).where(Grid.id == grid_id, grids_condition(identity, scope))
    )
    if grid is None:
        raise NotFound()
    return grid
