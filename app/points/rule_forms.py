"""The rule editor's form fields, read into column values or refused with a message
beside each field. Only the format is checked here (a number, a code, a choice from
the list); whether the rules make sense together is rules.problems()'s job, at
activation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from app.core import clock
from app.core.errors import Refused
from app.core.forms import FieldError, FormErrors, InvalidForm
from app.core.validators import plain_text
from app.i18n import N_
from app.points.models import Awarder, Unit
from app.points.rules import MAX_BASE, MAX_CAP, MAX_POINTS

CODE_PATTERN = re.compile(r"^[A-Z0-9-]{1,20}$")
TENTH = Decimal("0.1")
MAX_CATEGORY_NAME = 30
MAX_ITEM_NAME = 80


@dataclass(frozen=True)
class ItemValues:
    category_id: UUID
    code: str
    name: str
    points: Decimal
    unit: str
    cap_quarter: Decimal | None
    cap_year: Decimal | None
    evidence_required: bool
    awarders: tuple[str, ...]


def _normal(raw: str) -> str:
    """Full-width digits and letters (as a Chinese keyboard types them) as ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


LARGEST = Decimal(1_000_000)
"""Beyond any points, cap or base score the rules allow; those ranges give the message."""


def read_number(raw: str, *, optional: bool = False) -> Decimal | None:
    """A number with at most one decimal place; blank is None where `optional`."""
    text = _normal(raw).replace("，", "").replace(",", "")
    if not text:
        if optional:
            return None
        raise FieldError(N_("Please enter a number."))
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise FieldError(N_("Please enter a number, such as 2 or 1.5.")) from exc
    if not value.is_finite() or abs(value) >= LARGEST:  # quantize fails past 28 digits
        raise FieldError(N_("Please enter a number, such as 2 or 1.5."))
    if value != value.quantize(TENTH):
        raise FieldError(N_("Please use at most one decimal place."))
    return value.quantize(TENTH)


def read_points(raw: str) -> Decimal:
    value = read_number(raw)
    assert value is not None
    if value == 0 or abs(value) > MAX_POINTS:
        raise FieldError(
            N_("Points must not be 0 and lie between -999.9 and 999.9 (a minus sign deducts).")
        )
    return value


def read_cap(raw: str) -> Decimal | None:
    value = read_number(raw, optional=True)
    if value is not None and not (0 < value <= MAX_CAP):
        raise FieldError(N_("A cap is a number above 0 and at most 9999.9, or left empty."))
    return value


def read_code(raw: str) -> str:
    code = _normal(raw).upper()
    if not code:
        raise FieldError(N_("Please enter a code, such as XX-01."))
    if not CODE_PATTERN.match(code):
        raise FieldError(N_("A code has at most 20 letters, digits and dashes (-), such as XX-01."))
    return code


def read_name(raw: str, longest: int = MAX_ITEM_NAME) -> str:
    name = plain_text(raw)
    if not name:
        raise FieldError(N_("Please enter a name for it."))
    if len(name) > longest:
        raise FieldError(
            N_("A category name can be at most 30 characters.")
            if longest == MAX_CATEGORY_NAME
            else N_("An item name can be at most 80 characters.")
        )
    return name


def clean_item(
    data: Mapping[str, str], awarders: Sequence[str], categories: Sequence[UUID]
) -> ItemValues:
    """The item form as column values, or InvalidForm naming every bad field."""
    errors: FormErrors = {}
    values: dict[str, Any] = {}

    def read(key: str, reader: Any, *args: Any) -> None:
        try:
            values[key] = reader(data.get(key, ""), *args)
        except FieldError as exc:
            errors[key] = exc.message

    try:
        category_id = UUID(data.get("category_id", ""))
        if category_id not in categories:
            raise ValueError
        values["category_id"] = category_id
    except ValueError:
        errors["category_id"] = N_("Please choose a category from the list.")
    read("code", read_code)
    read("name", read_name, MAX_ITEM_NAME)
    read("points", read_points)
    read("cap_quarter", read_cap)
    read("cap_year", read_cap)
    unit = data.get("unit", "")
    if unit not in set(Unit):
        errors["unit"] = N_("Please choose how the item counts from the list.")
    chosen = tuple(dict.fromkeys(awarders))
    if not chosen:
        errors["awarders"] = N_("Please tick at least one who may award it.")
    elif not set(chosen) <= set(Awarder):
        errors["awarders"] = N_("Please choose from the list.")
    evidence = data.get("evidence_required", "")
    if evidence not in ("", "1", "on"):
        errors["evidence_required"] = N_("Please choose from the list.")
    if errors:
        raise InvalidForm(errors)
    return ItemValues(
        unit=unit,
        awarders=tuple(a for a in Awarder if a in chosen),
        evidence_required=bool(evidence),
        **values,
    )


def read_settings(base_score: str, objection_days: str) -> tuple[Decimal | None, int]:
    errors: FormErrors = {}
    base: Decimal | None = None
    days = 0
    try:
        base = read_number(base_score, optional=True)
        if base is not None and not (0 <= base <= MAX_BASE):
            raise FieldError(N_("The base score is a number from 0 to 999.9, or left empty."))
    except FieldError as exc:
        errors["base_score"] = exc.message
    text = _normal(objection_days)
    if not text.isdigit() or not 1 <= int(text) <= 30:
        errors["objection_days"] = N_("The objection period is a whole number of days, 1 to 30.")
    else:
        days = int(text)
    if errors:
        raise InvalidForm(errors)
    return base, days


MAX_LEAD_DAYS = 366


def read_start(raw: str) -> date:
    """The start date; at most a year ahead, so a mistyped year (2207) cannot block
    every later version."""
    try:
        day = date.fromisoformat(_normal(raw))
    except ValueError as exc:
        raise Refused(N_("Please choose the date the rules start, e.g. 2027-01-01.")) from exc
    if day > clock.today() + timedelta(days=MAX_LEAD_DAYS):
        raise Refused(N_("New rules can start at most a year from today."))
    return day
