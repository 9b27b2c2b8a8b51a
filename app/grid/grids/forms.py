"""The grid form: its name, the unit it belongs to and its visit targets; and the
whole numbers the grid admin's forms take (typed with Chinese input methods too)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.core.validators import plain_text
from app.grid.models import Grid
from app.i18n import N_

MAX_NAME = 40
FIELDS = ("name", "unit_id", "month_target", "quarter_target")


@dataclass(frozen=True)
class GridForm:
    name: str
    unit_id: UUID
    month_target: int
    quarter_target: int


def whole_number(low: int, high: int, message: str) -> Callable[[str], int]:
    """A rule for a whole number in [low, high] (full-width digits too, as Chinese
    input methods type them; a trailing % is allowed); `message` for anything else."""

    def rule(raw: str) -> int:
        text = unicodedata.normalize("NFKC", raw).strip().removesuffix("%").strip()
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            raise FieldError(message)
        return int(text)

    return rule


MONTH_TARGET = whole_number(0, 100, N_("Give the monthly target as a whole percent from 0 to 100."))
QUARTER_TARGET = whole_number(
    0, 100, N_("Give the quarterly target as a whole percent from 0 to 100.")
)


def short_name(longest: int, missing: str, too_long: str) -> Callable[[str], str]:
    """A rule for a name as typed (spaces collapsed), required, at most `longest` long."""

    def rule(raw: str) -> str:
        name = plain_text(raw)
        if not name:
            raise FieldError(missing)
        if len(name) > longest:
            raise FieldError(too_long)
        return name

    return rule


grid_name = short_name(
    MAX_NAME,
    N_("Please enter a name for the grid."),
    N_("A grid name can be at most 40 characters."),
)


def unit_id(raw: str) -> UUID:
    try:
        return UUID(raw.strip())
    except ValueError:
        raise FieldError(N_("Please choose the unit the grid belongs to.")) from None


def parse_grid_form(data: Mapping[str, str]) -> GridForm:
    """The grid form's fields, or InvalidForm naming each field that is wrong."""
    reader = FormReader(data)
    name = reader.field("name", grid_name)
    unit = reader.field("unit_id", unit_id)
    month = reader.field("month_target", MONTH_TARGET)
    quarter = reader.field("quarter_target", QUARTER_TARGET)
    reader.done()
    assert name and unit and month is not None and quarter is not None  # done() saw them all
    return GridForm(name, unit, month, quarter)


def grid_form(grid: Grid) -> dict[str, str]:
    """The grid as its form shows it."""
    return {key: str(getattr(grid, key) or "") for key in FIELDS} | {
        "month_target": str(grid.month_target),
        "quarter_target": str(grid.quarter_target),
    }
