"""The worker's calendar: five weeks from this week's Monday, day by day, with the
monthly meeting day (见面日), the holidays the district visits for, and the must-visit
items falling due on each day for the people of the user's grids — the overdue ones
first, so nothing slips behind the page's first screen.

An item falls on its last day: the day before its deadline when the deadline is
midnight (birthdays, holidays), the deadline's own day otherwise (a concern due 48
hours after it was noted). Only unanswered items are shown; those more than
MISSED_AFTER_DAYS past their deadline are missed, as on the due list.

Items are written a week ahead (app.grid.due), which is what the due list reads; the
weeks beyond are computed here from the same rules by the same engine
(occasions.calendar_occasions) for the grids' living people. Writing five weeks ahead
instead would make the due list walk four more weeks of rows per person on every
request and rewrite them at every correction, for what only this page shows; and
what is computed cannot have been answered yet, since its window opens after today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.grid.due import CALENDAR_TRIGGERS, MISSED_AFTER_DAYS, calendar_rule
from app.grid.models import (
    Grid,
    GridAssignment,
    ServiceSettings,
    Trigger,
    VisitDueItem,
    VisitRule,
)
from app.grid.occasions import (
    HOLIDAYS,
    PERSON_TRIGGERS,
    Occasion,
    calendar_occasions,
    end_of_day,
    first_monday,
    holiday_on,
    holiday_windows,
    meeting_days,
)
from app.grid.scope import grid_for, visible_grids
from app.people.models import Person

WEEKS = 5
DEFAULT_MEETING_DAY = 10


@dataclass(frozen=True)
class DueEntry:
    """A visit due on the calendar: a written item, or one the rules will ask for."""

    person_id: UUID
    person_name: str
    phone: str | None
    rule_id: UUID
    rule_name: str
    occasion: str
    opens_on: date
    due_at: datetime
    sort_key: str
    rule_position: int

    @property
    def order(self) -> tuple[datetime, str, int]:
        """By deadline, then the person's name in pinyin, then the rules' order."""
        return self.due_at, self.sort_key, self.rule_position

    @property
    def last_day(self) -> date:
        """The last day to visit, China time (a deadline at midnight ends the day before)."""
        return (self.due_at - timedelta(microseconds=1)).astimezone(clock.CHINA_TIME).date()


@dataclass
class CalendarDay:
    day: date
    today: date
    meeting: bool = False
    holidays: list[str] = field(default_factory=list)
    """Message ids of the holidays on this day."""
    due: list[DueEntry] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    @property
    def past(self) -> bool:
        return self.day < self.today

    @property
    def empty(self) -> bool:
        return not (self.meeting or self.holidays or self.due)


@dataclass(frozen=True)
class QuietDays:
    """A run of days with nothing on them, shown as one line."""

    first: date
    last: date


@dataclass(frozen=True)
class WorkerCalendar:
    today: date
    start: date
    end: date
    days: list[CalendarDay]
    overdue: list[DueEntry]
    meeting_day: int
    grids: list[Grid]
    """The grids whose items are shown (none: the user picks one)."""
    choices: list[Grid]
    """Grids the user may view instead (admins, secretaries, workers of several)."""
    chosen: Grid | None = None

    @property
    def weeks(self) -> list[list[CalendarDay]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]

    @property
    def agenda(self) -> list[CalendarDay | QuietDays]:
        """The days as a phone lists them: empty days folded into runs."""
        rows: list[CalendarDay | QuietDays] = []
        for day in self.days:
            if not day.empty or day.is_today:
                rows.append(day)
                continue
            last = rows[-1] if rows else None
            if isinstance(last, QuietDays) and last.last == day.day - timedelta(days=1):
                rows[-1] = QuietDays(last.first, day.day)
            else:
                rows.append(QuietDays(day.day, day.day))
        return rows


async def due_entries(
    session: AsyncSession, grid_ids: list[UUID], since: datetime, until: datetime
) -> list[DueEntry]:
    """Unanswered items of the grids' living people with a deadline in (since, until]."""
    rows = await session.execute(
        select(
            Person.id,
            Person.name,
            Person.phone,
            VisitRule.id,
            VisitRule.name,
            VisitDueItem.occasion,
            VisitDueItem.opens_on,
            VisitDueItem.due_at,
            Person.sort_key,
            VisitRule.position,
        )
        .select_from(GridAssignment)
        .join(
            Person,
            and_(
                Person.tenant_id == GridAssignment.tenant_id, Person.id == GridAssignment.person_id
            ),
        )
        .join(
            VisitDueItem,
            and_(
                VisitDueItem.tenant_id == GridAssignment.tenant_id,
                VisitDueItem.person_id == GridAssignment.person_id,
            ),
        )
        .join(
            VisitRule,
            and_(
                VisitRule.tenant_id == VisitDueItem.tenant_id, VisitRule.id == VisitDueItem.rule_id
            ),
        )
        .where(
            GridAssignment.grid_id.in_(grid_ids),
            GridAssignment.ends_at.is_(None),
            Person.deceased_on.is_(None),
            VisitDueItem.visit_id.is_(None),
            VisitRule.enabled,
            VisitDueItem.due_at > since,
            VisitDueItem.due_at <= until,
        )
        .order_by(VisitDueItem.due_at, Person.sort_key, VisitRule.position)
    )
    return [DueEntry(*tuple(row)) for row in rows]


