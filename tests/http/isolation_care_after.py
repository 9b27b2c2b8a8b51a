"""Isolation of after-care and the care cards (merged into tests/http/test_isolation.py):
a death recorded in district A with help given, for the `after_care_id` routes; the
card routes take A's `person_id` and `unit_id` from the suite's own makers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from tests.care_after import give_help, record_death
from tests.factories import World, add_person, identity_of

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    person = await add_person(services, world.a, "甲区故人")
    day = clock.today() - timedelta(days=2)
    case_id = await record_death(services, admin, person, day, "甲区病故")
    await give_help(services, admin, case_id, day, "甲区花圈", Decimal("800"))
    _MADE[world.a.tenant_id] = {"after_care_id": str(case_id)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    # /care/my-card shows only the card of the account's own person (and refuses an
    # account linked to none, as these are): tests/http/test_care_after.py reads it.
    (Role.TENANT_ADMIN, "/care/after-care?year=2026"),
    (Role.TENANT_ADMIN, "/care/after-care/new?q=甲区"),
]
