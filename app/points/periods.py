"""Quarters and half-years: points are tallied per quarter and published per half-year.

Periods are named through the catalogs ("2026年第四季度", "Q4 2026"); `Kept` is the
span a district has kept points in — from its first rules to today — which every
period picker and date check of the points pages starts from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.i18n import N_, translate

QUARTER_NAMES = (N_("Q1"), N_("Q2"), N_("Q3"), N_("Q4"))
HALF_NAMES = (N_("January to June"), N_("July to December"))
QUARTER_OF_YEAR = N_("%(quarter)s %(year)s")
HALF_OF_YEAR = N_("%(half)s %(year)s")

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
HALF_PATTERN = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True, order=True)
class Period:
    """A quarter (months=3) or a half-year (months=6) of one year."""

    year: int
    index: int
    months: int = 3

    @property
    def start(self) -> date:
        return date(self.year, (self.index - 1) * self.months + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        month = self.index * self.months
        following = date(self.year + 1, 1, 1) if month == 12 else date(self.year, month + 1, 1)
        return following - timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.year}{'Q' if self.months == 3 else 'H'}{self.index}"

    @property
    def label(self) -> str:
        """The period in the request's language: "2026年第四季度", "Q4 2026"."""
        return self.name(translate)

    @property
    def short_label(self) -> str:
        """Within its year: "第四季度", "Q4"."""
        return translate(self._names[self.index - 1])

    def name(self, gettext: Callable[[str], str]) -> str:
        """The period in the language of `gettext` (the .xlsx ledger is always Chinese)."""
        if self.months == 3:
            words = {"quarter": gettext(QUARTER_NAMES[self.index - 1]), "year": self.year}
            return gettext(QUARTER_OF_YEAR) % words
        return gettext(HALF_OF_YEAR) % {"half": gettext(HALF_NAMES[self.index - 1]),
                                        "year": self.year}  # fmt: skip

    @property
    def _names(self) -> tuple[str, ...]:
        return QUARTER_NAMES if self.months == 3 else HALF_NAMES

    def quarters(self) -> list[Period]:
        per = self.months // 3
        return [quarter(self.year, (self.index - 1) * per + i + 1) for i in range(per)]

    def quarters_of_year(self) -> list[Period]:
        return [quarter(self.year, i) for i in range(1, 5)]

    def previous(self) -> Period:
        count = 12 // self.months
        if self.index == 1:
            return Period(self.year - 1, count, self.months)
        return Period(self.year, self.index - 1, self.months)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def quarter(year: int, index: int) -> Period:
    return Period(year, index, 3)


def half(year: int, index: int) -> Period:
    return Period(year, index, 6)


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def half_of(day: date) -> Period:
    return half(day.year, 1 if day.month <= 6 else 2)


def parse_quarter(text: str | None, default: Period) -> Period:
    """`2026Q3` or the default; a malformed key falls back rather than failing a page."""
    match = QUARTER_PATTERN.match(text or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        return default
    return quarter(int(match[1]), int(match[2]))


def parse_half(text: str | None) -> Period | None:
    match = HALF_PATTERN.match(text or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        return None
    return half(int(match[1]), int(match[2]))


def recent_quarters(day: date, count: int = 8, since: date | None = None) -> list[Period]:
    """The quarter of `day` and the ones before it, newest first (for a period picker),
    back to the quarter of `since` (when the district's rules began) at the earliest."""
    periods = [quarter_of(day)]
    while len(periods) < count and (since is None or periods[-1].start > since):
        periods.append(periods[-1].previous())
    return periods


@dataclass(frozen=True)
class Kept:
    """The span a district has kept points in: from the day its first rules came into
    force (`since`, None while it has none) to `today`. A picker offers only periods
    that reach into it and a form only its days, so a new district is never shown the
    years before it used Redstar as empty ones, nor offered what would be refused."""

    since: date | None
    today: date

    def holds(self, period: Period) -> bool:
        """Some day of `period` lies between the first rules and today."""
        return self.since is not None and self.since <= period.end and period.start <= self.today

    def quarters(self, count: int = 8) -> list[Period]:
        """Today's quarter and those before it, newest first, back to the first rules'."""
        return recent_quarters(self.today, count, since=self.since)

    def quarter(self, key: str | None) -> Period:
        """The quarter a link names (`2026Q4`), or today's when it names none in the span."""
        current = quarter_of(self.today)
        asked = parse_quarter(key, current)
        return asked if self.holds(asked) else current

    def years(self) -> list[int]:
        """This year and those before it, back to the first rules' year, newest first."""
        first = min(self.since or self.today, self.today)
        return list(range(self.today.year, first.year - 1, -1))

    def quarters_in(self, year: int) -> list[Period]:
        """The quarters of `year` in the span, in order."""
        return [q for q in quarter(year, 1).quarters_of_year() if self.holds(q)]

    def first_day_in(self, period: Period) -> date:
        return max(period.start, self.since) if self.since else period.start

    def last_day_in(self, period: Period) -> date:
        return min(period.end, self.today)
