"""How many meetings of a kind a branch owes in a year, and how many of them are due by a
day — pure arithmetic, tested without a database.

A frequency splits the year into equal periods (12 months, 4 quarters, 2 halves, 1
year); each period owes one meeting. Counting restarts every 1 January: a meeting
counts in the year it was held.

A district that started during the year (its signup) owes the periods it was there
for: every period that ends in or after the month it started, the period it started in
included (a district that started in September owes the third quarter's lecture and
the fourth's: 2 of 4; a monthly meeting 4 of 12; the yearly one 1). A period is due
once it has ended: on 15 May, the monthly meetings of January–April are due, May's not
yet; that is what "overdue" compares with.

A period is kept by a meeting held in it: twelve 主题党日 held in January keep January
only (`kept`), so the shortfall and what is behind count the periods without one.
"""

from __future__ import annotations

from datetime import date

from app.orglife.models import PER_YEAR, Frequency


def periods(frequency: str) -> list[tuple[int, int]]:
    """The year's periods of a frequency as (first month, last month)."""
    count = PER_YEAR[Frequency(frequency)]
    if not count:
        return []
    length = 12 // count
    return [(start, start + length - 1) for start in range(1, 13, length)]


def _counted(frequency: str, year: int, started: date | None) -> list[tuple[int, int]]:
    if started is not None and started.year > year:
        return []
    first = started.month if started is not None and started.year == year else 1
    return [(a, b) for a, b in periods(frequency) if b >= first]


def owed_in_year(frequency: str, year: int, started: date | None) -> int:
    """Meetings owed in `year` by a district that started on `started`."""
    return len(_counted(frequency, year, started))


def due_by(frequency: str, year: int, started: date | None, today: date) -> int:
    """Of those, how many periods have ended by `today`."""
    if year > today.year:
        return 0
    counted = _counted(frequency, year, started)
    if year < today.year:
        return len(counted)
    return sum(1 for _a, last in counted if last < today.month)


def kept(
    frequency: str,
    year: int,
    started: date | None,
    months: set[int],
    today: date | None = None,
) -> int:
    """How many of the owed periods (only those ended by `today`, when given) had a
    meeting held in them; `months` are the months of `year` with one held."""
    counted = _counted(frequency, year, started)
    if today is not None:
        if year > today.year:
            return 0
        if year == today.year:
            counted = [(a, b) for a, b in counted if b < today.month]
    return sum(1 for a, b in counted if any(a <= m <= b for m in months))
