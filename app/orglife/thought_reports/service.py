"""Thought reports of mobile members (流动党员).

Who is overdue: a mobile member owes a report every `thought_report_months` months
(the district's cadence, app.orglife.kinds) counted from their last report. One who
never reported owes the first one cadence after they joined the roster (the person's
`created_at`: the roster keeps no day they became mobile), and is overdue from then.
Deceased members owe nothing. A report is scored through the automatic source
(Feed.THOUGHT_REPORT, reference "thought_report:<id>"); one the rules do not score
(not a party member, exempt, cap full …) is recorded all the same and the caller is
told why it scored nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Date, and_, cast, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.pagination import Page, paginate
from app.db.form_ids import FormUsed, hold_form_id
from app.db.tenant import require_tenant
from app.i18n import N_
from app.orglife.kinds.service import cadence_months
from app.orglife.models import ThoughtReport
from app.orglife.thought_reports.forms import parse_report
from app.people.models import OrgUnit, Person
from app.people.scope import people_in
from app.points.automatic import Feeding, score
from app.points.feeds import Feed

PAGE_SIZE = 20
NOT_MOBILE = N_("%(name)s is not a mobile member; thought reports are kept for mobile members.")


FORM_USED = N_("This form was already used for another report. Please check and save again.")


@dataclass(frozen=True)
class MobileRow:
    person_id: UUID
    name: str
    branch: str | None
    last_on: date | None
    due_on: date

    @property
    def overdue(self) -> bool:
        return self.due_on < clock.today()


@dataclass(frozen=True)
class Recorded:
    report: ThoughtReport
    not_scored: Refused | None
    repeated: bool = False
    """The form was sent again: nothing new was written."""


def ref_of(report_id: UUID) -> str:
    return f"thought_report:{report_id}"


class ThoughtReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def cadence(self) -> int:
        return await cadence_months(self.session)

    async def mobile_members(
        self, identity: Identity, branch_id: UUID | None, number: int, *, overdue_only: bool
    ) -> Page[MobileRow]:
        """The scope's living mobile members (of one branch, if given) with their last
        report and the day the next is due, longest overdue first."""
        months = await self.cadence()
        last = (
            select(ThoughtReport.person_id, func.max(ThoughtReport.reported_on).label("last_on"))
            .group_by(ThoughtReport.person_id)
            .subquery()
        )
        joined = cast(func.timezone(clock.CHINA_TIME.key, Person.created_at), Date)
        since = func.coalesce(last.c.last_on, joined)
        due_on = cast(since + text(f"interval '{int(months)} months'"), Date).label("due_on")
        query = (
            select(Person.id, Person.name, OrgUnit.name, last.c.last_on, due_on)
            .outerjoin(last, last.c.person_id == Person.id)
            .outerjoin(OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id,
                                     OrgUnit.id == Person.branch_id))
            .where(Person.mobile, Person.deceased_on.is_(None), people_in(identity.scope))
            .order_by(due_on, Person.sort_key, Person.id)
        )  # fmt: skip
        if branch_id is not None:
            query = query.where(Person.branch_id == branch_id)
        if overdue_only:
            query = query.where(due_on < literal(clock.today(), Date))
        page = await paginate(self.session, query, number, PAGE_SIZE)
        return Page([MobileRow(*row) for row in page.items], page.number, page.pages, page.total)

    async def member(self, identity: Identity, person_id: UUID) -> Person:
        """A mobile member of the scope; anyone else's is NotFound, a member of the
        scope who is not mobile is refused by name."""
        person = await self.session.scalar(
            select(Person).where(Person.id == person_id, people_in(identity.scope))
        )
        if person is None:
            raise NotFound()
        if not person.mobile:
            raise Refused(NOT_MOBILE, name=person.name)
        return person

    async def history(self, person_id: UUID, limit: int = 12) -> list[ThoughtReport]:
        found = await self.session.scalars(
            select(ThoughtReport)
            .where(ThoughtReport.person_id == person_id)
            .order_by(ThoughtReport.reported_on.desc(), ThoughtReport.recorded_at.desc())
            .limit(limit)
        )
        return list(found)

    async def record(
        self, identity: Identity, person_id: UUID, data: Mapping[str, str]
    ) -> Recorded:
        """Record a report and score it; nothing is written when the form is refused."""
        person = await self.member(identity, person_id)
        if person.deceased_on is not None:
            raise Refused(N_("%(name)s has passed away."), name=person.name)
        form = parse_report(data)
        await hold_form_id(self.session, "thought_reports", form.id)
        saved = await self.session.get(
            ThoughtReport, {"tenant_id": require_tenant(), "id": form.id}
        )
        if saved is not None:  # sent twice: the first is kept
            if (saved.person_id, saved.reported_on) != (person.id, form.reported_on):
                raise FormUsed(FORM_USED)
            return Recorded(saved, None, repeated=True)
        report = ThoughtReport(
            id=form.id, tenant_id=require_tenant(), person_id=person.id,
            reported_on=form.reported_on, channel=form.channel, note=form.note,
            recorded_by=identity.user_id, recorded_by_name=identity.name,
        )  # fmt: skip
        self.session.add(report)
        await self.session.flush()
        ref = ref_of(report.id)
        scored = await score(
            self.session, Feed.THOUGHT_REPORT,
            [Feeding(person, form.reported_on, ref, note=form.note)], identity.actor,
        )  # fmt: skip
        event = scored.events.get(ref)
        report.event_id = event.id if event is not None else None
        await self.session.flush()
        return Recorded(report, scored.skipped.get(ref))
