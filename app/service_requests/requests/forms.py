"""Reading the request forms — the request itself, and each step's note, answer or
grid worker — into typed values, or InvalidForm naming each field that is wrong."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import multiline_text
from app.i18n import N_

MAX_DESCRIPTION = 500
MAX_NOTE = 500


@dataclass(frozen=True)
class RequestForm:
    person_id: UUID
    category_id: UUID
    description: str
    id: UUID | None = None
    """Made when the form was shown: a retry after a lost answer logs nothing twice."""


@dataclass(frozen=True)
class Answer:
    """The person's word on a resolved request: how satisfied, and what they said."""

    satisfaction: int
    note: str | None = None


def chosen_id(raw: str) -> UUID | None:
    """The id a choice sent: None when nothing was chosen; a mangled value is refused
    (rather than read as "nothing")."""
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise FieldError(N_("Please choose from the list.")) from None


def description(raw: str) -> str:
    text = multiline_text(raw)
    if not text:
        raise FieldError(N_("Please say what the person needs."))
    if len(text) > MAX_DESCRIPTION:
        raise FieldError(
            N_("Please keep the description under %(n)s characters."), n=MAX_DESCRIPTION
        )
    return text


def note(missing: str | None = None) -> Callable[[str], str | None]:
    """A step's note; `missing` is the message when one is required."""

    def rule(raw: str) -> str | None:
        text = multiline_text(raw)
        if not text and missing:
            raise FieldError(missing)
        if len(text) > MAX_NOTE:
            raise FieldError(N_("Please keep the note under %(n)s characters."), n=MAX_NOTE)
        return text or None

    return rule


def satisfaction(raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise FieldError(N_("Please choose how satisfied the person is, from 1 to 5."))
    return int(text)


def parse_request(data: Mapping[str, str]) -> RequestForm:
    """Whom the request is for, what about and what they need, and the form's id."""
    reader = FormReader(data)
    person_id = reader.field("person_id", chosen_id)
    category_id = reader.field("category_id", chosen_id)
    needs = reader.field("description", description)
    form_id = reader.field("form_id", chosen_id)
    if person_id is None:
        reader.error("person_id", N_("Please choose a person."))
    if category_id is None:
        reader.error("category_id", N_("Please choose what the request is about."))
    reader.done()
    assert person_id is not None and category_id is not None and needs is not None
    return RequestForm(person_id, category_id, needs, form_id)


def parse_resolution(data: Mapping[str, str]) -> str:
    """What was done, to resolve a request."""
    return _required_note(data, N_("Please say what was done."))


def parse_not_fixed(data: Mapping[str, str]) -> str:
    """What is still not fixed, to reopen a request."""
    return _required_note(data, N_("Please say what is still not fixed."))


def _required_note(data: Mapping[str, str], missing: str) -> str:
    reader = FormReader(data)
    text = reader.field("note", note(missing))
    reader.done()
    assert text is not None
    return text


def parse_answer(data: Mapping[str, str]) -> Answer:
    reader = FormReader(data)
    score = reader.field("satisfaction", satisfaction)
    said = reader.field("note", note())
    reader.done()
    assert score is not None
    return Answer(score, said)


def parse_assignee(data: Mapping[str, str]) -> UUID | None:
    """The grid worker chosen (None when none was: the service asks for one)."""
    reader = FormReader(data)
    assignee = reader.field("assignee_id", chosen_id)
    reader.done()
    return assignee
