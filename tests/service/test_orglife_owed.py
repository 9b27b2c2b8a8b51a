"""Meetings owed per branch from the `meetings` table: held meetings count in the year
they were held, planned ones show as planned, and on 1 January the count starts again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.models import Meeting, MeetingStatus
from app.orglife.owed.service import OwedService
from app.state import AppServices
from tests.factories import District, PointsRoster, identity_of, make_points_roster, make_world


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    district = (await make_world(services, owner_db)).a
    async with owner_db.session() as session:  # a district that started in September 2026
        await session.execute(
            text("update tenants set decided_at = :d where id = :t"),
            {"d": datetime(2026, 9, 20, tzinfo=UTC), "t": district.tenant_id},
        )
        await session.commit()
    return district


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def add_meeting(
    services: AppServices,
    district: District,
    branch,
    kind: str,
    day: date,
    status: str,  # type: ignore[no-untyped-def]
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add(Meeting(
                tenant_id=district.tenant_id, branch_id=branch, kind=kind, topic="学习",
                starts_at=datetime.combine(day, time(9), clock.CHINA_TIME), status=status,
                held_on=day if status == MeetingStatus.HELD else None,
                planned_by=district.users[Role.BRANCH_SECRETARY].id, planned_by_name="书记",
            ))  # fmt: skip


async def counts_on(services: AppServices, district: District, today: date, monkeypatch, year=None):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "today", lambda: today)
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            owed = OwedService(session)
            rows = await owed.owed(await owed.branches(admin), year or today.year)
    return {row.name: {k.code: k for k in row.kinds} for row in rows}


async def test_the_count_per_kind_restarts_across_a_year_end(
    services: AppServices, district: District, points: PointsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = points.roster.branch_1
    await add_meeting(services, district, branch, "lecture", date(2026, 12, 5), MeetingStatus.HELD)
    await add_meeting(
        services, district, branch, "lecture", date(2026, 12, 28), MeetingStatus.PLANNED
    )
    await add_meeting(
        services, district, branch, "committee", date(2026, 11, 5), MeetingStatus.CANCELLED
    )
    december = await counts_on(services, district, date(2026, 12, 20), monkeypatch)
    lecture = december["第一支部"]["lecture"]
    # Started in September: the third and fourth quarters' lectures are owed.
    assert (lecture.owed, lecture.held, lecture.planned, lecture.shortfall) == (2, 1, 1, 1)
    # The third quarter ended without a lecture: behind, though December's keeps the fourth.
    assert (lecture.kept, lecture.kept_due, lecture.overdue) == (1, 0, 1)
    committee = december["第一支部"]["committee"]
    assert (committee.owed, committee.held, committee.due, committee.overdue) == (4, 0, 3, 3)
    assert "study" not in december["第一支部"]  # held when needed: owes nothing
    assert december["第二支部"]["lecture"].held == 0

    await add_meeting(services, district, branch, "lecture", date(2027, 1, 2), MeetingStatus.HELD)
    january = await counts_on(services, district, date(2027, 1, 3), monkeypatch)
    lecture = january["第一支部"]["lecture"]
    # A new year: four lectures owed, December's no longer counts, nothing is due yet.
    assert (lecture.owed, lecture.held, lecture.planned, lecture.overdue) == (4, 1, 0, 0)
    assert january["第一支部"]["committee"].overdue == 0
    last_year = await counts_on(services, district, date(2027, 1, 3), monkeypatch, year=2026)
    assert last_year["第一支部"]["lecture"].held == 1  # the planned one never happened


async def test_a_secretary_sees_their_branch_only(
    services: AppServices, district: District, points: PointsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = await identity_of(
        services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
    )
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            branches = await OwedService(session).branches(secretary)
    assert [b.name for b in branches] == ["第一支部"]
