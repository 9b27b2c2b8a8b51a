"""Isolation of the grid admin routes (merged into tests/http/test_isolation.py):
district A's grid and must-visit rule for every path parameter these routes add, and
the list pages district B's accounts open."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import VisitRule
from app.state import AppServices
from tests.factories import World, add_grid, add_person

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A grid of district A with a worker and a person in it, and one of its rules."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    person = await add_person(services, world.a, "甲区网格居民", address="甲区幸福路1号")
    grid = await add_grid(
        services, world.a, "甲区网格", people=[person],
        workers=[world.a.users[Role.GRID_WORKER].id],
    )  # fmt: skip
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(select(VisitRule.id).order_by(VisitRule.position).limit(1))
    assert rule is not None
    _MADE[world.a.tenant_id] = {"grid_id": str(grid), "visit_rule_id": str(rule)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/grid/grids"),
    (Role.GRID_WORKER, "/grid/grids"),
    (Role.BRANCH_SECRETARY, "/grid/grids"),
    (Role.TENANT_ADMIN, "/grid/unassigned"),
    (Role.TENANT_ADMIN, "/grid/assign"),
    (Role.TENANT_ADMIN, "/grid/assign?q=jia"),
    (Role.TENANT_ADMIN, "/grid/assign?address=幸福路"),
    (Role.TENANT_ADMIN, "/grid/rules"),
]
