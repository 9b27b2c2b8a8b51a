"""The care calendar's query: which month (`?month=2027-01`), which branch or center.

A month out of reach or mangled is this month, as a page number past the end is the
last page (app.core.query_params): a link never fails."""

from __future__ import annotations

from datetime import date

from app.core import clock
from app.core.query_params import Params

MONTHS_BEFORE = 1
MONTHS_AHEAD = 11
"""The picker: last month (for one not yet written up) and the coming eleven."""


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def this_month() -> date:
    return clock.today().replace(day=1)


def month_choices() -> list[date]:
    first = add_months(this_month(), -MONTHS_BEFORE)
    return [add_months(first, n) for n in range(MONTHS_BEFORE + MONTHS_AHEAD + 1)]


def query_month(params: Params) -> date:
    """`?month=YYYY-MM` within the picker's months; anything else is this month."""
    raw = params.get("month", "").strip()
    try:
        year, month = (int(part) for part in raw.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return this_month()
    return chosen if chosen in month_choices() else this_month()
