"""Automatic sources onto the ledger: attendance, volunteer hours, thought reports.

A capability above points hands over what happened — who, on which day, how much, and
a reference naming its own row — and this finds the item of the rules in force that
day that the feed scores (`RuleItem.feeds`) and writes the events under the ledger's
rules, in a batch: a 330-member meeting is a handful of statements, not a thousand.

An automatic source never refuses what it records. A member who cannot be scored (not a
party member, exempt, deceased, no branch, the cap full, the half-year published, or
no item of the rules scores the feed) is left unscored, and the caller learns who and
why (`Scored.skipped`). Taking an event back (`withdraw`) is stricter: a published
half-year is final, so a correction there is refused whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Actor
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.models import Person
from app.points.feeds import Feed
from app.points.ledger import (
    ALREADY_CORRECTED,
    cap_reached,
    check_member,
    check_quantity,
    quarter_sums,
)
from app.points.models import (
    PointEvent,
    Publication,
    PublicationStatus,
    RuleItem,
    Source,
    Unit,
)
from app.points.periods import half_of
from app.points.rules.versions import in_force

NOT_SCORED = N_("No item of the point rules in force on %(date)s scores this.")
PUBLISHED = N_(
    "The branch's ranking for %(period)s is published; entries dated in it can no longer "
    "be added or corrected."
)
SCORED_ALREADY = N_("This has already been scored; please reload the page.")
TOO_OLD = N_("Points can be recorded for this year and last year only.")


@dataclass(frozen=True)
class Feeding:
    """One thing to score: `ref` names the caller's row and must be new for each write
    (the ledger keeps one event per reference, so a retry cannot score twice)."""

    person: Person
    occurred_on: date
    ref: str
    quantity: Decimal = Decimal(1)
    """Hours for an item counted per hour; anything else scores once."""
    note: str | None = None


@dataclass
class Scored:
    events: dict[str, PointEvent] = field(default_factory=dict)
    """The events written, by the feeding's `ref`."""
    skipped: dict[str, Refused] = field(default_factory=dict)
    """Why each feeding that wrote nothing did not (`.text()` says it in words)."""


async def item_for(session: AsyncSession, feed: Feed, day: date) -> RuleItem | None:
    """The item of the rules in force on `day` that `feed` scores, if any."""
    version = await in_force(session, day)
    if version is None:
        return None
    return await session.scalar(
        select(RuleItem).where(
            RuleItem.rule_set_id == version.id, RuleItem.feeds.contains([str(feed)])
        )
    )


async def score(
    session: AsyncSession, feed: Feed, feedings: Sequence[Feeding], actor: Actor
) -> Scored:
    """Write an automatic event for each feeding that can be scored, in the caller's
    transaction (the tally follows by trigger)."""
    scored = Scored()
    today = clock.today()
    by_day: dict[date, list[Feeding]] = {}
    for feeding in feedings:
        by_day.setdefault(feeding.occurred_on, []).append(feeding)
    published = await _published(session, {f.person.branch_id for f in feedings})
    tenant_id = require_tenant()
    for day, group in by_day.items():
        item = await item_for(session, feed, day) if day <= today else None
        if item is None or day.year < today.year - 1:
            reason = (
                Refused(TOO_OLD)
                if day.year < today.year - 1
                else Refused(NOT_SCORED, date=day.isoformat())
            )
            scored.skipped.update({f.ref: reason for f in group})
            continue
        sums = await quarter_sums(session, [f.person.id for f in group], item.code, day.year)
        for feeding in group:
            refusal = _refusal(feeding, item, sums.get(feeding.person.id, {}), published)
            if refusal is not None:
                scored.skipped[feeding.ref] = refusal
                continue
            quantity = feeding.quantity if item.unit == Unit.HOUR else Decimal(1)
            scored.events[feeding.ref] = PointEvent(
                tenant_id=tenant_id, person_id=feeding.person.id,
                branch_id=feeding.person.branch_id, rule_item_id=item.id, occurred_on=day,
                quantity=quantity, points=item.points * quantity, source=Source.AUTOMATIC,
                source_ref=feeding.ref, note=feeding.note, recorded_by=actor.id,
                recorded_by_name=actor.name,
            )  # fmt: skip
    session.add_all(scored.events.values())
    try:
        await session.flush()
    except IntegrityError as exc:  # a reference already scored: the caller wrote twice
        await session.rollback()
        raise Refused(SCORED_ALREADY) from exc
    return scored


def _refusal(
    feeding: Feeding,
    item: RuleItem,
    sums: dict[date, Decimal],
    published: dict[UUID, list[tuple[date, date]]],
) -> Refused | None:
    try:
        check_member(feeding.person)
        if item.unit == Unit.HOUR:
            check_quantity(feeding.quantity, item.unit)
    except Refused as refused:
        return refused
    day = feeding.occurred_on
    for start, end in published.get(feeding.person.branch_id, ()):  # type: ignore[arg-type]
        if start <= day <= end:
            return Refused(PUBLISHED, period=half_of(day).label)
    return cap_reached(sums, item, day, feeding.person.name)


async def _published(
    session: AsyncSession, branch_ids: set[UUID | None]
) -> dict[UUID, list[tuple[date, date]]]:
    """The published half-years of these branches (final: nothing new is dated in them)."""
    rows = await session.execute(
        select(Publication.branch_id, Publication.period_start, Publication.period_end).where(
            Publication.branch_id.in_([b for b in branch_ids if b is not None]),
            Publication.status == PublicationStatus.PUBLISHED,
        )
    )
    found: dict[UUID, list[tuple[date, date]]] = {}
    for branch_id, start, end in rows:
        found.setdefault(branch_id, []).append((start, end))
    return found


async def withdraw(
    session: AsyncSession, event_ids: Sequence[UUID], reason: str, actor: Actor
) -> list[PointEvent]:
    """Reverse these automatic events (a correction of what scored them), in the caller's
    transaction. Refused whole when one is dated in a published half-year; an event
    already reversed is left as it is."""
    if not event_ids:
        return []
    originals = list(await session.scalars(select(PointEvent).where(PointEvent.id.in_(event_ids))))
    reversed_ids = set(
        await session.scalars(
            select(PointEvent.reverses_id).where(PointEvent.reverses_id.in_(event_ids))
        )
    )
    live = [e for e in originals if e.id not in reversed_ids and e.source == Source.AUTOMATIC]
    published = await _published(session, {e.branch_id for e in live})
    for event in live:
        for start, end in published.get(event.branch_id, ()):  # type: ignore[arg-type]
            if start <= event.occurred_on <= end:
                raise Refused(PUBLISHED, period=half_of(event.occurred_on).label)
    reversals = [_reversal(event, reason, actor) for event in live]
    session.add_all(reversals)
    try:
        await session.flush()
    except IntegrityError as exc:  # another correction of the same event just won
        await session.rollback()
        raise Refused(ALREADY_CORRECTED) from exc
    return reversals


def _reversal(event: PointEvent, reason: str, actor: Actor) -> PointEvent:
    return PointEvent(
        tenant_id=event.tenant_id, person_id=event.person_id, branch_id=event.branch_id,
        rule_item_id=event.rule_item_id, occurred_on=event.occurred_on,
        quantity=-event.quantity, points=-event.points, source=Source.REVERSAL,
        reverses_id=event.id, note=reason, recorded_by=actor.id, recorded_by_name=actor.name,
    )  # fmt: skip
