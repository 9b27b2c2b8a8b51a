"""Certificates in the isolation suite: a volunteer of district A with hours and an
issued certificate, for the `certificate_id` routes (and A's `person_id` reaches the
volunteer record routes through the suite's own maker), and the pages B's accounts
open. The public check takes a code, not an id: whoever holds the paper may check
it, so what it shows of another district is tested in test_certificates.py."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from tests.certificates import add_activity, add_team, issue
from tests.factories import World, add_person, identity_of

_OBJECTS: dict[object, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id in _OBJECTS:
        return _OBJECTS[world.a.tenant_id]
    tenant = world.a.tenant_id
    volunteer = await add_person(services, world.a, "甲区志愿者")
    team = await add_team(services, world.a, "甲区宣讲队")
    today = clock.today()
    await add_activity(services, world.a, team, today - timedelta(days=3), {volunteer: "2"})
    admin = await identity_of(services, tenant, world.a.users[Role.TENANT_ADMIN].id)
    issued = await issue(services, admin, volunteer, today - timedelta(days=30), today)
    _OBJECTS[tenant] = {"certificate_id": str(issued.id), "code": issued.code}
    return _OBJECTS[tenant]


LIST_PAGES: list[tuple[Role, str]] = []
"""/volunteering/mine is open to every account: the suite derives it for each role."""
