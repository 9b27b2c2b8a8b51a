"""Field rules the points forms share (app.core.forms reads a form with them): an id
or a value chosen from a list, the day something happened, a sentence with a length
limit."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from uuid import UUID

from app.core.forms import FieldError
from app.core.validators import plain_text
from app.i18n import N_

DAY_FORMAT = N_("Please give the date as year-month-day, for example 2026-05-01.")


def chosen_id(raw: str) -> UUID | None:
    """The id a select or a hidden field sent: None when nothing was chosen; a mangled
    value is refused rather than read as "nothing"."""
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise FieldError(N_("Please choose from the list.")) from None


def required_id(missing: str) -> Callable[[str], UUID]:
    """`chosen_id` for a choice that must be made; `missing` says which."""

    def rule(raw: str) -> UUID:
        found = chosen_id(raw)
        if found is None:
            raise FieldError(missing)
        return found

    return rule


def one_of(choices: Collection[str], message: str) -> Callable[[str], str]:
    """A value that must be one of `choices` (a radio or select); `message` if not."""

    def rule(raw: str) -> str:
        if raw not in choices:
            raise FieldError(message)
        return raw

    return rule


def event_day(raw: str) -> date:
    """The day something happened, as the date picker sends it."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FieldError(DAY_FORMAT) from None


def sentence(empty: str, limit: int) -> Callable[[str], str]:
    """A line of text that must be given (`empty` says what is missing), at most `limit`
    characters."""

    def rule(raw: str) -> str:
        text = plain_text(raw)
        if not text:
            raise FieldError(empty)
        if len(text) > limit:
            raise FieldError(N_("Please keep it under %(n)s characters."), n=limit)
        return text

    return rule
