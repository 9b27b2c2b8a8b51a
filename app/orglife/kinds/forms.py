"""The meeting kinds form (every kind in one table: name, how often, in use, order) and
the thought-report cadence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.core.forms import FieldError, FormReader
from app.core.query_params import query_flag
from app.grid.grids.forms import short_name, whole_number
from app.i18n import N_
from app.orglife.models import Frequency, MeetingKind

MAX_KIND_NAME = 20
MAX_ORDER = 99
kind_name = short_name(
    MAX_KIND_NAME,
    N_("Please enter a name for the meeting kind."),
    N_("A meeting kind's name can be at most 20 characters."),
)
order = whole_number(1, MAX_ORDER, N_("Give the order as a whole number from 1 to 99."))
cadence = whole_number(
    1, 12, N_("Give how often mobile members report as a whole number of months from 1 to 12.")
)


def frequency(raw: str) -> Frequency:
    try:
        return Frequency(raw)
    except ValueError:
        raise FieldError(N_("Please choose how often from the list.")) from None


@dataclass(frozen=True)
class KindForm:
    code: str
    name: str
    frequency: Frequency
    enabled: bool
    position: int


def field_names(code: str) -> dict[str, str]:
    return {key: f"{key}_{code}" for key in ("name", "frequency", "enabled", "order")}


def parse_kinds(kinds: Sequence[MeetingKind], data: Mapping[str, str]) -> list[KindForm]:
    """Every kind's new values (the codes are the district's own), or InvalidForm naming
    each bad field."""
    reader = FormReader(data)
    read = []
    for kind in kinds:
        names = field_names(kind.code)
        name = reader.field(names["name"], kind_name)
        often = reader.field(names["frequency"], frequency)
        position = reader.field(names["order"], order)
        read.append((kind.code, name, often, query_flag(data, names["enabled"]), position))
    reader.done()
    return [KindForm(code, name, often, enabled, position)  # type: ignore[arg-type]
            for code, name, often, enabled, position in read]  # fmt: skip


def kinds_form(kinds: Sequence[MeetingKind]) -> dict[str, str]:
    """The kinds as the form shows them (order counted from 1)."""
    form: dict[str, str] = {}
    for number, kind in enumerate(kinds, start=1):
        names = field_names(kind.code)
        form |= {names["name"]: kind.name, names["frequency"]: kind.frequency,
                 names["order"]: str(number)}  # fmt: skip
        if kind.enabled:
            form[names["enabled"]] = "1"
    return form


def parse_cadence(data: Mapping[str, str]) -> int:
    reader = FormReader(data)
    months = reader.field("thought_report_months", cadence)
    reader.done()
    assert months is not None
    return months
