"""Isolation of organisational life beside the meetings (merged into
tests/http/test_isolation.py): district A's mobile member with a
thought report and a held meeting of its branch, and the pages B's accounts open.
The one path parameter, `person_id` (/orglife/thought-reports/{person_id}), is
OWNED_BY_A's roster person (tests/http/test_isolation.py). A branch chosen by query
(?branch=) is tests/http/test_orglife_extra.py's."""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.orglife.models import Meeting, MeetingStatus, ThoughtReport
from app.state import AppServices
from tests.factories import World, add_person, add_unit

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    center = await add_unit(services, world.a, "center", "甲区组织生活中心")
    branch = await add_unit(services, world.a, "branch", "甲区流动支部", center)
    mobile = await add_person(services, world.a, "甲区流动党员", branch, mobile=True)
    today = clock.today()
    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            session.add(ThoughtReport(
                tenant_id=world.a.tenant_id, person_id=mobile, reported_on=today,
                channel="wechat", note="甲区汇报", recorded_by=admin.id,
                recorded_by_name=admin.name,
            ))  # fmt: skip
            session.add(Meeting(
                tenant_id=world.a.tenant_id, branch_id=branch, kind="lecture",
                topic="甲区党课", starts_at=datetime.combine(today, time(9), clock.CHINA_TIME),
                status=MeetingStatus.HELD, held_on=today, planned_by=admin.id,
                planned_by_name=admin.name,
            ))  # fmt: skip
    _MADE[world.a.tenant_id] = {"person_id": str(mobile)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/orglife/thought-reports?all=1"),
    (Role.BRANCH_SECRETARY, "/orglife/thought-reports?all=1"),
    (Role.TENANT_ADMIN, "/orglife/owed?sort=name"),
]