async def coming_entries(
    session: AsyncSession, grid_ids: list[UUID], today: date, end: date
) -> list[DueEntry]:
    """The people's own occasions (birthdays, political birthdays, golden and diamond
    weddings) and holidays the district's rules will ask of the grids' living people,
    whose window opens after today and closes by `end`: those not written yet are
    computed as `due.refresh` will write them (the caller drops the written ones)."""
    rules = list(
        await session.scalars(
            select(VisitRule)
            .where(VisitRule.enabled, VisitRule.trigger.in_(CALENDAR_TRIGGERS))
            .order_by(VisitRule.position)
        )
    )
    if not rules:
        return []
    people = await session.execute(
        select(
            Person.id, Person.name, Person.phone, Person.birth_date, Person.party_member,
            Person.sort_key, Person.party_joined_on, Person.party_joined_day_known,
            Person.married_on,
        )
        .join(
            GridAssignment,
            and_(
                GridAssignment.tenant_id == Person.tenant_id, GridAssignment.person_id == Person.id
            ),
        )
        .where(
            GridAssignment.grid_id.in_(grid_ids),
            GridAssignment.ends_at.is_(None),
            Person.deceased_on.is_(None),
        )
    )  # fmt: skip
    # A holiday's window is the same for everyone: computed once per rule.
    holidays = {
        rule.id: holiday_windows(calendar_rule(rule), today, end)
        for rule in rules
        if rule.trigger == Trigger.HOLIDAY
    }

    def occasions(rule: VisitRule, person: Any) -> list[Occasion]:
        if rule.trigger in PERSON_TRIGGERS:
            return calendar_occasions(
                calendar_rule(rule), born=person.birth_date, party_member=person.party_member,
                start=today, end=end, joined=person.party_joined_on,
                joined_day_known=person.party_joined_day_known, married=person.married_on,
            )  # fmt: skip
        return holidays[rule.id] if person.party_member or not rule.party_only else []

    found = []
    for person in people:
        person_id, name, phone, _born, _member, sort_key, *_dates = person
        for rule in rules:
            for occasion in occasions(rule, person):
                if occasion.opens_on <= today or occasion.last_day > end:
                    continue
                entry = DueEntry(
                    person_id, name, phone, rule.id, rule.name, occasion.key, occasion.opens_on,
                    occasion.due_at, sort_key, rule.position,
                )  # fmt: skip
                found.append(entry)
    return found


async def holidays_between(session: AsyncSession, start: date, end: date) -> dict[date, list[str]]:
    """The days of the holidays the district's enabled rules visit for."""
    codes = set(
        await session.scalars(
            select(VisitRule.holiday).where(VisitRule.enabled, VisitRule.trigger == Trigger.HOLIDAY)
        )
    )
    found: dict[date, list[str]] = {}
    for code in sorted(c for c in codes if c in HOLIDAYS):
        for year in range(start.year, end.year + 1):
            day = holiday_on(code, year)
            if start <= day <= end:
                found.setdefault(day, []).append(HOLIDAYS[code].label)
    return found


class CalendarService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def calendar(self, identity: Identity, grid_id: UUID | None = None) -> WorkerCalendar:
        """The user's own grids (a grid worker's), or the one grid asked for, which
        must be one they see (NotFound otherwise, as for another district's grid)."""
        session = self.session
        today, now = clock.today(), clock.now()
        start = first_monday(today)
        end = start + timedelta(days=7 * WEEKS - 1)
        choices = await visible_grids(session, identity.scope)
        chosen = None
        if grid_id is not None:
            chosen = await grid_for(session, identity.scope, grid_id)
            grids = [chosen]
        else:
            own = identity.scope.grids
            grids = [grid for grid in choices if grid.id in own]
        meeting_day = (
            await session.scalar(select(ServiceSettings.meeting_day)) or DEFAULT_MEETING_DAY
        )
        holidays = await holidays_between(session, start, end)
        entries: list[DueEntry] = []
        if grids:
            grid_ids = [grid.id for grid in grids]
            entries = await due_entries(
                session, grid_ids, now - timedelta(days=MISSED_AFTER_DAYS), end_of_day(end)
            )
            written = {(e.person_id, e.rule_id, e.occasion) for e in entries}
            entries += [
                entry
                for entry in await coming_entries(session, grid_ids, today, end)
                if (entry.person_id, entry.rule_id, entry.occasion) not in written
            ]
        meetings = set(meeting_days(meeting_day, start, end))
        days = [
            CalendarDay(day, today, meeting=day in meetings, holidays=holidays.get(day, []))
            for day in (start + timedelta(days=n) for n in range(7 * WEEKS))
        ]
        by_day = {day.day: day for day in days}
        overdue = []
        for entry in sorted(entries, key=lambda entry: entry.order):
            if entry.due_at <= now:
                overdue.append(entry)
            elif entry.last_day in by_day:
                by_day[entry.last_day].due.append(entry)
        return WorkerCalendar(
            today=today, start=start, end=end, days=days, overdue=overdue,
            meeting_day=meeting_day, grids=grids, choices=choices, chosen=chosen,
        )  # fmt: skip
