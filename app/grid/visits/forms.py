"""The visit form as the phone sends it: whom, what kind, where, when, the notes and
the four knows, and a photo. Read field by field; a wrong field comes back marked,
with what was typed (app.core.forms)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from app.core import clock
from app.core.forms import FieldError, FormReader
from app.core.money import optional_yuan
from app.core.validators import multiline_text
from app.grid.models import Place, VisitKind
from app.i18n import N_

KNOWS = ("knows_where", "knows_doing", "knows_difficulties", "knows_help")
"""四个知道: where they are, what they are doing, their difficulties, the help needed."""
MAX_NOTES = 1000
MAX_KNOW = 300
MAX_GIFTS = 200
BACKDATE_DAYS = 31
"""A visit may be logged up to a month late (a worker back from a week of visits)."""


@dataclass(frozen=True)
class VisitForm:
    id: UUID
    """Made when the form was shown: a retry after a lost answer saves nothing twice."""
    person_id: UUID
    kind: VisitKind
    place: Place
    visited_on: date
    notes: str | None = None
    knows: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None)
    follow_up: bool = False
    condolence_money: Decimal | None = None
    """慰问金 given, in yuan (app.core.money)."""
    condolence_gifts: str | None = None
    """慰问品: what was given."""
    photo: bytes | None = None
    """The photo as a small JPEG without its metadata (made from the upload by the route,
    with app.core.photos.evidence_jpeg)."""


def text_of(limit: int) -> Callable[[str], str | None]:
    """Notes as typed (line breaks kept), at most `limit` characters; None when empty."""

    def rule(raw: str) -> str | None:
        cleaned = multiline_text(raw)
        if len(cleaned) > limit:
            raise FieldError(N_("Please keep each text under %(n)s characters."), n=limit)
        return cleaned or None

    return rule


def visit_date(raw: str) -> date:
    """The day of the visit: today when left empty, never ahead, at most a month late."""
    today = clock.today()
    try:
        visited_on = date.fromisoformat(raw.strip()) if raw.strip() else today
    except ValueError as exc:
        raise FieldError(
            N_("Please give the date as year-month-day, for example 2026-05-01.")
        ) from exc
    if visited_on > today:
        raise FieldError(N_("A visit cannot be dated in the future."))
    if visited_on < today - timedelta(days=BACKDATE_DAYS):
        raise FieldError(
            N_("A visit can be logged up to %(n)s days later, not more."), n=BACKDATE_DAYS
        )
    return visited_on


def one_of(choices: type[VisitKind] | type[Place], message: str) -> Callable[[str], str]:
    def rule(raw: str) -> str:
        if raw not in set(choices):
            raise FieldError(message)
        return raw

    return rule


def chosen(message: str) -> Callable[[str], UUID]:
    """The id a hidden field or a list sent; `message` when none or a mangled one."""

    def rule(raw: str) -> UUID:
        try:
            return UUID(raw)
        except ValueError:
            raise FieldError(message) from None

    return rule


def form_id(raw: str) -> UUID:
    """The id the form was shown with (a new one for a form that came without)."""
    return chosen(N_("Please choose from the list."))(raw) if raw else uuid4()


def parse_visit_form(data: Mapping[str, str], photo: bytes | None = None) -> VisitForm:
    """The visit as typed (with `photo`, the JPEG made of the upload), or InvalidForm
    naming each field that is wrong."""
    reader = FormReader(data)
    person_id = reader.field("person_id", chosen(N_("Please choose the person you visited.")))
    visit_id = reader.field("visit_id", form_id)
    kind = reader.field("kind", one_of(VisitKind, N_("Please choose what kind of visit it was.")))
    place = reader.field("place", one_of(Place, N_("Please choose where the visit took place.")))
    visited_on = reader.field("visited_on", visit_date)
    notes = reader.field("notes", text_of(MAX_NOTES))
    knows = [reader.field(key, text_of(MAX_KNOW)) for key in KNOWS]
    money = reader.field("condolence_money", optional_yuan)
    gifts = reader.field("condolence_gifts", text_of(MAX_GIFTS))
    reader.done()
    assert person_id and visit_id and kind and place and visited_on  # done() saw them all
    return VisitForm(
        id=visit_id, person_id=person_id, kind=VisitKind(kind), place=Place(place),
        visited_on=visited_on, notes=notes, knows=(knows[0], knows[1], knows[2], knows[3]),
        follow_up=data.get("follow_up") == "1", condolence_money=money,
        condolence_gifts=gifts, photo=photo,
    )  # fmt: skip
