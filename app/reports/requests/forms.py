"""The report request form: which kind, which quarter or year, which branch, which
format — and, for the roster, the roster page's filter. What only the service can
judge (a quarter in the future, a branch outside the asker's scope) it refuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from app.core.forms import FieldError, FormReader
from app.i18n import N_
from app.people.search import PersonFilter
from app.points.periods import QUARTER_PATTERN, Period, quarter
from app.reports.kinds import KINDS, Kind

CHOOSE_KIND = N_("Please choose a report from the list.")
CHOOSE_QUARTER = N_("Please choose a quarter.")
CHOOSE_YEAR = N_("Please choose a year.")
CHOOSE_BRANCH = N_("Please choose a branch from the list.")
CHOOSE_FORMAT = N_("Please choose Excel or PDF.")


@dataclass(frozen=True)
class ReportForm:
    kind: Kind
    format: str
    period: Period | None = None
    year: int | None = None
    branch_id: UUID | None = None
    wanted: PersonFilter | None = None
    """The roster's filter (the roster kind only)."""


def parse_request(data: Mapping[str, str]) -> ReportForm:
    reader = FormReader(data)
    kind = reader.field("kind", _kind)
    if kind is None:
        reader.done()
    assert kind is not None
    period = reader.field("period", _quarter) if kind.period == "quarter" else None
    year = reader.field("year", _year) if kind.period == "year" else None
    branch_id = reader.field("branch_id", _branch) if kind.branch else None
    chosen = data.get("format") or kind.formats[0]
    if chosen not in kind.formats:
        reader.error("format", CHOOSE_FORMAT)
    reader.done()
    wanted = PersonFilter.from_query(data) if kind.name == "roster" else None
    return ReportForm(kind, chosen, period, year, branch_id, wanted)


def _kind(text: str) -> Kind:
    if text not in KINDS:
        raise FieldError(CHOOSE_KIND)
    return KINDS[text]


def _quarter(text: str) -> Period:
    match = QUARTER_PATTERN.match(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise FieldError(CHOOSE_QUARTER)
    return quarter(int(match[1]), int(match[2]))


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 2000 <= int(text) <= 2100:
        raise FieldError(CHOOSE_YEAR)
    return int(text)


def _branch(text: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        raise FieldError(CHOOSE_BRANCH) from None
