"""The meeting forms read into typed values or refused field by field (app.core.forms).

What only the database can judge — the branch within the secretary's reach, the kind
in use, the member expected at the meeting — the service does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import UUID

from app.core import clock
from app.core.forms import FieldError, FormReader
from app.core.validators import multiline_text, plain_text, time_of_day
from app.i18n import N_
from app.orglife.models import Presence
from app.points.forms import chosen_id, event_day, required_id, sentence

MAX_MINUTES = 5000
MAX_REASON = 200
MAX_NAME = 40


@dataclass(frozen=True)
class MeetingForm:
    unit_id: UUID
    """The branch, or one of its party groups (then its members are the ones expected)."""
    kind: str
    topic: str
    starts_at: datetime
    place: str | None
    host_name: str | None
    recorder_name: str | None


@dataclass(frozen=True)
class RecordForm:
    held_on: date
    minutes: str


@dataclass(frozen=True)
class Mark:
    """One member's attendance as the form sent it."""

    presence: Presence
    reason: str | None = None
    home_study_on: date | None = None
    home_study_by: str | None = None


@dataclass(frozen=True)
class AttendanceForm:
    marks: dict[UUID, Mark]
    taken: int
    """The sheet as it was shown: the sum of its rows' revisions (0: nothing saved yet).
    Any save or correction since changes it, so a form filled in over someone else's
    save is refused instead of quietly undoing it."""
    errors: dict[str, str] = field(default_factory=dict)


def optional_line(raw: str) -> str | None:
    text = plain_text(raw)
    if len(text) > MAX_NAME * 2:
        raise FieldError(N_("Please keep it under %(n)s characters."), n=MAX_NAME * 2)
    return text or None


def meeting_time(raw: str) -> time:
    if not raw.strip():
        raise FieldError(N_("Please give the time the meeting starts."))
    return time_of_day(raw)


def parse_meeting(data: Mapping[str, str]) -> MeetingForm:
    reader = FormReader(data)
    unit_id = reader.field("unit_id", required_id(N_("Please choose the branch or group.")))
    kind = reader.field("kind", sentence(N_("Please choose the kind of meeting."), 30))
    topic = reader.field("topic", sentence(N_("Please give the topic."), 100))
    day = reader.field("day", event_day)
    starts = reader.field("time", meeting_time)
    place = reader.field("place", optional_line)
    host = reader.field("host_name", optional_line)
    recorder = reader.field("recorder_name", optional_line)
    reader.done()
    assert unit_id and kind and topic and day and starts
    starts_at = datetime.combine(day, starts, tzinfo=clock.CHINA_TIME)
    return MeetingForm(unit_id, kind, topic, starts_at, place, host, recorder)


def minutes_text(raw: str) -> str:
    text = multiline_text(raw)
    if len(text) > MAX_MINUTES:
        raise FieldError(N_("Please keep the minutes under %(n)s characters."), n=MAX_MINUTES)
    return text


def parse_record(data: Mapping[str, str]) -> RecordForm:
    reader = FormReader(data)
    held_on = reader.field("held_on", event_day)
    minutes = reader.field("minutes", minutes_text)
    reader.done()
    assert held_on is not None and minutes is not None
    return RecordForm(held_on, minutes)


PRESENCES = {str(p) for p in Presence}


def parse_attendance(data: Mapping[str, str]) -> AttendanceForm:
    """`p-<person id>` is each member's presence (a member not sent is present);
    `r-`, `h-` and `hb-` the reason, the home-study date and who delivered it.

    Errors are kept per member (`p-<id>`), so the page marks the rows to fix."""
    reader = FormReader(data)
    taken = data.get("taken", "0")
    marks: dict[UUID, Mark] = {}
    for key, value in data.items():
        if not key.startswith("p-"):
            continue
        try:
            person_id = chosen_id(key[2:])
        except FieldError:
            person_id = None
        if person_id is None or value not in PRESENCES:
            reader.error("people", N_("Please choose from the list."))
            continue
        mark = _mark(reader, person_id, Presence(value), data)
        if mark is not None:
            marks[person_id] = mark
    reader.done()
    return AttendanceForm(marks, int(taken) if taken.isdigit() else 0)


def _mark(
    reader: FormReader, person_id: UUID, presence: Presence, data: Mapping[str, str]
) -> Mark | None:
    key = str(person_id)
    if presence == Presence.EXCUSED:
        reason = reader.field(f"r-{key}", sentence(N_("Please give the reason for leave."),
                                                   MAX_REASON))  # fmt: skip
        return Mark(presence, reason=reason) if reason else None
    if presence == Presence.HOME_STUDY:
        raw = data.get(f"h-{key}", "").strip()
        if not raw:
            reader.error(f"h-{key}", N_("Please give the day the material was taken home."))
            return None
        day = reader.field(f"h-{key}", event_day)
        by = reader.field(f"hb-{key}", optional_line)
        if day is None:
            return None
        if day > clock.today():
            reader.error(
                f"h-{key}",
                N_(
                    "The date %(date)s is in the future.",
                ),
                date=str(day),
            )
            return None
        return Mark(presence, home_study_on=day, home_study_by=by)
    return Mark(presence)
