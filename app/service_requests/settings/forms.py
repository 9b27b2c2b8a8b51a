"""Reading the settings forms — a category with its SLA, the escalation levels — into
typed values, or InvalidForm naming each field that is wrong."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time

from app.core.forms import FieldError, FormReader
from app.core.validators import plain_text, time_of_day
from app.i18n import N_

MAX_NAME = 20
MAX_HOURS = 720


@dataclass(frozen=True)
class CategoryForm:
    name: str
    sla_hours: int | None
    same_day_by: time | None


@dataclass(frozen=True)
class LevelForm:
    name: str
    limit_hours: int | None
    """From level 2 on; level 1 has the category's time limit."""


def name(raw: str) -> str:
    text = plain_text(raw or "")
    if not text:
        raise FieldError(N_("Please enter a name."))
    if len(text) > MAX_NAME:
        raise FieldError(N_("A name here can be at most %(n)s characters."), n=MAX_NAME)
    return text


def hours(message: str, **args: object) -> Callable[[str], int]:
    """Whole hours from 1 to 720; `message` when they are not."""

    def rule(raw: str) -> int:
        text = unicodedata.normalize("NFKC", raw or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_HOURS:
            raise FieldError(message, **args)
        return int(text)

    return rule


def parse_category(data: Mapping[str, str]) -> CategoryForm:
    """A category's name and its SLA: hours after logging, or the same day by a time."""
    reader = FormReader(data)
    named = reader.field("name", name)
    sla_hours = same_day_by = None
    kind = reader.raw("kind")
    if kind == "hours":
        limit = hours(N_("Give the time limit as whole hours from 1 to 720."))
        sla_hours = reader.field("sla_hours", limit)
    elif kind == "same_day":
        same_day_by = reader.field("same_day_by", time_of_day)
    else:
        reader.error("kind", N_("Please choose how the time limit is set."))
    reader.done()
    assert named is not None
    return CategoryForm(named, sla_hours, same_day_by)


def parse_levels(data: Mapping[str, str], levels: list[int]) -> dict[int, LevelForm]:
    """Each level's name and, from level 2 on, its time limit in hours."""
    reader = FormReader(data)
    found: dict[int, LevelForm] = {}
    for level in levels:
        named = reader.field(f"name_{level}", name)
        limit = None
        if level > 1:
            message = N_("Give level %(level)s's time limit as whole hours from 1 to 720.")
            limit = reader.field(f"limit_{level}", hours(message, level=level))
        found[level] = LevelForm(named or "", limit)
    reader.done()
    return found
