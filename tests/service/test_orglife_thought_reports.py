"""Thought reports of mobile members: recorded and scored through the automatic source,
bad input writes nothing, and who is overdue by the district's cadence."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, text

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.models import ThoughtReport
from app.orglife.thought_reports.service import ThoughtReportService
from app.points.models import PointEvent
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    add_person,
    identity_of,
    make_points_roster,
    make_world,
)

PARTY = {"party_member": True, "mobile": True}


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def record(services: AppServices, district: District, role: Role, person: UUID, **form):  # type: ignore[no-untyped-def]
    identity = await identity_of(services, district.tenant_id, district.users[role].id)
    data = {"report_id": str(uuid4()), "reported_on": clock.today().isoformat(),
            "channel": "wechat", "note": ""} | form  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await ThoughtReportService(session).record(identity, person, data)


async def count(services: AppServices, district: District, table) -> int:  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_report_is_recorded_and_scored_once(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    mobile = await add_person(services, world.a, "流动党员甲", points.roster.branch_1, **PARTY)
    recorded = await record(services, world.a, Role.BRANCH_SECRETARY, mobile, note="在外地务工")
    assert recorded.not_scored is None and recorded.report.event_id is not None
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            event = await session.get(
                PointEvent, {"tenant_id": world.a.tenant_id, "id": recorded.report.event_id}
            )
    assert event is not None
    assert event.source_ref == f"thought_report:{recorded.report.id}"
    assert (event.person_id, event.source) == (mobile, "automatic")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"reported_on": "2999-01-01"}, "reported_on"),
        ({"reported_on": "昨天"}, "reported_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"note": "长" * 201}, "note"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    services: AppServices, world: World, points: PointsRoster, form: dict[str, str], field: str
) -> None:
    mobile = await add_person(services, world.a, "流动党员乙", points.roster.branch_1, **PARTY)
    with pytest.raises(InvalidForm) as refused:
        await record(services, world.a, Role.TENANT_ADMIN, mobile, **form)
    assert field in refused.value.errors
    assert await count(services, world.a, ThoughtReport) == 0
    assert await count(services, world.a, PointEvent) == 0


async def test_only_mobile_members_of_ones_scope(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    with pytest.raises(Refused):  # not mobile
        await record(services, world.a, Role.TENANT_ADMIN, points.member_a)
    other_branch = await add_person(
        services, world.a, "流动党员丙", points.roster.branch_2, **PARTY
    )
    with pytest.raises(NotFound):  # another branch: the secretary does not see them
        await record(services, world.a, Role.BRANCH_SECRETARY, other_branch)
    await make_points_roster(services, world.b)
    elsewhere = await add_person(services, world.b, "乙区流动党员", **PARTY)
    with pytest.raises(NotFound):  # another district
        await record(services, world.a, Role.TENANT_ADMIN, elsewhere)
    assert await count(services, world.a, ThoughtReport) == 0


async def test_who_is_overdue_by_the_cadence(
    services: AppServices, world: World, points: PointsRoster, owner_db: Database
) -> None:
    reported = await add_person(services, world.a, "按时汇报", points.roster.branch_1, **PARTY)
    late = await add_person(services, world.a, "很久没报", points.roster.branch_1, **PARTY)
    await add_person(services, world.a, "从未汇报", points.roster.branch_1, **PARTY)
    fresh = await add_person(services, world.a, "新来流动", points.roster.branch_1, **PARTY)
    async with owner_db.session() as session:  # on the roster for a year, but one
        await session.execute(
            text("update people set created_at = now() - interval '1 year' where id <> :fresh"),
            {"fresh": fresh},
        )
        await session.commit()
    await record(services, world.a, Role.TENANT_ADMIN, reported)
    await record(services, world.a, Role.TENANT_ADMIN, late,
                 reported_on=(clock.today() - timedelta(days=200)).isoformat())  # fmt: skip
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            reports = ThoughtReportService(session)
            overdue = await reports.mobile_members(admin, None, 1, overdue_only=True)
            everyone = await reports.mobile_members(admin, None, 1, overdue_only=False)
            other = await reports.mobile_members(
                admin, points.roster.branch_2, 1, overdue_only=False
            )
    # The cadence is 3 months: never reported since joining a year ago comes first.
    assert [r.name for r in overdue.items] == ["从未汇报", "很久没报"]
    assert {r.name for r in everyone.items} == {"按时汇报", "很久没报", "从未汇报", "新来流动"}
    assert other.items == []
