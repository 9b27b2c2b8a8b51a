"""Attendance of a held meeting: one row per expected member (the living party members
of the branch, or of the party group for a group's meeting), everyone present unless
marked otherwise, and the points it scores through the automatic source.

Attending (present, online, studied at home) scores the meeting kind's feed; absent
without leave scores the deduction; excused scores nothing, and the automatic source
leaves the exempt (old or frail) unscored either way. Each row keeps the event it
wrote; correcting a row withdraws that event and scores the new state under a new
reference (`revision` + 1), and the audit log keeps who changed what.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.i18n import N_, _
from app.orglife.home_study import after_attendance, attendance_ref
from app.orglife.meetings.forms import AttendanceForm, Mark
from app.orglife.meetings.service import CANCELLED, MeetingService, expected_members
from app.orglife.models import ATTENDED, Attendance, Meeting, MeetingStatus, Presence
from app.people.models import Person
from app.points.automatic import Feeding, score, withdraw
from app.points.feeds import Feed, attended

NOT_HELD = N_("Attendance is taken once the meeting is recorded as held.")
NOT_EXPECTED = N_(
    "Someone on the form is not a member of this meeting's branch or group. "
    "Please reload the page and try again."
)
TAKEN = N_(
    "Attendance for this meeting was already saved (perhaps by someone else just now). "
    "Please reload the page to see it and correct it there."
)
CORRECTED = N_("Attendance corrected")


@dataclass(frozen=True)
class SheetRow:
    person: Person
    row: Attendance | None


@dataclass
class Saved:
    """What a save did, for the page that says so."""

    counts: Counter[str] = field(default_factory=Counter)
    written: int = 0
    corrected: int = 0
    not_scored: list[tuple[str, str]] = field(default_factory=list)
    """(name, why) of each member whose attendance scored nothing though it counts."""


def feed_of(meeting: Meeting, presence: str) -> Feed | None:
    if presence in ATTENDED:
        return attended(meeting.kind)
    return Feed.ABSENCE if presence == Presence.ABSENT else None


class AttendanceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def expected(self, meeting: Meeting) -> list[Person]:
        return await expected_members(self.session, meeting)

    async def rows(self, meeting_id: UUID) -> dict[UUID, Attendance]:
        query = select(Attendance).where(Attendance.meeting_id == meeting_id)
        return {row.person_id: row for row in await self.session.scalars(query)}

    async def sheet(self, meeting: Meeting) -> list[SheetRow]:
        """Everyone expected, and anyone recorded who has since left the branch."""
        rows = await self.rows(meeting.id)
        people = await self.expected(meeting)
        gone = set(rows) - {p.id for p in people}
        if gone:
            people += list(await self.session.scalars(select(Person).where(Person.id.in_(gone))))
        return [SheetRow(person, rows.get(person.id)) for person in people]

    async def save(self, identity: Identity, meeting_id: UUID, form: AttendanceForm) -> Saved:
        """Write the members' rows (present unless marked) and their points; rows that
        exist and changed are corrections. Refused whole, nothing written, for a meeting
        not held, a person not expected, or a first save someone else beat."""
        found = await MeetingService(self.session).get(identity, meeting_id, lock=True)
        meeting = found.meeting
        if meeting.status == MeetingStatus.CANCELLED:
            raise Refused(CANCELLED)
        if meeting.status != MeetingStatus.HELD or meeting.held_on is None:
            raise Refused(NOT_HELD)
        rows = await self.rows(meeting.id)
        if sum(row.revision for row in rows.values()) != form.taken:
            raise Refused(TAKEN)  # saved or corrected since the form was shown
        people = {p.id: p for p in await self.expected(meeting)}
        missing = set(rows) - set(people)
        if missing:
            people |= {p.id: p for p in await self.session.scalars(
                select(Person).where(Person.id.in_(missing)))}  # fmt: skip
        if set(form.marks) - set(people):
            raise Refused(NOT_EXPECTED)
        fresh = {pid: form.marks.get(pid, Mark(Presence.PRESENT)) for pid in people if
                 pid not in rows}  # fmt: skip
        changed = {
            pid: mark for pid, mark in form.marks.items()
            if pid in rows and _differs(rows[pid], mark)
        }  # fmt: skip
        saved = Saved()
        await withdraw(
            self.session,
            [rows[pid].event_id for pid in changed if rows[pid].event_id],  # type: ignore[misc]
            _(CORRECTED),
            identity.actor,
        )
        revisions = {pid: rows[pid].revision + 1 for pid in changed} | {pid: 1 for pid in fresh}
        marks = fresh | changed
        events = await self._score(identity, meeting, people, marks, revisions, saved)
        now = clock.now()
        for pid, mark in changed.items():
            row = rows[pid]
            await record(self.session, identity.actor, "meeting.attendance_corrected",
                         subject_type="meeting", subject_id=meeting.id,
                         subject_name=meeting.topic,
                         changes={"name": people[pid].name,
                                  "presence": [row.presence, str(mark.presence)],
                                  "reason": mark.reason})  # fmt: skip
            _apply(row, mark, identity, now)
            row.revision, row.event_id = revisions[pid], events.get(pid)
        added = [
            _apply(Attendance(tenant_id=identity.tenant_id, meeting_id=meeting.id,
                              person_id=pid, revision=1, event_id=events.get(pid)),
                   mark, identity, now)
            for pid, mark in fresh.items()
        ]  # fmt: skip
        self.session.add_all(added)
        try:
            await self.session.flush()
        except IntegrityError as exc:  # a first save raced past the lock's check
            await self.session.rollback()
            raise Refused(TAKEN) from exc
        rows |= {row.person_id: row for row in added}
        await after_attendance(self.session, meeting, [rows[pid] for pid in marks])
        saved.written, saved.corrected = len(fresh), len(changed)
        states = {pid: row.presence for pid, row in rows.items()}
        states |= {pid: str(mark.presence) for pid, mark in marks.items()}
        saved.counts = Counter(states.values())
        return saved

    async def _score(
        self,
        identity: Identity,
        meeting: Meeting,
        people: dict[UUID, Person],
        marks: dict[UUID, Mark],
        revisions: dict[UUID, int],
        saved: Saved,
    ) -> dict[UUID, UUID]:
        """Score each mark's feed; the event id of each member scored."""
        by_feed: dict[Feed, list[Feeding]] = {}
        owner: dict[str, UUID] = {}
        assert meeting.held_on is not None
        for pid, mark in marks.items():
            feed = feed_of(meeting, mark.presence)
            if feed is None:
                continue
            ref = attendance_ref(meeting.id, pid, revisions[pid])
            owner[ref] = pid
            day: date = meeting.held_on  # the meeting's day, however it was attended
            by_feed.setdefault(feed, []).append(Feeding(people[pid], day, ref, note=meeting.topic))
        events: dict[UUID, UUID] = {}
        for feed, feedings in by_feed.items():
            scored = await score(self.session, feed, feedings, identity.actor)
            events |= {owner[ref]: event.id for ref, event in scored.events.items()}
            saved.not_scored += [
                (people[owner[ref]].name, why.text()) for ref, why in scored.skipped.items()
            ]
        return events


def _differs(row: Attendance, mark: Mark) -> bool:
    """Whether the form changes the row (who delivered is kept when not given again)."""
    delivered = mark.home_study_by or row.home_study_by_name
    return (row.presence, row.reason, row.home_study_on, row.home_study_by_name) != (
        mark.presence, mark.reason, mark.home_study_on,
        delivered if mark.presence == Presence.HOME_STUDY else None,
    )  # fmt: skip


def _apply(row: Attendance, mark: Mark, identity: Identity, now: object) -> Attendance:
    row.presence, row.reason = str(mark.presence), mark.reason
    row.home_study_on = mark.home_study_on
    row.home_study_by_name = (
        (mark.home_study_by or row.home_study_by_name or identity.name)
        if mark.presence == Presence.HOME_STUDY
        else None
    )
    row.recorded_by, row.recorded_by_name = identity.user_id, identity.name
    row.recorded_at = now  # type: ignore[assignment]
    return row
