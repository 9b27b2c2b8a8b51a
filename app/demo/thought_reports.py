"""Demo thought reports (思想汇报): four party members of the demo roster are mobile
members; one reported last month, one twice (the last four months ago: overdue), one
five months ago (overdue), one never (overdue since joining, when the roster is older
than the cadence). Scored through the automatic source like any recorded report.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.demo.roster import _user_with
from app.orglife.models import ReportChannel, ThoughtReport
from app.people.models import Person
from app.points.automatic import Feeding, score
from app.points.feeds import Feed
from app.state import AppServices

MOBILE_MEMBERS = 4
REPORTS = (  # days ago and channel, per mobile member
    ((25, ReportChannel.WECHAT),),
    ((40, ReportChannel.PHONE), (125, ReportChannel.LETTER)),
    ((150, ReportChannel.IN_PERSON),),
    (),
)


async def has_thought_reports(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(Person.id).where(Person.mobile).limit(1)) is not None


async def seed_demo_thought_reports(services: AppServices) -> None:
    """Run inside the district's tenant scope, after the roster and the points rules."""
    today = clock.today()
    async with services.db.unit() as session:
        secretary = (await session.execute(_user_with(Role.BRANCH_SECRETARY))).one()
        actor = Actor("user", secretary.name, secretary.id)
        people = list(
            await session.scalars(
                select(Person)
                .where(Person.party_member, Person.branch_id.is_not(None), ~Person.infirm,
                       Person.deceased_on.is_(None))
                .order_by(Person.sort_key.desc())
                .limit(MOBILE_MEMBERS)
            )
        )  # fmt: skip
        await session.execute(
            update(Person).where(Person.id.in_([p.id for p in people])).values(mobile=True)
        )
        for person, reports in zip(people, REPORTS, strict=False):
            for days_ago, channel in reports:
                report = ThoughtReport(
                    tenant_id=require_tenant(), person_id=person.id,
                    reported_on=today - timedelta(days=days_ago), channel=channel,
                    note="近况良好，按时参加线上学习", recorded_by=secretary.id,
                    recorded_by_name=secretary.name,
                )  # fmt: skip
                session.add(report)
                await session.flush()
                ref = f"thought_report:{report.id}"
                scored = await score(
                    session, Feed.THOUGHT_REPORT,
                    [Feeding(person, report.reported_on, ref, note=report.note)], actor,
                )  # fmt: skip
                event = scored.events.get(ref)
                report.event_id = event.id if event is not None else None
