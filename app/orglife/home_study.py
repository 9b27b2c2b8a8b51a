"""送学上门: a meeting's study taken to the home of an infirm member who missed it.

- `after_attendance(session, meeting, rows)` — called by the meetings service when a
  held meeting's attendance is saved or corrected — writes an open must-visit item
  (the district's 送学上门 rule, occasion "meeting:<id>") for each infirm member
  marked absent or excused, once (one item per person, rule and occasion), and drops
  the open item of one a correction now marks as present or online.
- When a grid worker's visit of kind 送学上门 answers such an item (app.grid.due.resolve,
  announced through app.grid.events), the attendance becomes "studied at home" with the
  visit's date and visitor, and is scored anew through the automatic source (a new
  revision; the old event, e.g. an absence, withdrawn). Infirm members are exempt from
  points, so the automatic source usually skips them: the attendance is recorded all
  the same. The day scored is the meeting's, like the rest of its attendance. In a
  published half-year the old event cannot be withdrawn: the presence is recorded and
  the points are left as published.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Actor
from app.db.tenant import require_tenant
from app.grid.due import home_study_due_at, resolve
from app.grid.events import on_due_items_answered
from app.grid.models import Trigger, Visit, VisitDueItem, VisitRule
from app.orglife.models import ATTENDED, Attendance, Meeting, Presence
from app.people.models import Person
from app.points.automatic import Feeding, score, withdraw
from app.points.feeds import attended

MISSED = (Presence.ABSENT, Presence.EXCUSED)
OCCASION = "meeting:"


def occasion_of(meeting_id: UUID) -> str:
    return f"{OCCASION}{meeting_id}"


def attendance_ref(meeting_id: UUID, person_id: UUID, revision: int) -> str:
    """The ledger reference of one write of an attendance (new for each revision)."""
    return f"attendance:{meeting_id}:{person_id}:{revision}"


async def home_study_rule(session: AsyncSession) -> VisitRule | None:
    return await session.scalar(
        select(VisitRule).where(VisitRule.trigger == Trigger.HOME_STUDY, VisitRule.enabled)
    )


async def after_attendance(
    session: AsyncSession, meeting: Meeting, rows: Sequence[Attendance]
) -> None:
    """Write or drop the 送学上门 items of a held meeting's attendance rows (just saved or
    corrected), in the caller's transaction. Idempotent."""
    if meeting.held_on is None or not rows:
        return
    rule = await home_study_rule(session)
    if rule is None or rule.due_hours is None:
        return
    infirm = set(
        await session.scalars(
            select(Person.id).where(
                Person.id.in_([row.person_id for row in rows]),
                Person.infirm,
                Person.deceased_on.is_(None),
            )
        )
    )
    missed = [r.person_id for r in rows if r.presence in MISSED and r.person_id in infirm]
    came = [r.person_id for r in rows if r.presence in (Presence.PRESENT, Presence.ONLINE)]
    occasion = occasion_of(meeting.id)
    if came:
        await session.execute(
            delete(VisitDueItem).where(
                VisitDueItem.rule_id == rule.id,
                VisitDueItem.occasion == occasion,
                VisitDueItem.person_id.in_(came),
                VisitDueItem.visit_id.is_(None),
            )
        )
    if missed:
        tenant_id = require_tenant()
        due_at = home_study_due_at(meeting.held_on, rule.due_hours)
        await session.execute(
            insert(VisitDueItem)
            .values(
                [
                    {
                        "tenant_id": tenant_id,
                        "person_id": person_id,
                        "rule_id": rule.id,
                        "occasion": occasion,
                        "opens_on": meeting.held_on,
                        "due_at": due_at,
                    }
                    for person_id in missed
                ]
            )
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "person_id", "rule_id", "occasion"]
            )
        )
        # A 送学上门 visit logged before the attendance (the worker went first) answers now.
        await resolve(session, missed)


@on_due_items_answered
async def home_study_delivered(session: AsyncSession, item_ids: Sequence[UUID]) -> None:
    """Visits answered these due items: those of a meeting's 送学上门 record the home study."""
    answered = await session.execute(
        select(VisitDueItem.occasion, VisitDueItem.person_id, Visit)
        .join(VisitRule, and_(VisitRule.tenant_id == VisitDueItem.tenant_id,
                              VisitRule.id == VisitDueItem.rule_id))
        .join(Visit, and_(Visit.tenant_id == VisitDueItem.tenant_id,
                          Visit.id == VisitDueItem.visit_id))
        .where(VisitDueItem.id.in_(item_ids), VisitRule.trigger == Trigger.HOME_STUDY,
               VisitDueItem.occasion.startswith(OCCASION))
    )  # fmt: skip
    for occasion, person_id, visit in answered.all():
        await _record_home_study(session, UUID(occasion.removeprefix(OCCASION)), person_id, visit)


async def _record_home_study(
    session: AsyncSession, meeting_id: UUID, person_id: UUID, visit: Visit
) -> None:
    tenant_id = require_tenant()
    meeting = await session.get(Meeting, {"tenant_id": tenant_id, "id": meeting_id})
    row = await session.get(
        Attendance,
        {"tenant_id": tenant_id, "meeting_id": meeting_id, "person_id": person_id},
        with_for_update=True,
    )
    if meeting is None or meeting.held_on is None or row is None or row.presence in ATTENDED:
        return
    person = await session.get(Person, {"tenant_id": tenant_id, "id": person_id})
    assert person is not None  # the attendance's foreign key
    actor = Actor("user", visit.visitor_name, visit.visitor_id)
    row.presence, row.reason = Presence.HOME_STUDY, None
    row.home_study_on, row.home_study_by_name = visit.visited_on, visit.visitor_name
    try:
        if row.event_id is not None:
            await withdraw(session, [row.event_id], "送学上门", actor)
    except Refused:
        await session.flush()  # a published half-year: the presence only
        return
    row.revision += 1
    ref = attendance_ref(meeting.id, person_id, row.revision)
    scored = await score(
        session, attended(meeting.kind), [Feeding(person, meeting.held_on, ref)], actor
    )
    event = scored.events.get(ref)
    row.event_id = event.id if event is not None else None
    await session.flush()
