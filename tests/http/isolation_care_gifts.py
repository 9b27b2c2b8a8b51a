"""Isolation of political birthdays (merged into tests/http/test_isolation.py): district
A's party member "甲一号", whose political birthday is today, with a gift ticked by A's
admin — the name the list pages of B must never show. The one path parameter,
`person_id` (/care/political-birthdays/{person_id}), is OWNED_BY_A's roster person."""

from __future__ import annotations

from uuid import UUID

from app.care.political_birthdays.service import PoliticalBirthdayService
from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.care_gifts import joined
from tests.factories import World, add_person, identity_of

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    member = await add_person(services, world.a, "甲一号", party_member=True,
                              party_joined_on=joined(1970, 0))  # fmt: skip
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await PoliticalBirthdayService(session).tick(
                admin, member, {"year": str(clock.today().year), "gift": "card"}
            )
    _MADE[world.a.tenant_id] = {"person_id": str(member)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, f"/care/political-birthdays?month={clock.today():%Y-%m}"),
    (Role.BRANCH_SECRETARY, f"/care/political-birthdays?month={clock.today():%Y-%m}"),
    (Role.GRID_WORKER, f"/care/political-birthdays?month={clock.today():%Y-%m}"),
]
