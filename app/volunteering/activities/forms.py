"""The activity form as a leader's phone sends it: the team, kind, 六进 target, date,
place and counts, the ticked participants (`person`, repeated) with one hours value for
all (`hours`) and any person's own (`hours_<person id>`), and photos. A correction
sends the participants part alone (`parse_participants`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import multiline_text, past_or_today, plain_text
from app.i18n import N_
from app.volunteering.models import Specialty, Target
from app.volunteering.teams.forms import choice_of, required_id

MAX_HOURS = Decimal(24)
MAX_PLACE = 100
MAX_DESCRIPTION = 1000
MAX_PHOTOS = 3
DEFAULT_HOURS = "2"


@dataclass(frozen=True)
class ActivityForm:
    id: UUID
    """Made when the form was shown: a retry after a lost answer saves once."""
    team_id: UUID
    kind: Specialty
    target: Target
    held_on: date
    place: str
    description: str | None
    beneficiaries: int
    good_deeds: int
    participants: dict[UUID, Decimal]
    """Each ticked person's hours."""
    photos: tuple[bytes, ...] = ()
    """Small JPEGs without metadata (app.core.photos.evidence_jpeg, by the route)."""


def hours_value(raw: str) -> Decimal:
    """Hours of one activity: 0.5 to 24, in half hours (full-width digits too)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise FieldError(N_("Please give the hours as a number, for example 2 or 1.5.")) from None
    if not hours.is_finite():
        raise FieldError(N_("Please give the hours as a number, for example 2 or 1.5."))
    if hours <= 0:
        raise FieldError(N_("Hours must be at least half an hour."))
    if hours > MAX_HOURS:
        raise FieldError(N_("One activity can count at most 24 hours."))
    if (hours * 2) % 1:
        raise FieldError(N_("Please give the hours in half hours, for example 1.5 or 2."))
    return hours.quantize(Decimal("0.1"))


def whole(high: int, message: str) -> Callable[[str], int]:
    def rule(raw: str) -> int:
        text = unicodedata.normalize("NFKC", raw).strip() or "0"
        if not text.isascii() or not text.isdigit() or int(text) > high:
            raise FieldError(message, n=high)
        return int(text)

    return rule


def place_text(raw: str) -> str:
    place = plain_text(raw)
    if not place:
        raise FieldError(N_("Please say where the activity took place."))
    if len(place) > MAX_PLACE:
        raise FieldError(N_("Please keep each text under %(n)s characters."), n=MAX_PLACE)
    return place


def description_text(raw: str) -> str | None:
    text = multiline_text(raw)
    if len(text) > MAX_DESCRIPTION:
        raise FieldError(N_("Please keep each text under %(n)s characters."), n=MAX_DESCRIPTION)
    return text or None


def read_participants(reader: FormReader, people: Sequence[str]) -> dict[UUID, Decimal]:
    """The ticked people with their hours: their own `hours_<id>` if filled, else the
    one `hours` for all. Errors go on `person` (a person twice, a mangled id) or on the
    hours field at fault."""
    default = reader.raw("hours")
    chosen: dict[UUID, Decimal] = {}
    for raw in people:
        try:
            person_id = UUID(raw.strip())
        except ValueError:
            reader.error("person", N_("Please choose the participants from the team's list."))
            continue
        if person_id in chosen:
            reader.error("person", N_("A participant is listed twice. Please reload the page."))
            continue
        own = f"hours_{person_id}"
        field = own if reader.raw(own).strip() else "hours"
        hours = reader.field(field, hours_value)
        chosen[person_id] = hours if hours is not None else Decimal(0)
    if not people:
        reader.error("person", N_("Please tick at least one participant."))
    if not default.strip() and "hours" not in reader.errors:
        missing = [p for p in chosen if not reader.raw(f"hours_{p}").strip()]
        if missing:
            reader.error("hours", N_("Please give the hours."))
    return chosen


def parse_participants(data: Mapping[str, str], people: Sequence[str]) -> dict[UUID, Decimal]:
    """The participants part alone (a correction of the hours)."""
    reader = FormReader(data)
    chosen = read_participants(reader, people)
    reader.done()
    return chosen


def parse_activity_form(
    data: Mapping[str, str], people: Sequence[str], photos: Sequence[bytes] = ()
) -> ActivityForm:
    """The whole form, or InvalidForm naming each wrong field."""
    reader = FormReader(data)
    form_id = reader.field("activity_id", required_id(N_("Please reload the page and try again.")))
    team_id = reader.field("team_id", required_id(N_("Please choose the team.")))
    kind = reader.field("kind", choice_of(Specialty, N_("Please choose the kind of service.")))
    target = reader.field("target", choice_of(Target, N_("Please choose where the service went.")))
    held_on = reader.field("held_on", past_or_today)
    place = reader.field("place", place_text)
    description = reader.field("description", description_text)
    beneficiaries = reader.field(
        "beneficiaries", whole(1_000_000, N_("Please give a whole number up to %(n)s."))
    )
    good_deeds = reader.field(
        "good_deeds", whole(100_000, N_("Please give a whole number up to %(n)s."))
    )
    participants = read_participants(reader, people)
    if len(photos) > MAX_PHOTOS:
        reader.error("photo", N_("Please choose at most %(n)s photos."), n=MAX_PHOTOS)
    reader.done()
    assert form_id and team_id and kind and target and held_on and place
    assert beneficiaries is not None and good_deeds is not None
    return ActivityForm(form_id, team_id, kind, target, held_on, place, description,
                        beneficiaries, good_deeds, participants, tuple(photos))  # fmt: skip
