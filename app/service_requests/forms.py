"""Reading the request and settings forms: clean values, or Refused with what to fix."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import time
from uuid import UUID

from app.core.errors import Refused
from app.core.forms import FieldError
from app.core.validators import multiline_text, plain_text
from app.i18n import N_

MAX_DESCRIPTION = 500
MAX_NOTE = 500
MAX_NAME = 20
MAX_HOURS = 720


@dataclass(frozen=True)
class RequestForm:
    person_id: UUID
    category_id: UUID | None
    description: str
    id: UUID | None = None
    """Made when the form was shown: a retry after a lost answer logs nothing twice."""


def _text(raw: str) -> str:
    try:
        return multiline_text(raw)
    except FieldError as exc:
        raise Refused(exc.message) from exc


def read_description(raw: str) -> str:
    text = _text(raw)
    if not text:
        raise Refused(N_("Please say what the person needs."))
    if len(text) > MAX_DESCRIPTION:
        raise Refused(N_("Please keep the description under %(n)s characters."), n=MAX_DESCRIPTION)
    return text


def read_note(raw: str, *, missing: str | None = None) -> str | None:
    """A note on a step; `missing` is the message when one is required."""
    text = _text(raw)
    if not text and missing:
        raise Refused(missing)
    if len(text) > MAX_NOTE:
        raise Refused(N_("Please keep the note under %(n)s characters."), n=MAX_NOTE)
    return text or None


def read_satisfaction(raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise Refused(N_("Please choose how satisfied the person is, from 1 to 5."))
    return int(text)


def _hours(raw: str, message: str, **args: object) -> int:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_HOURS:
        raise Refused(message, **args)
    return int(text)


def read_name(raw: str) -> str:
    try:
        name = plain_text(raw or "")
    except FieldError as exc:
        raise Refused(exc.message) from exc
    if not name:
        raise Refused(N_("Please enter a name."))
    if len(name) > MAX_NAME:
        raise Refused(N_("A name here can be at most %(n)s characters."), n=MAX_NAME)
    return name


@dataclass(frozen=True)
class CategoryValues:
    name: str
    sla_hours: int | None
    same_day_by: time | None


def read_category(data: dict[str, str]) -> CategoryValues:
    """A category's name and its SLA: hours after logging, or the same day by a time."""
    name = read_name(data.get("name", ""))
    kind = data.get("kind", "")
    if kind == "hours":
        hours = _hours(
            data.get("sla_hours", ""), N_("Give the time limit as whole hours from 1 to 720.")
        )
        return CategoryValues(name, hours, None)
    if kind == "same_day":
        text = unicodedata.normalize("NFKC", data.get("same_day_by", "")).strip()
        try:
            by = time.fromisoformat(text) if len(text) in (4, 5) else None
        except ValueError:
            by = None
        if by is None:
            raise Refused(N_("Give the time of day as hours:minutes, for example 22:00."))
        return CategoryValues(name, None, by)
    raise Refused(N_("Please choose how the time limit is set."))


def read_levels(data: dict[str, str], levels: list[int]) -> dict[int, tuple[str, int | None]]:
    """Each level's name and, from level 2 on, its time limit in hours."""
    values: dict[int, tuple[str, int | None]] = {}
    for level in levels:
        name = read_name(data.get(f"name_{level}", ""))
        limit = None
        if level > 1:
            limit = _hours(
                data.get(f"limit_{level}", ""),
                N_("Give level %(level)s's time limit as whole hours from 1 to 720."),
                level=level,
            )
        values[level] = (name, limit)
    return values
