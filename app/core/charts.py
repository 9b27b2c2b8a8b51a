"""Charts as plain data: what a page shows as a picture, and the same in words.

A capability turns its figures into a `Chart` — categories along one axis (months,
grids, branches), one or more series of numbers, every word already in the reader's
language. The macro in `templates/_partials/_chart.html` puts it on the page three
ways: a sentence that says what matters, every figure in a table inside <details>, and
the JSON that `static/js/charts.js` draws with ECharts. A screen reader, a phone
without JavaScript and a 90-year-old's eyes each get the whole of it.

The JSON says what to draw, not how: fonts, colours, patterns and motion are decided
once, in charts.js, for every chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from babel.dates import format_skeleton

from app.i18n import current_locale

Kind = Literal["columns", "line", "bars"]
"""columns: vertical bars over time, stacked when there are several series (drawn
across on a phone, one row per month); line: a share over time; bars: one bar per
grid or branch, across."""

Value = int | None


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Value, ...]
    """One per category; None where there is nothing to count (no request decided)."""
    style: int = 0
    """Which colour and pattern (charts.js); the same meaning keeps the same one on
    every page (a kind of visit, "late")."""
    flags: tuple[bool, ...] = ()
    """Values to mark (▼ and the warning pattern), e.g. a grid below its target."""


@dataclass(frozen=True)
class Chart:
    key: str
    """Names the chart on the page (its element's id) and in tests."""
    title: str
    summary: str
    """One or two plain sentences: what the picture shows, and what matters in it."""
    kind: Kind
    category_label: str
    """The table's first column: "Month", "Grid"."""
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    """"%" for shares (the axis then runs to 100), "" for counts."""
    flag_label: str = ""
    """What a flagged value means ("Below target"), beside it in the table."""
    total_label: str = ""
    """For stacked columns: the table's column of totals (and the figure on each column)."""
    notes: tuple[str, ...] = field(default=())
    """Further lines under the chart (e.g. how many more rows the table leaves out)."""

    @property
    def empty(self) -> bool:
        """Nothing to draw: no figure at all, or only zero counts (a share of 0% is a
        figure worth seeing)."""
        values = [v for series in self.series for v in series.values if v is not None]
        return not values or (self.unit != "%" and not any(values))

    def totals(self) -> tuple[int, ...]:
        return tuple(
            sum(series.values[i] or 0 for series in self.series)
            for i in range(len(self.categories))
        )

    def spec(self) -> dict[str, Any]:
        """What charts.js reads (from the element's data-chart attribute)."""
        spec: dict[str, Any] = {
            "kind": self.kind,
            "unit": self.unit,
            "categories": list(self.categories),
            "series": [
                {"name": s.name, "values": list(s.values), "style": s.style,
                 "flags": list(s.flags)}
                for s in self.series
            ],
        }  # fmt: skip
        if self.total_label and len(self.series) > 1:
            spec["totals"] = list(self.totals())
        return spec

    def rows(self) -> list[tuple[str, list[tuple[Value, bool]]]]:
        """The table: each category with its values (and whether each is flagged)."""
        return [
            (
                category,
                [
                    (s.values[i], bool(s.flags[i]) if i < len(s.flags) else False)
                    for s in self.series
                ],
            )
            for i, category in enumerate(self.categories)
        ]


def share(part: int, whole: int) -> int | None:
    """A whole percent, rounded to the nearest; None when there is nothing to share."""
    return round(100 * part / whole) if whole else None


def last_months(today: date, count: int = 12) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_label(first_day: date, *, with_year: bool = False) -> str:
    """A month as people write it: "3月" or "2026年3月" (en: "Mar", "Mar 2026")."""
    return format_skeleton("yMMM" if with_year else "MMM", first_day, locale=current_locale.get())


def month_labels(months: list[date]) -> tuple[str, ...]:
    """Months along an axis: the year on the first and on each January only."""
    return tuple(month_label(m, with_year=i == 0 or m.month == 1) for i, m in enumerate(months))


def sentences(*parts: str) -> str:
    """Sentences one after another: Chinese puts none of the space English does."""
    return ("" if current_locale.get().startswith("zh") else " ").join(p for p in parts if p)
