"""The one way onto the ledger (台账): claims, awards, automatic sources, corrections.

Every event passes the same checks — a party member in a branch, not exempt, a date
not in the future, an item of the version in force that day, the right quantity for
its unit, room left under its caps — so an automatic source (attendance, volunteer
hours) cannot score what a secretary could not. Nothing here updates or deletes: the
database refuses both, and a correction is a reversing event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Actor
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.models import Person
from app.points.models import (
    PointEvent,
    Publication,
    PublicationStatus,
    RuleItem,
    Source,
    Tally,
    Unit,
)
from app.points.numbers import points_text
from app.points.periods import half_of, quarter_of
from app.points.rules.versions import first_start, in_force
from app.points.tally import Caps, clamp, quarter_counts

MAX_HOURS = Decimal(24)
MAX_OCCURRENCES = Decimal(50)
HALF = Decimal("0.5")
ALREADY_CORRECTED = N_("This entry has already been corrected.")
CORRECTED_TWICE = {"point_events_tenant_id_reverses_id_key": ALREADY_CORRECTED}
"""For commit_or_refuse: a second correction of one event, refused by the unique key."""
BEFORE_RULES = N_(
    "The district's point rules start on %(date)s; nothing can be recorded before it."
)


def caps_of(item: RuleItem) -> Caps:
    return Caps(positive=item.points > 0, quarter=item.cap_quarter, year=item.cap_year)


def read_quantity(text: str, unit: str) -> Decimal:
    """The form's quantity for the item's unit: one event, whole occurrences, half hours."""
    if unit == Unit.EVENT:
        return Decimal(1)
    try:
        value = Decimal(text.strip() or "1")
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite():  # "NaN" and "Infinity" parse as decimals
        value = Decimal(0)
    check_quantity(value, unit)
    return value


def check_quantity(value: Decimal, unit: str) -> None:
    """One per event, whole occurrences up to 50, half hours up to 24 — for forms and
    automatic sources alike."""
    if unit == Unit.EVENT:
        if value != 1:
            raise Refused(N_("An item counted per event is recorded once per entry."))
    elif unit == Unit.HOUR:
        if not (HALF <= value <= MAX_HOURS) or value % HALF:
            raise Refused(N_("Give the hours as a number from 0.5 to 24, in half hours."))
    elif not (1 <= value <= MAX_OCCURRENCES) or value % 1:
        raise Refused(N_("Give how many times as a whole number from 1 to 50."))


def check_member(person: Person) -> None:
    """Points are kept for living party members in a branch who are not exempt."""
    if not person.party_member:
        raise Refused(N_("%(name)s is not a party member; points are kept for party members."),
                      name=person.name)  # fmt: skip
    if person.deceased_on:
        raise Refused(N_("%(name)s has passed away."), name=person.name)
    if person.infirm:
        raise Refused(
            N_("%(name)s is exempt from points (old or frail) and is not scored."),
            name=person.name,
        )
    if not person.branch_id:
        raise Refused(N_("%(name)s is not in a branch yet."), name=person.name)


async def check_item_on(session: AsyncSession, item: RuleItem, day: date) -> None:
    """The item must belong to the version in force on the day of the event."""
    today = clock.today()
    if day > today:
        raise Refused(N_("The date %(date)s is in the future."), date=day.isoformat())
    if day.year < today.year - 1:
        raise Refused(N_("Points can be recorded for this year and last year only."))
    version = await in_force(session, day)
    if version is None:  # before the district's first rules: there was nothing to score by
        first = await first_start(session)
        if first is None:
            raise Refused(N_("The district has no point rules yet."))
        raise Refused(BEFORE_RULES, date=first.isoformat())
    if version.id != item.rule_set_id:
        raise Refused(
            N_("This item belongs to rules that are not in force on %(date)s. "
               "Please choose an item of the rules in force."),
            date=day.isoformat(),
        )  # fmt: skip


async def item_in_force(session: AsyncSession, item: RuleItem, day: date) -> RuleItem:
    """The item of the same code in the rules in force on `day` (the item itself when its
    version is that one); refused when the code is gone from those rules."""
    version = await in_force(session, day)
    if version is None or version.id == item.rule_set_id:
        return item
    current = await session.scalar(
        select(RuleItem).where(RuleItem.rule_set_id == version.id, RuleItem.code == item.code)
    )
    if current is None:
        raise Refused(
            N_("The item %(name)s is not in the rules in force on %(date)s."),
            name=item.name, date=day.isoformat(),
        )  # fmt: skip
    return current


async def check_room(session: AsyncSession, person: Person, item: RuleItem, day: date) -> None:
    """Refuse an event that could count for nothing: its cap is already reached."""
    caps = caps_of(item)
    if caps.quarter is None and caps.year is None:
        return
    sums = await quarter_sums(session, [person.id], item.code, day.year)
    full = cap_reached(sums.get(person.id, {}), item, day, person.name)
    if full is not None:
        raise full


async def quarter_sums(
    session: AsyncSession, person_ids: Sequence[UUID], code: str, year: int
) -> dict[UUID, dict[date, Decimal]]:
    """Each person's raw points of the item `code` per quarter of `year` (caps are kept
    per code, across versions)."""
    rows = await session.execute(
        select(Tally.person_id, Tally.quarter_start, func.sum(Tally.points))
        .join(
            RuleItem, (RuleItem.tenant_id == Tally.tenant_id) & (RuleItem.id == Tally.rule_item_id)
        )
        .where(
            Tally.person_id.in_(person_ids),
            RuleItem.code == code,
            Tally.quarter_start >= date(year, 1, 1),
            Tally.quarter_start <= date(year, 12, 31),
        )
        .group_by(Tally.person_id, Tally.quarter_start)
    )
    sums: dict[UUID, dict[date, Decimal]] = {}
    for person_id, start, points in rows:
        sums.setdefault(person_id, {})[start] = points
    return sums


def cap_reached(
    sums: Mapping[date, Decimal], item: RuleItem, day: date, name: str
) -> Refused | None:
    """Why an event of `item` on `day` would count for nothing, given the person's raw
    points of its code per quarter of that year — or None while there is room."""
    caps = caps_of(item)
    this = quarter_of(day)
    raw = sums.get(this.start, Decimal(0))
    if caps.quarter is not None and clamp(raw, caps.quarter, caps.positive) == (
        caps.quarter if caps.positive else -caps.quarter
    ):
        return Refused(
            N_("%(name)s has already reached this item's cap of %(cap)s for the quarter."),
            name=name, cap=points_text(caps.quarter),
        )  # fmt: skip
    if caps.year is not None:
        quarters = [sums.get(q.start, Decimal(0)) for q in this.quarters_of_year()]
        used = sum(quarter_counts(quarters, caps), Decimal(0))
        if abs(used) >= caps.year:
            return Refused(
                N_("%(name)s has already reached this item's cap of %(cap)s for the year."),
                name=name, cap=points_text(caps.year),
            )  # fmt: skip
    return None


@dataclass(frozen=True)
class Entry:
    """An event to write, before its checks."""

    person: Person
    item: RuleItem
    occurred_on: date
    quantity: Decimal
    source: Source
    note: str | None = None
    claim_id: UUID | None = None
    source_ref: str | None = None
    id: UUID = field(default_factory=uuid4)
    """The event's id: a form's own id for an award, so a retry finds it."""

    def content(self) -> tuple[object, ...]:
        """What was entered: member, item, day, quantity, note."""
        return (self.person.id, self.item.id, self.occurred_on, self.quantity, self.note)


async def check(session: AsyncSession, entry: Entry) -> None:
    check_member(entry.person)
    check_quantity(entry.quantity, entry.item.unit)
    await check_item_on(session, entry.item, entry.occurred_on)
    await check_not_published(session, entry.person.branch_id, entry.occurred_on)
    await check_room(session, entry.person, entry.item, entry.occurred_on)


async def check_not_published(session: AsyncSession, branch_id: UUID | None, day: date) -> None:
    """A published ranking is final: its half-year takes no new entries or corrections
    for that branch (while it is open for objections, corrections are how they are
    answered)."""
    published = await session.scalar(
        select(Publication.period_start).where(
            Publication.branch_id == branch_id,
            Publication.status == PublicationStatus.PUBLISHED,
            Publication.period_start <= day,
            Publication.period_end >= day,
        )
    )
    if published is not None:
        raise Refused(
            N_("The branch's ranking for %(period)s is published; entries dated in it can "
               "no longer be added or corrected."),
            period=half_of(day).label,
        )  # fmt: skip


async def write(session: AsyncSession, entry: Entry, actor: Actor) -> PointEvent:
    """Check and add the event in the caller's transaction (the tally follows by trigger)."""
    await check(session, entry)
    event = PointEvent(
        id=entry.id, tenant_id=require_tenant(), person_id=entry.person.id,
        branch_id=entry.person.branch_id,
        rule_item_id=entry.item.id, occurred_on=entry.occurred_on, quantity=entry.quantity,
        points=entry.item.points * entry.quantity, source=entry.source, claim_id=entry.claim_id,
        source_ref=entry.source_ref, note=entry.note, recorded_by=actor.id,
        recorded_by_name=actor.name,
    )  # fmt: skip
    session.add(event)
    await session.flush()
    return event


