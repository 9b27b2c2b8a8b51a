"""The after-care forms: a death (whose, the date, the cause), a piece of help given to
the family, and an undo's reason. Read field by field (app.core.forms); the rules the
person's own record decides (not before birth) are the service's."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from app.core import clock
from app.core.errors import Refused
from app.core.forms import FieldError, FormReader
from app.core.money import optional_yuan, yuan_text
from app.core.validators import plain_text
from app.i18n import N_

MAX_CAUSE = 200
MAX_WHAT = 200
MAX_GIVER = 60
MAX_REASON = 200


@dataclass(frozen=True)
class DeathForm:
    person_id: UUID
    deceased_on: date
    cause: str | None


@dataclass(frozen=True)
class HelpForm:
    given_on: date
    what: str
    given_by: str
    money: Decimal | None


def past_day(future_message: str) -> Callable[[str], date]:
    """A day as year-month-day (the date picker's form), not after today."""

    def rule(raw: str) -> date:
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            raise FieldError(N_("Please give the date."))
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise FieldError(
                N_("Please give the date as year-month-day, for example 2026-05-01.")
            ) from exc
        if day > clock.today():
            raise FieldError(future_message)
        return day

    return rule


def text_up_to(limit: int, *, required: str | None = None) -> Callable[[str], str | None]:
    """One line of text, at most `limit` characters; `required`: the message when empty."""

    def rule(raw: str) -> str | None:
        text = plain_text(raw)
        if not text and required:
            raise FieldError(required)
        if len(text) > limit:
            raise FieldError(N_("Please keep this under %(n)s characters."), n=limit)
        return text or None

    return rule


def chosen_person(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise FieldError(N_("Please choose the person who passed away.")) from None


def parse_death(data: Mapping[str, str]) -> DeathForm:
    reader = FormReader(data)
    person_id = reader.field("person_id", chosen_person)
    deceased_on = reader.field(
        "deceased_on", past_day(N_("The date of death cannot be in the future."))
    )
    cause = reader.field("cause", text_up_to(MAX_CAUSE))
    reader.done()
    assert person_id and deceased_on  # done() saw them
    return DeathForm(person_id, deceased_on, cause)


def parse_help(data: Mapping[str, str]) -> HelpForm:
    reader = FormReader(data)
    given_on = reader.field("given_on", past_day(N_("Help cannot be dated in the future.")))
    what = reader.field("what", text_up_to(MAX_WHAT, required=N_("Please say what was given.")))
    given_by = reader.field(
        "given_by", text_up_to(MAX_GIVER, required=N_("Please say who gave it."))
    )
    money = reader.field("money", optional_yuan)
    reader.done()
    assert given_on and what and given_by
    return HelpForm(given_on, what, given_by, money)


def parse_reason(data: Mapping[str, str]) -> str:
    """The undo's one field, refused in words (the button's answer is a message, not a
    form sent back)."""
    try:
        reason = text_up_to(MAX_REASON, required=N_("Please say why the record was a mistake."))(
            data.get("reason", "")
        )
    except FieldError as exc:
        raise Refused(exc.message, **exc.args_) from exc
    assert reason
    return reason


def money_text(amount: Decimal | None) -> str:
    """1300 → "1,300.00 元" (the sources write money so)."""
    return "" if amount is None else yuan_text(amount)
