"""Due items: the visits the must-visit rules ask for, written down so the due list is
one indexed read and a visit can say which items it answered.

Over 400 lines: writing, rewriting and answering items share their SQL and their
rules; split, each half would have to know the other's (the calendar arithmetic
itself is in occasions.py).

- Birthdays, political birthdays, golden and diamond weddings and holidays are
  written ahead by `refresh()` for every living person whose window opens within the
  next week: by a daily job for the new day, and at once
  for the people concerned when someone is added, imported or corrected
  (`people_changed()`), assigned to a grid, or a rule changes (`rule_changed()`).
  Writing is idempotent: one row per person, rule and occasion. The calendar shows the
  weeks beyond from the same rules (app.grid.coverage.calendar).
- A concern (in hospital, hardship …) writes its item when it is noted.
- `resolve()` gives each open item the first visit of the kind its rule wants, made on
  or after the window opened (in person when the rule says so, a phone call then does
  not count). A visit up to MISSED_AFTER_DAYS late still answers it, as late.
- An item no visit answered within MISSED_AFTER_DAYS of its deadline leaves the list:
  it stays in the table as missed, for the coverage and compliance figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TableValuedAlias

from app.core import clock
from app.db.tenant import require_tenant
from app.grid.events import due_items_answered
from app.grid.models import (
    SATISFIED_BY,
    Concern,
    GridAssignment,
    Trigger,
    VisitDueItem,
    VisitRule,
)
from app.grid.occasions import (
    PERSON_TRIGGERS,
    WEDDING_ANNIVERSARIES,
    CalendarRule,
    Occasion,
    calendar_occasions,
    concern_due_at,
    end_of_day,
    holiday_windows,
)
from app.people.events import on_people_changed
from app.people.models import Person

HORIZON_DAYS = 7
"""The list shows what opens within the next week, so a worker can plan."""
MISSED_AFTER_DAYS = 30
CALENDAR_TRIGGERS = (
    Trigger.BIRTHDAY, Trigger.HOLIDAY, Trigger.POLITICAL_BIRTHDAY, Trigger.WEDDING
)  # fmt: skip
"""Rules run by the calendar (the others by a noted concern or a meeting)."""


def on_the_list(now: datetime) -> ColumnElement[bool]:
    """An item the due list still shows: unanswered, and not missed yet (an item
    nobody answered leaves the list MISSED_AFTER_DAYS after its deadline)."""
    return and_(
        VisitDueItem.visit_id.is_(None),
        VisitDueItem.due_at > now - timedelta(days=MISSED_AFTER_DAYS),
    )


def overdue(now: datetime) -> ColumnElement[bool]:
    """Past its deadline (with `on_the_list`: the list's overdue section)."""
    return VisitDueItem.due_at <= now


def due_today(now: datetime) -> ColumnElement[bool]:
    """Not overdue yet, and today (China time) is its last day."""
    tomorrow = datetime.combine(
        now.astimezone(clock.CHINA_TIME).date() + timedelta(days=1), time(), clock.CHINA_TIME
    )
    return and_(VisitDueItem.due_at > now, VisitDueItem.due_at <= tomorrow)


def listed_items(now: datetime, *columns: Any) -> Select[Any]:
    """The due list's lines as a query to build on: each item on the list (of an enabled
    rule) of a living person now assigned to a grid. The caller picks the columns and
    adds its grids — the due list the grids chosen, the morning digest each worker's."""
    return (
        select(*columns)
        .select_from(GridAssignment)
        .join(Person, and_(Person.tenant_id == GridAssignment.tenant_id,
                           Person.id == GridAssignment.person_id))
        .join(VisitDueItem, and_(VisitDueItem.tenant_id == GridAssignment.tenant_id,
                                 VisitDueItem.person_id == GridAssignment.person_id))
        .join(VisitRule, and_(VisitRule.tenant_id == VisitDueItem.tenant_id,
                              VisitRule.id == VisitDueItem.rule_id))
        .where(GridAssignment.ends_at.is_(None), Person.deceased_on.is_(None),
               VisitRule.enabled, on_the_list(now))
    )  # fmt: skip


def id_table(ids: Sequence[UUID]) -> TableValuedAlias:
    """Ids sent as one array and unnested into a table to join, which PostgreSQL joins
    by hash: an import's 40,000 ids would pass the driver's limit of 32,767 parameters
    as an IN list, and `= any(array)` or `in (select unnest(…))` under row-level
    security compare every row with every id (seconds, not milliseconds)."""
    ids_array = bindparam(None, list(ids), type_=ARRAY(PgUUID(as_uuid=True)))
    return func.unnest(ids_array).table_valued("id").render_derived()


def birthdays_near(start: date, end: date) -> list[str]:
    """The birth days ('MM-DD') whose birthday week can meet [start, end]: at most six
    days before start or after end; 29 February with the 28th, its day in common years.
    Only those people's weeks are computed (a few in a hundred), not the whole roster's."""
    span = (end - start).days + 13
    days = {(start - timedelta(days=6 - n)).strftime("%m-%d") for n in range(span)}
    return sorted(days | {"02-29"} if "02-28" in days else days)


def occasions_near(triggers: set[str], start: date, end: date) -> ColumnElement[bool]:
    """The people whose own occasion (birthday, political birthday, golden or diamond
    wedding) can meet [start, end], by the days `birthdays_near` gives: one statement
    reads them all. A joining day not known falls in the month's first week (see
    app.grid.occasions), so the month alone says it; a wedding only in its 50th and
    60th years."""
    near = birthdays_near(start, end)
    found: list[ColumnElement[bool]] = []
    if Trigger.BIRTHDAY in triggers:
        found.append(func.to_char(Person.birth_date, "MM-DD").in_(near))
    if Trigger.POLITICAL_BIRTHDAY in triggers:
        months = sorted({day[:2] for day in near})
        found.append(Person.party_member & or_(
            Person.party_joined_day_known & func.to_char(Person.party_joined_on, "MM-DD").in_(near),
            ~Person.party_joined_day_known & func.to_char(Person.party_joined_on, "MM").in_(months),
        ))  # fmt: skip
    if Trigger.WEDDING in triggers:
        years = [year - n for year in range(start.year - 1, end.year + 2)
                 for n in WEDDING_ANNIVERSARIES]  # fmt: skip
        found.append(func.to_char(Person.married_on, "MM-DD").in_(near)
                     & extract("year", Person.married_on).in_(years))  # fmt: skip
    return or_(*found)


# A person's own items arrive as one array per column: one statement for any number.
INSERT_BIRTHDAYS = """
    insert into visit_due_items (tenant_id, person_id, rule_id, occasion, opens_on, due_at)
    select :tenant, * from unnest(cast(:people as uuid[]), cast(:rules as uuid[]),
                                  cast(:occasions as text[]), cast(:opens as date[]),
                                  cast(:due as timestamptz[]))
    on conflict do nothing
"""


def calendar_rule(rule: VisitRule) -> CalendarRule:
    return CalendarRule(
        id=rule.id, trigger=rule.trigger, holiday=rule.holiday, days_before=rule.days_before,
        days_after=rule.days_after, party_only=rule.party_only,
    )  # fmt: skip


async def refresh(
    session: AsyncSession,
    today: date,
    *,
    person_ids: Sequence[UUID] | None = None,
    rule_ids: Sequence[UUID] | None = None,
) -> int:
    """Write the calendar items (people's own occasions, holidays) whose window meets
    [yesterday, today + a week] (yesterday: a day the job missed is caught up), then
    resolve them against visits already made. Returns how many items were new."""
    tenant_id = require_tenant()
    start, end = today - timedelta(days=1), today + timedelta(days=HORIZON_DAYS)
    query = select(VisitRule).where(VisitRule.enabled, VisitRule.trigger.in_(CALENDAR_TRIGGERS))
    if rule_ids is not None:
        query = query.where(VisitRule.id.in_(rule_ids))
    rules = list(await session.scalars(query))
    living = select(
        Person.id, Person.birth_date, Person.party_member, Person.party_joined_on,
        Person.party_joined_day_known, Person.married_on,
    ).where(Person.deceased_on.is_(None))  # fmt: skip
    if person_ids is not None:
        chosen = id_table(person_ids)
        living = living.join(chosen, chosen.c.id == Person.id)
    written = 0
    for rule in (r for r in rules if r.trigger == Trigger.HOLIDAY):
        for occasion in holiday_windows(calendar_rule(rule), start, end):
            people = living.where(Person.party_member) if rule.party_only else living
            subset = people.with_only_columns(
                Person.tenant_id, Person.id, literal(rule.id), literal(occasion.key),
                literal(occasion.opens_on), literal(occasion.due_at),
            )  # fmt: skip
            result = await session.execute(
                insert(VisitDueItem)
                .from_select(
                    ["tenant_id", "person_id", "rule_id", "occasion", "opens_on", "due_at"],
                    subset,
                    # The id's Python default would be one value for every row (and ON
                    # CONFLICT would keep one person); the table's gen_random_uuid()
                    # gives each row its own.
                    include_defaults=False,
                )
                .on_conflict_do_nothing()
            )
            written += max(result.rowcount, 0)  # type: ignore[attr-defined]
    own_rules = [calendar_rule(r) for r in rules if r.trigger in PERSON_TRIGGERS]
    found: list[tuple[UUID, CalendarRule, Occasion]] = []
    near: Any = []
    if own_rules:
        where = occasions_near({r.trigger for r in own_rules}, start, end)
        near = await session.execute(living.where(where))
    for person_id, born, party_member, joined, day_known, married in near:
        for own in own_rules:
            found += [
                (person_id, own, occasion)
                for occasion in calendar_occasions(
                    own,
                    born=born,
                    party_member=party_member,
                    start=start,
                    end=end,
                    joined=joined,
                    joined_day_known=day_known,
                    married=married,
                )
            ]
    if found:
        result = await session.execute(
            text(INSERT_BIRTHDAYS),
            {
                "tenant": tenant_id, "people": [p for p, _r, _o in found],
                "rules": [r.id for _p, r, _o in found], "occasions": [o.key for *_, o in found],
                "opens": [o.opens_on for *_, o in found], "due": [o.due_at for *_, o in found],
            },
        )  # fmt: skip
        written += max(result.rowcount, 0)  # type: ignore[attr-defined]
    await resolve(session, person_ids)
    return written


@on_people_changed
async def people_changed(session: AsyncSession, person_ids: Sequence[UUID]) -> int:
    """After people are added, imported, or their birth date, party membership or joining
    day, wedding day or death changed: their calendar items written now, as the nightly
    job would, in the caller's transaction — a new district's due list is whole on its
    first day. Their unanswered items still to come are written again rather than kept
    (a corrected birth date moves the birthday, a corrected wedding day the golden
    wedding; 七一 is for party members only). Set-based: as many statements for a
    40,000-person import as for one person. Returns how many were new."""
    if not person_ids:
        return 0
    chosen = id_table(person_ids)
    await session.execute(
        delete(VisitDueItem).where(
            VisitDueItem.person_id == chosen.c.id,
            VisitDueItem.visit_id.is_(None),
            VisitDueItem.due_at > clock.now(),
            VisitDueItem.rule_id.in_(
                select(VisitRule.id).where(VisitRule.trigger.in_(CALENDAR_TRIGGERS))
            ),
        )
    )
    return await refresh(session, clock.today(), person_ids=person_ids)


@dataclass(frozen=True)
class NotYetOpen:
    """A due item whose window opens after the visit: the visit does not answer it
    (the district set when its visits count), so the worker is told, not left to guess."""

    rule_name: str
    opens_on: date
    opened: bool = False
    """Opened since the visit, by today (a visit logged late): the worker has to go again."""


async def not_yet_open(
    session: AsyncSession, person_id: UUID, on: date, kind: str | None = None
) -> list[NotYetOpen]:
    """The person's unanswered items whose window opens after `on` (those written:
    opening within the week), of the rules `kind` would answer; for a visit logged late,
    also those that have opened since."""
    query = (
        select(VisitRule.name, VisitDueItem.opens_on, VisitRule.trigger)
        .join(
            VisitDueItem,
            (VisitDueItem.tenant_id == VisitRule.tenant_id)
            & (VisitDueItem.rule_id == VisitRule.id),
        )
        .where(
            VisitDueItem.person_id == person_id,
            VisitDueItem.visit_id.is_(None),
            VisitDueItem.opens_on > on,
            VisitRule.enabled,
        )
        .order_by(VisitDueItem.opens_on, VisitRule.position)
    )
    today = clock.today()
    return [
        NotYetOpen(name, opens_on, opened=opens_on <= today)
        for name, opens_on, trigger in await session.execute(query)
        if kind is None or SATISFIED_BY[Trigger(trigger)] == kind
    ]


async def add_concern_item(session: AsyncSession, concern: Concern) -> VisitDueItem | None:
    """The item a newly noted concern asks for, if its rule is on; resolved at once
    by a visit already made that day for it."""
    rule = await session.scalar(
        select(VisitRule).where(VisitRule.trigger == concern.kind, VisitRule.enabled)
    )
    if rule is None or rule.due_hours is None:
        return None
    item = VisitDueItem(
        tenant_id=concern.tenant_id, person_id=concern.person_id, rule_id=rule.id,
        occasion=f"concern:{concern.id}",
        opens_on=concern.noted_at.astimezone(clock.CHINA_TIME).date(),
        due_at=concern_due_at(concern.noted_at, rule.due_hours), concern_id=concern.id,
    )  # fmt: skip
    session.add(item)
    await session.flush()
    return item


async def rule_changed(session: AsyncSession, rule_id: UUID, today: date) -> None:
    """After an admin edits a rule: drop its unanswered items still running and write
    them again by the rule as it now stands (none if it was switched off). Items
    already overdue stay: they were missed under the rule of their time."""
    rule = await session.get(VisitRule, {"tenant_id": require_tenant(), "id": rule_id})
    # 送学上门 items come from meetings: kept and re-dated below while the rule is on.
    if rule is None or rule.trigger != Trigger.HOME_STUDY or not rule.enabled:
        await session.execute(
            delete(VisitDueItem).where(
                VisitDueItem.rule_id == rule_id,
                VisitDueItem.visit_id.is_(None),
                VisitDueItem.due_at > clock.now(),
            )
        )
    if rule is None or not rule.enabled:
        return
    if rule.trigger == Trigger.HOME_STUDY:
        await home_study_rule_changed(session, rule)
        return
    if rule.trigger in CALENDAR_TRIGGERS:
        await refresh(session, today, rule_ids=[rule_id])
        return
    without_item = await session.scalars(
        select(Concern).where(
            Concern.kind == rule.trigger,
            Concern.closed_at.is_(None),
            ~exists().where(VisitDueItem.concern_id == Concern.id),
        )
    )
    for concern in without_item:
        await add_concern_item(session, concern)
    await resolve(session, None)


def home_study_due_at(held_on: date, due_hours: int) -> datetime:
    """A 送学上门 item is due `due_hours` after the end of the meeting's day."""
    return end_of_day(held_on) + timedelta(hours=due_hours)


async def home_study_rule_changed(session: AsyncSession, rule: VisitRule) -> None:
    """The 送学上门 items are written by meetings, not by a calendar: a changed deadline
    re-dates those still open and running rather than dropping them."""
    hours = rule.due_hours or 0
    await session.execute(
        update(VisitDueItem)
        .where(
            VisitDueItem.rule_id == rule.id,
            VisitDueItem.visit_id.is_(None),
            VisitDueItem.due_at > clock.now(),
        )
        .values(
            due_at=func.timezone(clock.CHINA_TIME.key, cast(VisitDueItem.opens_on, DateTime))
            + timedelta(days=1, hours=hours)
        )
    )
    await resolve(session, None)


# The first visit of the wanted kind on or after the window opened, and at most
# MISSED_AFTER_DAYS past the deadline, answers an item.
RESOLVE = f"""
    update visit_due_items d
       set visit_id = m.visit_id, resolved_at = :now
      from (
        select distinct on (d2.id) d2.id as item_id, v.id as visit_id
          from visit_due_items d2
          join visit_rules r on r.tenant_id = d2.tenant_id and r.id = d2.rule_id
          join visits v on v.tenant_id = d2.tenant_id and v.person_id = d2.person_id
           and v.kind = (case r.trigger {" ".join(f"when '{t}' then '{k}'" for t, k in SATISFIED_BY.items())} end)
           and v.visited_on >= d2.opens_on
           and v.visited_on <= (d2.due_at at time zone 'Asia/Shanghai')::date + {MISSED_AFTER_DAYS}
           and (not r.in_person or v.place <> 'phone')
         where d2.visit_id is null and (cast(:people as uuid[]) is null or d2.person_id = any(:people))
         order by d2.id, v.visited_on, v.logged_at
      ) m
     where d.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
       and d.id = m.item_id
       and d.visit_id is null
    returning d.id
"""  # noqa: E501, S608


async def resolve(session: AsyncSession, person_ids: Sequence[UUID] | None) -> list[UUID]:
    """Answer the open items of these people (everyone: None) by visits already made."""
    people = list(person_ids) if person_ids is not None else None
    result = await session.execute(text(RESOLVE), {"now": clock.now(), "people": people})
    answered = list(result.scalars())
    await due_items_answered(session, answered)
    return answered
