"""SLA compliance: of the requests logged in a period, the share resolved in time — per
category and per worker against the SLA, and per escalation level against the time
that level had. Requests still open whose time has not run out are counted apart
("still running"), neither in time nor late yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, and_, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.charts import last_months
from app.core.clock import CHINA_TIME
from app.core.identity import Identity
from app.i18n import N_
from app.people.models import Person
from app.service_requests import sla
from app.service_requests.models import EscalationLevel, RequestEvent, ServiceRequest
from app.service_requests.queries import STOPPED, chain, rows_query, visible
from app.service_requests.words import level_label

PERIODS = {
    "month": N_("This month"),
    "quarter": N_("This quarter"),
    "year": N_("This year"),
}
NOT_ASSIGNED = N_("Not assigned")


def period_range(key: str, today: date) -> tuple[date, date]:
    """The first day of the period holding `today` and the first day after it."""
    if key == "year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    months = 3 if key == "quarter" else 1
    first_month = (today.month - 1) // months * months + 1
    start = date(today.year, first_month, 1)
    following = first_month + months
    end = date(today.year + (following > 12), (following - 1) % 12 + 1, 1)
    return start, end


@dataclass
class Tally:
    label: str
    count: int = 0
    within: int = 0
    late: int = 0
    running: int = 0

    def add(self, outcome: str) -> None:
        self.count += 1
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def share(self) -> int | None:
        """Percent in time of those decided (in time or late); None when none are."""
        decided = self.within + self.late
        return round(100 * self.within / decided) if decided else None


@dataclass
class Compliance:
    period: str
    start: date
    last_day: date
    total: Tally
    categories: list[Tally] = field(default_factory=list)
    workers: list[Tally] = field(default_factory=list)
    levels: list[Tally] = field(default_factory=list)


def outcome(deadline: datetime, resolved_at: datetime | None, now: datetime) -> str:
    """In time, late, or still running against one deadline."""
    if resolved_at is not None:
        return "within" if resolved_at <= deadline else "late"
    return "late" if now > deadline else "running"


def level_outcomes(
    request: ServiceRequest, levels: list[EscalationLevel], now: datetime
) -> list[tuple[int, str]]:
    """Each level the request reached, and how that level did: a level whose time ran
    out hands the request to the next, which it then reached too."""
    resolved_at = request.resolved_at if request.status in STOPPED else None
    reached = []
    for level, ends in sla.deadlines(request.due_at, levels, request.callback_level or 1):
        result = outcome(ends, resolved_at, now)
        reached.append((level, result))
        if result != "late":
            break
    return reached


async def compliance(session: AsyncSession, identity: Identity, period: str) -> Compliance:
    """Compliance of the requests this user sees, logged in the period (this month by
    default)."""
    period = period if period in PERIODS else "month"
    start, end = period_range(period, clock.today())
    return await compliance_between(session, period, start, end, visible(identity))


async def compliance_between(
    session: AsyncSession, period: str, start: date, end: date, *where: ColumnElement[bool]
) -> Compliance:
    """Compliance of the requests (`where`) logged from `start` up to, not including,
    `end` (the weekly summary's last week; the page's month, quarter or year)."""
    now = clock.now()
    found = Compliance(period, start, end - timedelta(days=1), Tally(""))
    levels = await chain(session)
    query = rows_query(
        *where,
        and_(
            ServiceRequest.created_at >= datetime.combine(start, time(), CHINA_TIME),
            ServiceRequest.created_at < datetime.combine(end, time(), CHINA_TIME),
        ),
    )
    rows = list(await session.execute(query))
    late_before = set(
        await session.scalars(
            select(RequestEvent.request_id).where(
                RequestEvent.kind == "late",
                RequestEvent.request_id.in_([row[0].id for row in rows]),
            )
        )
    )
    categories: dict[str, Tally] = {}
    workers: dict[str, Tally] = {}
    names = {level.level: level.name for level in levels}
    by_level = {level.level: Tally(level_label(level.level, names)) for level in levels}
    for request, _person, _phone, category, assignee in rows:
        resolved_at = request.resolved_at if request.status in STOPPED else None
        result = outcome(request.due_at, resolved_at, now)
        if request.id in late_before:  # an earlier round, before a reopen, was late
            result = "late"
        found.total.add(result)
        categories.setdefault(category, Tally(category)).add(result)
        workers.setdefault(assignee or "", Tally(assignee or "")).add(result)
        for level, level_result in level_outcomes(request, levels, now):
            by_level.setdefault(level, Tally(level_label(level, names))).add(level_result)
    found.categories = sorted(categories.values(), key=lambda tally: tally.label)
    found.workers = sorted(workers.values(), key=lambda tally: (not tally.label, tally.label))
    found.levels = [by_level[level] for level in sorted(by_level)]
    return found


@dataclass(frozen=True)
class MonthCompliance:
    """The requests logged in one month (China time) and how each did against its SLA,
    counted as `compliance` counts them."""

    month: date
    """Its first day."""
    count: int
    within: int
    late: int

    @property
    def running(self) -> int:
        return self.count - self.within - self.late

    @property
    def share(self) -> int | None:
        decided = self.within + self.late
        return round(100 * self.within / decided) if decided else None


async def compliance_by_month(
    session: AsyncSession, identity: Identity, months: int = 12
) -> list[MonthCompliance]:
    """The last `months` months up to this one, oldest first, in one statement grouped
    by month: the same outcomes as `compliance` (a request once late stays late after
    a reopen), decided in SQL rather than request by request."""
    now = clock.now()
    firsts = last_months(clock.today(), months)
    was_late = exists().where(
        RequestEvent.tenant_id == ServiceRequest.tenant_id,
        RequestEvent.request_id == ServiceRequest.id,
        RequestEvent.kind == "late",
    )
    stopped = and_(ServiceRequest.status.in_(STOPPED), ServiceRequest.resolved_at.is_not(None))
    within = and_(~was_late, stopped, ServiceRequest.resolved_at <= ServiceRequest.due_at)
    late = or_(
        was_late,
        and_(stopped, ServiceRequest.resolved_at > ServiceRequest.due_at),
        and_(~stopped, ServiceRequest.due_at < now),
    )
    month = cast(
        func.date_trunc("month", func.timezone(str(CHINA_TIME), ServiceRequest.created_at)), Date
    )
    rows = await session.execute(
        select(month, func.count(), func.count().filter(within), func.count().filter(late))
        .select_from(ServiceRequest)
        .join(
            Person,
            and_(
                Person.tenant_id == ServiceRequest.tenant_id, Person.id == ServiceRequest.person_id
            ),
        )
        .where(
            visible(identity),
            ServiceRequest.created_at >= datetime.combine(firsts[0], time(), CHINA_TIME),
        )
        .group_by(month)
    )
    found = {
        first: MonthCompliance(first, count, inside, over) for first, count, inside, over in rows
    }
    return [found.get(first, MonthCompliance(first, 0, 0, 0)) for first in firsts]
