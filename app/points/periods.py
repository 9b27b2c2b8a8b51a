"""Quarters and half-years: points are tallied per quarter and published per half-year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
        if self.months == 3:
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年{'上' if self.index == 1 else '下'}半年"

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
