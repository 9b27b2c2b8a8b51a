"""送学上门: an infirm member who missed a meeting gets a must-visit item; a 送学上门
visit answering it records the home study on the attendance (rows built directly: the
meetings pages are another part's)."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select, text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.models import Place, Trigger, VisitDueItem, VisitKind, VisitRule
from app.grid.rules.service import VisitRuleService
from app.grid.visits.forms import VisitForm
from app.grid.visits.service import VisitService
from app.orglife.home_study import after_attendance
from app.orglife.models import Attendance, Meeting, MeetingStatus, Presence
from app.settings import PROJECT_ROOT
from app.state import AppServices
from tests.factories import District, PointsRoster, identity_of, make_points_roster, make_world


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def held_meeting(
    services: AppServices, district: District, branch: UUID, held_on: date, kind: str = "lecture"
) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meeting = Meeting(
                tenant_id=district.tenant_id, branch_id=branch, kind=kind, topic="学习党章",
                starts_at=datetime.combine(held_on, datetime.min.time(), clock.CHINA_TIME),
                status=MeetingStatus.HELD, held_on=held_on, planned_by=uuid4(),
                planned_by_name="书记",
            )  # fmt: skip
            session.add(meeting)
            await session.flush()
            return meeting.id


async def save_attendance(
    services: AppServices, district: District, meeting_id: UUID, marks: dict[UUID, str]
) -> None:
    """Save (or correct) rows as the meetings service would, then call the hook."""
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meeting = await session.get(
                Meeting, {"tenant_id": district.tenant_id, "id": meeting_id}
            )
            rows = []
            for person_id, presence in marks.items():
                key = {"tenant_id": district.tenant_id, "meeting_id": meeting_id,
                       "person_id": person_id}  # fmt: skip
                row = await session.get(Attendance, key)
                if row is None:
                    row = Attendance(**key, presence=presence, recorded_by=uuid4(),
                                     recorded_by_name="书记", revision=1)  # fmt: skip
                    session.add(row)
                else:
                    row.presence, row.revision = presence, row.revision + 1
                rows.append(row)
            await session.flush()
            await after_attendance(session, meeting, rows)


async def items(services: AppServices, district: District) -> list[VisitDueItem]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return list(
                await session.scalars(
                    select(VisitDueItem)
                    .join(VisitRule, VisitRule.id == VisitDueItem.rule_id)
                    .where(VisitRule.trigger == Trigger.HOME_STUDY)
                )
            )


async def test_an_infirm_absentee_gets_one_item_and_a_correction_drops_it(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    held_on = clock.today() - timedelta(days=2)
    meeting = await held_meeting(services, district, points.roster.branch_1, held_on)
    marks = {points.exempt: Presence.EXCUSED, points.member_b: Presence.ABSENT,
             points.member_a: Presence.PRESENT}  # fmt: skip
    await save_attendance(services, district, meeting, marks)
    await save_attendance(services, district, meeting, {points.exempt: Presence.ABSENT})
    found = await items(services, district)
    # Only the infirm member; saved twice, written once.
    assert [(i.person_id, i.occasion, i.opens_on) for i in found] == [
        (points.exempt, f"meeting:{meeting}", held_on)
    ]
    end_of_meeting_day = datetime.combine(held_on + timedelta(days=1), datetime.min.time(),
                                          clock.CHINA_TIME)  # fmt: skip
    assert found[0].due_at == end_of_meeting_day + timedelta(hours=168)
    await save_attendance(services, district, meeting, {points.exempt: Presence.PRESENT})
    assert await items(services, district) == []


async def test_a_home_study_visit_records_the_attendance(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    held_on = clock.today() - timedelta(days=3)
    meeting = await held_meeting(services, district, points.roster.branch_1, held_on)
    await save_attendance(services, district, meeting, {points.exempt: Presence.ABSENT})
    worker = district.users[Role.GRID_WORKER]
    identity = await identity_of(services, district.tenant_id, worker.id)
    visited_on = clock.today() - timedelta(days=1)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            context = await VisitService(session).form_context(identity, points.exempt)
            assert context["kind"] == VisitKind.HOME_STUDY  # the form offers the right kind
            logged = await VisitService(session).log(
                identity,
                VisitForm(uuid4(), points.exempt, VisitKind.HOME_STUDY, Place.HOME, visited_on),
            )
            assert logged.answered == ["送学上门"]
        async with services.db.session() as session:
            row = await session.get(
                Attendance, {"tenant_id": district.tenant_id, "meeting_id": meeting,
                             "person_id": points.exempt},
            )  # fmt: skip
    assert row is not None
    assert (row.presence, row.home_study_on, row.home_study_by_name, row.revision) == (
        Presence.HOME_STUDY, visited_on, worker.name, 2,
    )  # fmt: skip
    assert row.event_id is None  # infirm members are exempt from points
    [item] = await items(services, district)
    assert item.visit_id == logged.visit.id


async def test_a_visit_made_before_the_attendance_answers_at_once(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    held_on = clock.today() - timedelta(days=3)
    meeting = await held_meeting(services, district, points.roster.branch_1, held_on)
    worker = district.users[Role.GRID_WORKER]
    identity = await identity_of(services, district.tenant_id, worker.id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await VisitService(session).log(
                identity,
                VisitForm(uuid4(), points.exempt, VisitKind.HOME_STUDY, Place.HOME, held_on),
            )
    await save_attendance(services, district, meeting, {points.exempt: Presence.EXCUSED})
    [item] = await items(services, district)
    assert item.visit_id is not None


async def test_the_deadline_is_tuned_in_the_rules_admin(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    held_on = clock.today() - timedelta(days=1)
    meeting = await held_meeting(services, district, points.roster.branch_1, held_on)
    await save_attendance(services, district, meeting, {points.exempt: Presence.ABSENT})
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            rule_id = await session.scalar(
                select(VisitRule.id).where(VisitRule.trigger == Trigger.HOME_STUDY)
            )
            assert rule_id is not None
        async with services.db.unit() as session:
            await VisitRuleService(session).update_rule(
                admin, rule_id, {"name": "送学上门", "enabled": "1", "due_hours": "72",
                                 "in_person": "1"},
            )  # fmt: skip
    [item] = await items(services, district)  # kept, re-dated
    end_of_meeting_day = datetime.combine(held_on + timedelta(days=1), datetime.min.time(),
                                          clock.CHINA_TIME)  # fmt: skip
    assert item.due_at == end_of_meeting_day + timedelta(hours=72)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:  # switched off: off the due lists
            await VisitRuleService(session).update_rule(
                admin, rule_id, {"name": "送学上门", "due_hours": "72", "in_person": "1"}
            )
    assert await items(services, district) == []


async def test_the_migration_gives_existing_districts_the_rule_once(
    services: AppServices, owner_db: Database
) -> None:
    """What 20261216_home_study_rule runs for the districts made before it."""
    path = PROJECT_ROOT / "migrations" / "versions" / "20261216_home_study_rule.py"
    spec = importlib.util.spec_from_file_location("home_study_rule", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    world = await make_world(services, owner_db)
    async with owner_db.session() as session:
        await session.execute(
            text("delete from visit_rules where code = 'home_study' and tenant_id = :t"),
            {"t": world.a.tenant_id},
        )
        await session.execute(text(migration.ADD_RULE))
        await session.execute(text(migration.ADD_RULE))  # twice: still one each
        found = (
            await session.execute(
                text(
                    "select tenant_id, count(*), max(position) = (select max(position) from "
                    "visit_rules r where r.tenant_id = v.tenant_id) from visit_rules v "
                    "where code = 'home_study' and tenant_id in (:a, :b) group by tenant_id"
                ),
                {"a": world.a.tenant_id, "b": world.b.tenant_id},
            )
        ).all()
        await session.commit()
    # A gets it last in its list; B, made with it from the preset, keeps its one.
    assert {t: (count, last) for t, count, last in found} == {
        world.a.tenant_id: (1, True), world.b.tenant_id: (1, False),
    }  # fmt: skip
