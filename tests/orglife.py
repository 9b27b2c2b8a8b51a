"""Makers for organisational life tests: a planned or held meeting of 第一支部 (the
points roster's branch, led by the secretary account)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.orglife.meetings.forms import MeetingForm, RecordForm
from app.orglife.meetings.service import MeetingService
from app.state import AppServices
from tests.factories import District, identity_of


def meeting_form(unit: UUID, kind: str = "lecture", day: date | None = None) -> MeetingForm:
    day = day or clock.today() - timedelta(days=1)
    starts = datetime.combine(day, time(9), tzinfo=clock.CHINA_TIME)
    return MeetingForm(
        unit, kind, "学习党的二十届四中全会精神", starts, "活动室", "王书记", "李委员"
    )


async def held_meeting(
    services: AppServices,
    district: District,
    unit: UUID,
    kind: str = "lecture",
    day: date | None = None,
    role: Role = Role.BRANCH_SECRETARY,
) -> UUID:
    """A meeting planned and recorded as held on `day` (yesterday by default)."""
    day = day or clock.today() - timedelta(days=1)
    identity = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            meeting = await meetings.plan(identity, meeting_form(unit, kind, day))
            await meetings.record_held(identity, meeting.id, RecordForm(day, "会议纪要"), [])
            return meeting.id
