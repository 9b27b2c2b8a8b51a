"""Demo organisational life: for the first branches of a demo district, a few meetings
held in the last weeks with their attendance (a few absent or on leave) scored through
the same service a secretary uses, and one planned for next week."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from uuid import UUID

from sqlalchemy import select

from app.access import tenant_identity
from app.core import clock
from app.core.roles import Role
from app.demo.roster import _user_with
from app.orglife.meetings.attendance import AttendanceService
from app.orglife.meetings.forms import AttendanceForm, Mark, MeetingForm, RecordForm
from app.orglife.meetings.service import MeetingService
from app.orglife.models import Meeting, Presence
from app.people.models import OrgUnit, Person, UnitKind
from app.state import AppServices

BRANCHES = 3
HELD = (
    ("lecture", "学习党的二十届四中全会精神专题党课", 40, "老干部活动中心三楼会议室"),
    ("theme_day", "“重温入党誓词”主题党日", 21, "革命纪念馆"),
    ("branch_assembly", "支部党员大会：通报上半年党费收缴情况", 7, "支部活动室"),
)
REASONS = ("住院治疗", "外出探亲", "身体不适")


async def has_meetings(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(Meeting.id).limit(1)) is not None


async def seed_demo_orglife(services: AppServices, tenant_id: UUID, seed: int = 14) -> None:
    """Run inside the district's tenant scope, after the roster and the points rules."""
    rng = random.Random(seed)
    today = clock.today()
    async with services.db.unit() as session:
        admin_id = (await session.execute(_user_with(Role.TENANT_ADMIN))).one().id
        found = await tenant_identity(session, admin_id, tenant_id)
        assert found is not None
        admin = found[0]
        branches = list(
            await session.scalars(
                select(OrgUnit.id)
                .join(Person, Person.branch_id == OrgUnit.id)
                .where(OrgUnit.kind == UnitKind.BRANCH, Person.party_member)
                .group_by(OrgUnit.id, OrgUnit.name)
                .order_by(OrgUnit.name)
                .limit(BRANCHES)
            )
        )
    for branch in branches:
        for kind, topic, days_ago, place in HELD:
            day = today - timedelta(days=days_ago)
            starts = datetime.combine(day, time(9, 30), tzinfo=clock.CHINA_TIME)
            form = MeetingForm(branch, kind, topic, starts, place, "支部书记", "组织委员")
            async with services.db.unit() as session:
                meetings = MeetingService(session)
                meeting = await meetings.plan(admin, form)
                await meetings.record_held(admin, meeting.id, RecordForm(day, _minutes(topic)), [])
                people = await AttendanceService(session).expected(meeting)
                marks = {}
                for person in people:
                    roll = rng.random()
                    if roll < 0.06:
                        marks[person.id] = Mark(Presence.ABSENT)
                    elif roll < 0.16:
                        marks[person.id] = Mark(Presence.EXCUSED, reason=rng.choice(REASONS))
                    elif person.mobile:
                        marks[person.id] = Mark(Presence.ONLINE)
                await AttendanceService(session).save(admin, meeting.id, AttendanceForm(marks, 0))
        starts = datetime.combine(today + timedelta(days=7), time(9), tzinfo=clock.CHINA_TIME)
        async with services.db.unit() as session:
            await MeetingService(session).plan(
                admin, MeetingForm(branch, "committee", "研究下季度组织生活安排", starts,
                                   "支部活动室", "支部书记", "组织委员"),
            )  # fmt: skip


def _minutes(topic: str) -> str:
    return (
        f"会议主题：{topic}。\n"
        "支部书记主持，传达学习了有关文件精神，与会党员结合自身实际交流了体会。"
    )
