"""Isolation of the coverage pages and the calendar (merged into test_isolation.py):
district A's grid for the `grid_id` routes, and the list pages B's accounts open."""

from __future__ import annotations

from uuid import UUID

from app.core.roles import Role
from app.state import AppServices
from tests.factories import World, add_grid, add_person

_OBJECTS: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A grid of district A with a person in it and A's grid worker on it."""
    if world.a.tenant_id not in _OBJECTS:
        person = await add_person(services, world.a, "甲网格老人")
        grid = await add_grid(
            services, world.a, "甲区覆盖网格", people=[person],
            workers=[world.a.users[Role.GRID_WORKER].id],
        )  # fmt: skip
        _OBJECTS[world.a.tenant_id] = {"grid_id": str(grid)}
    return _OBJECTS[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/grid/coverage"),
    (Role.BRANCH_SECRETARY, "/grid/coverage"),
    (Role.GRID_WORKER, "/grid/coverage"),
    (Role.TENANT_ADMIN, "/grid/calendar"),
    (Role.GRID_WORKER, "/grid/calendar"),
]
