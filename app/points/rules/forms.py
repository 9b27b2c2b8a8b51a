"""The rule editor's forms, read into typed values or refused with a message beside
each field (app.core.forms). Only the format is checked here (a number, a code, a
choice from the list); whether the rules make sense together is spec.problems()'s
job, at activation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import plain_text
from app.i18n import N_
from app.points.feeds import Feed
from app.points.forms import one_of
from app.points.models import Awarder, Unit
from app.points.rules.spec import MAX_BASE, MAX_CAP, MAX_POINTS

CODE_PATTERN = re.compile(r"^[A-Z0-9-]{1,20}$")
TENTH = Decimal("0.1")
MAX_CATEGORY_NAME = 30
MAX_ITEM_NAME = 80
CHOOSE = N_("Please choose from the list.")
UNIT_CHOICE = N_("Please choose how the item counts from the list.")


@dataclass(frozen=True)
class ItemForm:
    """An item of the draft as its form gives it (and as the editor shows a stored one)."""

    category_id: UUID
    code: str
    name: str
    points: Decimal
    unit: str
    cap_quarter: Decimal | None
    cap_year: Decimal | None
    evidence_required: bool
    awarders: tuple[str, ...]
    feeds: tuple[str, ...]
    """The automatic sources that score it (app.points.feeds): attending a meeting kind,
    volunteer hours, a thought report."""


@dataclass(frozen=True)
class SettingsForm:
    base_score: Decimal | None
    objection_days: int


def normal(raw: str) -> str:
    """Full-width digits and letters (as a Chinese keyboard types them) as ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


LARGEST = Decimal(1_000_000)
"""Beyond any points, cap or base score the rules allow; those ranges give the message."""


def number(raw: str) -> Decimal | None:
    """A number with at most one decimal place; blank is None."""
    text = normal(raw).replace("，", "").replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise FieldError(N_("Please enter a number, such as 2 or 1.5.")) from exc
    if not value.is_finite() or abs(value) >= LARGEST:  # quantize fails past 28 digits
        raise FieldError(N_("Please enter a number, such as 2 or 1.5."))
    if value != value.quantize(TENTH):
        raise FieldError(N_("Please use at most one decimal place."))
    return value.quantize(TENTH)


def item_points(raw: str) -> Decimal:
    value = number(raw)
    if value is None:
        raise FieldError(N_("Please enter a number."))
    if value == 0 or abs(value) > MAX_POINTS:
        raise FieldError(
            N_("Points must not be 0 and lie between -999.9 and 999.9 (a minus sign deducts).")
        )
    return value


def cap(raw: str) -> Decimal | None:
    value = number(raw)
    if value is not None and not (0 < value <= MAX_CAP):
        raise FieldError(N_("A cap is a number above 0 and at most 9999.9, or left empty."))
    return value


def base_score(raw: str) -> Decimal | None:
    value = number(raw)
    if value is not None and not (0 <= value <= MAX_BASE):
        raise FieldError(N_("The base score is a number from 0 to 999.9, or left empty."))
    return value


def objection_days(raw: str) -> int:
    text = normal(raw)
    if not text.isdigit() or not 1 <= int(text) <= 30:
        raise FieldError(N_("The objection period is a whole number of days, 1 to 30."))
    return int(text)


def code(raw: str) -> str:
    text = normal(raw).upper()
    if not text:
        raise FieldError(N_("Please enter a code, such as XX-01."))
    if not CODE_PATTERN.match(text):
        raise FieldError(N_("A code has at most 20 letters, digits and dashes (-), such as XX-01."))
    return text


def category_name(raw: str) -> str:
    return _name(raw, N_("A category name can be at most 30 characters."), MAX_CATEGORY_NAME)


def item_name(raw: str) -> str:
    return _name(raw, N_("An item name can be at most 80 characters."), MAX_ITEM_NAME)


def _name(raw: str, too_long: str, longest: int) -> str:
    name = plain_text(raw)
    if not name:
        raise FieldError(N_("Please enter a name for it."))
    if len(name) > longest:
        raise FieldError(too_long)
    return name


def category_of(categories: Collection[UUID]) -> Callable[[str], UUID]:
    def rule(raw: str) -> UUID:
        try:
            category_id = UUID(raw)
        except ValueError:
            raise FieldError(N_("Please choose a category from the list.")) from None
        if category_id not in categories:
            raise FieldError(N_("Please choose a category from the list."))
        return category_id

    return rule


def parse_item(
    data: Mapping[str, str],
    awarders: Sequence[str],
    categories: Collection[UUID],
    feeds: Sequence[str] = (),
) -> ItemForm:
    """The item form (with the ticked `awarders` and automatic `feeds`), its category one
    of `categories`; InvalidForm naming every bad field. Whether a feed is scored by one
    item only, and with the automatic awarder, is spec.problems()'s, at activation."""
    reader = FormReader(data)
    category_id = reader.field("category_id", category_of(categories))
    item_code = reader.field("code", code)
    name = reader.field("name", item_name)
    points = reader.field("points", item_points)
    cap_quarter = reader.field("cap_quarter", cap)
    cap_year = reader.field("cap_year", cap)
    unit = reader.field("unit", one_of(set(Unit), UNIT_CHOICE))
    chosen = tuple(dict.fromkeys(awarders))
    if not chosen:
        reader.error("awarders", N_("Please tick at least one who may award it."))
    elif not set(chosen) <= set(Awarder):
        reader.error("awarders", CHOOSE)
    fed = tuple(dict.fromkeys(feeds))
    if not set(fed) <= set(Feed):
        reader.error("feeds", CHOOSE)
    evidence = reader.field("evidence_required", one_of(("", "1", "on"), CHOOSE))
    reader.done()
    assert category_id is not None and item_code is not None and name is not None
    assert points is not None and unit is not None
    return ItemForm(
        category_id=category_id, code=item_code, name=name, points=points, unit=unit,
        cap_quarter=cap_quarter, cap_year=cap_year, evidence_required=bool(evidence),
        awarders=tuple(a for a in Awarder if a in chosen),
        feeds=tuple(f for f in Feed if f in fed),
    )  # fmt: skip


def parse_settings(data: Mapping[str, str]) -> SettingsForm:
    reader = FormReader(data)
    base = reader.field("base_score", base_score)
    days = reader.field("objection_days", objection_days)
    reader.done()
    assert days is not None
    return SettingsForm(base, days)


def parse_category(data: Mapping[str, str]) -> str:
    """A category's name, from the form that adds or renames one."""
    reader = FormReader(data)
    name = reader.field("name", category_name)
    reader.done()
    assert name is not None
    return name
