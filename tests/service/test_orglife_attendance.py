"""Attendance → points through the automatic source: attending scores the kind's item,
absence deducts, excused and the exempt get nothing; a correction withdraws the old
event and scores anew; every bad input is refused with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.meetings.attendance import NOT_EXPECTED, NOT_HELD, TAKEN, AttendanceService
from app.orglife.meetings.forms import AttendanceForm, Mark, RecordForm, parse_attendance
from app.orglife.meetings.service import CANCELLED, DAY_FIXED, FUTURE, MeetingService
from app.orglife.models import Attendance, Meeting, MeetingStatus, Presence
from app.points.models import PointEvent, Source
from app.state import AppServices
from tests.factories import District, PointsRoster, identity_of, make_points_roster, make_world
from tests.orglife import held_meeting, meeting_form


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def secretary(services: AppServices, district: District) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id)


async def save(services: AppServices, district: District, meeting: UUID, form: AttendanceForm,
               role: Role = Role.BRANCH_SECRETARY):  # type: ignore[no-untyped-def]  # fmt: skip
    identity = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await AttendanceService(session).save(identity, meeting, form)


async def state(services: AppServices, district: District):  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = {r.person_id: r for r in await session.scalars(select(Attendance))}
            events = list(
                await session.scalars(select(PointEvent).order_by(PointEvent.recorded_at))
            )
            return rows, events


def sum_of(events: list[PointEvent], person: UUID) -> Decimal:
    return sum((e.points for e in events if e.person_id == person), Decimal(0))


async def test_attendance_scores_present_deducts_absent_and_spares_the_exempt(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    form = AttendanceForm({points.member_b: Mark(Presence.ABSENT),
                           points.exempt: Mark(Presence.ABSENT)}, taken=0)  # fmt: skip
    saved = await save(services, district, meeting, form)
    rows, events = await state(services, district)
    # 党员甲 was not sent: present by default. 一号 is not a party member: not expected.
    assert set(rows) == {points.member_a, points.member_b, points.exempt}
    assert rows[points.member_a].presence == Presence.PRESENT
    assert sum_of(events, points.member_a) == Decimal(2)  # ZZ-01 参加“三会一课”
    assert sum_of(events, points.member_b) == Decimal(-2)  # FM-01 无故缺席组织生活
    assert sum_of(events, points.exempt) == 0 and rows[points.exempt].event_id is None
    assert {e.source for e in events} == {Source.AUTOMATIC}
    assert {e.source_ref for e in events} == {
        f"attendance:{meeting}:{points.member_a}:1",
        f"attendance:{meeting}:{points.member_b}:1",
    }
    assert rows[points.member_a].event_id == next(
        e.id for e in events if e.person_id == points.member_a
    )
    assert [name for name, _ in saved.not_scored] == ["老党员丙"]
    assert "免于积分" in saved.not_scored[0][1]
    assert saved.counts == {"present": 1, "absent": 2} and saved.written == 3


async def held_day(services: AppServices, district: District, meeting: UUID) -> date:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            held = await session.scalar(select(Meeting.held_on).where(Meeting.id == meeting))
    assert held is not None
    return held


async def test_excused_and_online_and_home_study(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    day = clock.today()
    form = AttendanceForm({
        points.member_a: Mark(Presence.EXCUSED, reason="住院"),
        points.member_b: Mark(Presence.HOME_STUDY, home_study_on=day, home_study_by="网格员小王"),
        points.exempt: Mark(Presence.ONLINE),
    }, taken=0)  # fmt: skip
    await save(services, district, meeting, form)
    held_on = await held_day(services, district, meeting)
    rows, events = await state(services, district)
    assert rows[points.member_a].reason == "住院" and rows[points.member_a].event_id is None
    assert rows[points.member_b].home_study_by_name == "网格员小王"
    # Scored on the meeting's day, not the delivery's: one day per meeting for its caps
    # and its half-year, whoever recorded the home study.
    assert [(e.person_id, e.occurred_on) for e in events] == [(points.member_b, held_on)]


async def test_a_correction_withdraws_and_rescores_with_a_new_revision(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    await save(services, district, meeting,
               AttendanceForm({points.member_b: Mark(Presence.ABSENT)}, taken=0))  # fmt: skip
    first, _ = await state(services, district)
    corrected = await save(services, district, meeting, AttendanceForm({
        points.member_a: Mark(Presence.EXCUSED, reason="探亲"),
        points.member_b: Mark(Presence.PRESENT),
        points.exempt: Mark(Presence.PRESENT),  # unchanged: untouched
    }, taken=3))  # fmt: skip
    rows, events = await state(services, district)
    assert corrected.corrected == 2 and corrected.written == 0
    assert sum_of(events, points.member_a) == 0 and rows[points.member_a].event_id is None
    assert sum_of(events, points.member_b) == Decimal(2)  # -2 withdrawn, +2 scored
    assert rows[points.member_b].revision == 2 and rows[points.exempt].revision == 1
    reversed_ids = {e.reverses_id for e in events if e.source == Source.REVERSAL}
    assert reversed_ids == {first[points.member_a].event_id, first[points.member_b].event_id}
    assert f"attendance:{meeting}:{points.member_b}:2" in {e.source_ref for e in events}
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            logged = list(
                await session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "meeting.attendance_corrected")
                )
            )
    assert sorted(e.changes["name"] for e in logged) == ["党员乙", "党员甲"]
    assert {tuple(e.changes["presence"]) for e in logged} == {
        ("present", "excused"), ("absent", "present")}  # fmt: skip


async def count(services: AppServices, district: District) -> tuple[int, int]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = await session.scalar(select(func.count()).select_from(Attendance))
            events = await session.scalar(select(func.count()).select_from(PointEvent))
    return rows or 0, events or 0


async def test_a_person_not_in_the_branch_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    forged = AttendanceForm({points.member_d: Mark(Presence.PRESENT)}, taken=0)
    with pytest.raises(Refused) as refused:
        await save(services, district, meeting, forged)
    assert refused.value.message == NOT_EXPECTED
    assert await count(services, district) == (0, 0)


async def test_a_group_meeting_expects_the_group_only(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.group_1, kind="group")
    with pytest.raises(Refused):  # 党员甲 is in the branch but not in the group
        await save(services, district, meeting,
                   AttendanceForm({points.member_a: Mark(Presence.PRESENT)}, taken=0))  # fmt: skip
    assert await count(services, district) == (0, 0)


async def test_a_second_first_save_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    await save(services, district, meeting, AttendanceForm({}, taken=0))
    before = await count(services, district)
    with pytest.raises(Refused) as refused:  # a second secretary's page, shown before
        await save(services, district, meeting,
                   AttendanceForm({points.member_a: Mark(Presence.ABSENT)}, taken=0))  # fmt: skip
    assert refused.value.message == TAKEN
    assert await count(services, district) == before == (3, 2)


async def test_a_correction_over_someone_elses_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    """Two secretaries open the saved sheet; the first corrects 党员乙; the second, whose
    form still shows 党员乙 present, would quietly undo it: refused, nothing written."""
    meeting = await held_meeting(services, district, points.roster.branch_1)
    await save(services, district, meeting, AttendanceForm({}, taken=0))
    await save(services, district, meeting,
               AttendanceForm({points.member_b: Mark(Presence.ABSENT)}, taken=3))  # fmt: skip
    before = await count(services, district)
    with pytest.raises(Refused) as refused:
        await save(services, district, meeting, AttendanceForm({
            points.member_a: Mark(Presence.EXCUSED, reason="探亲"),
            points.member_b: Mark(Presence.PRESENT),
        }, taken=3))  # fmt: skip
    assert refused.value.message == TAKEN
    assert await count(services, district) == before
    rows, _ = await state(services, district)
    assert rows[points.member_b].presence == Presence.ABSENT


async def test_the_day_held_is_fixed_once_attendance_is_taken(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    meeting = await held_meeting(services, district, points.roster.branch_1)
    await save(services, district, meeting, AttendanceForm({}, taken=0))
    held_on = await held_day(services, district, meeting)
    secretary = await identity_of(
        services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
    )
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            with pytest.raises(Refused) as refused:
                earlier = RecordForm(held_on - timedelta(days=1), "改")
                await meetings.record_held(secretary, meeting, earlier, [])
            assert refused.value.message == DAY_FIXED
            # the minutes may still change on the same day
            await meetings.record_held(secretary, meeting, RecordForm(held_on, "补充纪要"), [])
    assert await held_day(services, district, meeting) == held_on


async def test_attendance_of_a_meeting_not_held_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    identity = await secretary(services, district)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            planned = (await meetings.plan(identity, meeting_form(points.roster.branch_1))).id
            cancelled = (await meetings.plan(identity, meeting_form(points.roster.branch_1))).id
            await meetings.cancel(identity, cancelled)
    for meeting, message in ((planned, NOT_HELD), (cancelled, CANCELLED)):
        with pytest.raises(Refused) as refused:
            await save(services, district, meeting, AttendanceForm({}, taken=0))
        assert refused.value.message == message
    assert await count(services, district) == (0, 0)


async def test_held_in_the_future_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    identity = await secretary(services, district)
    tomorrow = clock.today() + timedelta(days=1)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meeting = await MeetingService(session).plan(
                identity, meeting_form(points.roster.branch_1, day=tomorrow)
            )
        with pytest.raises(Refused) as refused:
            async with services.db.unit() as session:
                await MeetingService(session).record_held(
                    identity, meeting.id, RecordForm(tomorrow, "纪要"), []
                )
        async with services.db.session() as session:
            found = await session.get(Meeting, {"tenant_id": district.tenant_id, "id": meeting.id})
    assert refused.value.message == FUTURE
    assert found is not None and found.status == MeetingStatus.PLANNED and found.minutes is None


async def test_a_secretary_cannot_reach_another_branch(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    other = await held_meeting(services, district, points.roster.branch_2, role=Role.TENANT_ADMIN)
    identity = await secretary(services, district)
    with pytest.raises(NotFound):
        await save(services, district, other, AttendanceForm({}, taken=0))
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            with pytest.raises(Refused):
                await MeetingService(session).plan(identity, meeting_form(points.roster.branch_2))
    assert await count(services, district) == (0, 0)


def test_the_form_needs_a_reason_and_a_home_study_day() -> None:
    person = "0b4f5a4e-52f3-4d53-9d5c-6a1b5c1e0a01"
    with pytest.raises(Refused) as refused:
        parse_attendance({f"p-{person}": "excused", f"r-{person}": " "})
    assert f"r-{person}" in refused.value.errors
    with pytest.raises(Refused) as refused:
        parse_attendance({f"p-{person}": "home_study"})
    assert f"h-{person}" in refused.value.errors
    future = (clock.today() + timedelta(days=2)).isoformat()
    with pytest.raises(Refused):
        parse_attendance({f"p-{person}": "home_study", f"h-{person}": future})
    with pytest.raises(Refused):
        parse_attendance({"p-not-an-id": "present"})
    with pytest.raises(Refused):
        parse_attendance({f"p-{person}": "asleep"})


async def test_planning_tells_the_expected_members_with_accounts(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    from app.notifications.models import Notification

    identity = await secretary(services, district)
    day = clock.today() + timedelta(days=3)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            meeting = await meetings.plan(identity, meeting_form(points.roster.branch_1, day=day))
            form = meeting_form(points.roster.branch_1, day=day)
            await meetings.change(identity, meeting.id, form)  # the same time: told once
        async with services.db.session() as session:
            told = list(await session.scalars(select(Notification)))
    # 党员甲 is the member account; 一号 (the secretary) is no party member here.
    assert [n.recipient_id for n in told] == [district.users[Role.MEMBER].id]
    assert "党课" in told[0].title and "活动室" in told[0].body
    assert f"{day.month}月{day.day}日" in told[0].title