async def reverse(
    session: AsyncSession, original: PointEvent, reason: str, actor: Actor
) -> PointEvent:
    """A correction: the opposite of `original`, on its date, naming it and why.

    The unique key on `reverses_id` refuses a second reversal of the same event, so
    two secretaries correcting at once produce one correction; the second is told so.
    """
    if original.source == Source.REVERSAL:
        raise Refused(N_("A correction cannot itself be corrected; record a new entry instead."))
    if await session.scalar(select(PointEvent.id).where(PointEvent.reverses_id == original.id)):
        raise Refused(ALREADY_CORRECTED)
    if not reason:
        raise Refused(N_("Please give the reason for the correction."))
    await check_not_published(session, original.branch_id, original.occurred_on)
    event = PointEvent(
        tenant_id=require_tenant(), person_id=original.person_id, branch_id=original.branch_id,
        rule_item_id=original.rule_item_id, occurred_on=original.occurred_on,
        quantity=-original.quantity, points=-original.points, source=Source.REVERSAL,
        reverses_id=original.id, note=reason, recorded_by=actor.id, recorded_by_name=actor.name,
    )  # fmt: skip
    session.add(event)
    try:
        await session.flush()
    except IntegrityError as exc:  # another correction of the same event just won
        await session.rollback()  # the transaction is spoilt: nothing of it is kept
        raise Refused(ALREADY_CORRECTED) from exc
    name = await session.scalar(select(Person.name).where(Person.id == original.person_id))
    await record(
        session, actor, "points.reversed", subject_type="person",
        subject_id=original.person_id, subject_name=name,
        changes={"event": str(original.id), "reason": reason, "points": str(-original.points)},
    )  # fmt: skip
    return event
