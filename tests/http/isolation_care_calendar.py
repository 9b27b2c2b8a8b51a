"""Isolation of the care calendar and the birthday party list (merged into
test_isolation.py): district A's people with a birthday, a political birthday and a
golden wedding this month, which no page of district B may show. The pages take no
path parameters; a branch or center of A in the query is refused in
tests/http/test_care_calendar.py."""

from __future__ import annotations

from uuid import UUID

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from tests.factories import World, add_grid, add_person

_OBJECTS: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """甲一号 of district A, whose occasions all fall in this month, in a grid of A."""
    if world.a.tenant_id not in _OBJECTS:
        today = clock.today().replace(day=1)
        person = await add_person(
            services, world.a, "甲一号", birth_date=today.replace(year=today.year - 80),
            party_member=True, party_joined_on=today.replace(year=today.year - 50),
            married_on=today.replace(year=today.year - 50),
        )  # fmt: skip
        await add_grid(
            services, world.a, "甲区关怀网格", people=[person],
            workers=[world.a.users[Role.GRID_WORKER].id],
        )  # fmt: skip
        _OBJECTS[world.a.tenant_id] = {"person_id": str(person)}
    return _OBJECTS[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/care?branch="),
    (Role.BRANCH_SECRETARY, "/care/birthday-parties?unit="),
]
