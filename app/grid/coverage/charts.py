"""Grid service as pictures: visits per month by kind (the homes of the admin and the
secretaries) and each grid's share visited this month (the coverage page).

Visits per month is one statement grouped by month and kind over the last twelve
months, through ix_visits_date for the whole district and through each person's
ix_visits_person for a secretary's people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.charts import Chart, Series, last_months, month_label, month_labels, sentences
from app.core.scope import Scope
from app.grid.coverage.service import GridCoverage, Overview
from app.grid.models import VISIT_KIND_LABELS, Visit
from app.grid.scope import served_by
from app.i18n import _, ngettext
from app.people.models import Person

MONTHS = 12
MOST_GRIDS = 15
"""A chart of 250 grids says nothing: past this many, the ones furthest behind."""


@dataclass(frozen=True)
class VisitMonths:
    """Visits made in each of the last months, by kind of visit."""

    months: list[date]
    """First days, oldest first; the last is this month (to today)."""
    counts: dict[str, list[int]]
    """Kind → visits per month, for every kind (zeros included)."""

    @property
    def total(self) -> int:
        return sum(sum(values) for values in self.counts.values())

    def chart(self) -> Chart:
        kinds = [kind for kind in VISIT_KIND_LABELS if any(self.counts[kind])]
        per_month = [sum(self.counts[kind][i] for kind in kinds) for i in range(len(self.months))]
        busiest = max(range(len(self.months)), key=lambda i: per_month[i]) if self.months else 0
        if self.total:
            summary = _(
                "%(total)s visits in the last %(months)s months; %(this)s so far this month. "
                "The most, %(most)s, in %(month)s.",
                total=self.total, months=len(self.months), this=per_month[-1],
                most=per_month[busiest], month=month_label(self.months[busiest], with_year=True),
            )  # fmt: skip
        else:
            summary = _("No visits were logged in the last %(months)s months.", months=MONTHS)
        return Chart(
            key="visits-by-month",
            title=_("Visits per month, by kind"),
            summary=summary,
            kind="columns",
            category_label=_("Month"),
            categories=month_labels(self.months),
            series=tuple(
                Series(_(VISIT_KIND_LABELS[kind]), tuple(self.counts[kind]),
                       style=list(VISIT_KIND_LABELS).index(kind))
                for kind in kinds
            ),
            total_label=_("All visits"),
        )  # fmt: skip


async def visits_by_month(session: AsyncSession, scope: Scope, today: date) -> VisitMonths:
    """The visits of the people this scope serves (everyone's for the admin), whoever
    made them, in the last MONTHS months up to today."""
    months = last_months(today, MONTHS)
    month = cast(func.date_trunc("month", Visit.visited_on), Date)
    query = (
        select(month, Visit.kind, func.count())
        .where(Visit.visited_on.between(months[0], today))
        .group_by(month, Visit.kind)
    )
    if not scope.everyone:
        query = query.join(
            Person, and_(Person.tenant_id == Visit.tenant_id, Person.id == Visit.person_id)
        ).where(served_by(scope))
    counts: dict[str, list[int]] = {kind: [0] * len(months) for kind in VISIT_KIND_LABELS}
    position = {first: i for i, first in enumerate(months)}
    for first, kind, visits in await session.execute(query):
        if kind in counts and first in position:
            counts[kind][position[first]] = visits
    return VisitMonths(months, counts)


def coverage_chart(overview: Overview) -> Chart:
    """Each grid's share of its people visited this month; ▼ for a grid below its
    monthly target. With many grids, the MOST_GRIDS furthest behind."""
    grids = [row for row in overview.grids if row.people]
    shown = grids
    notes: tuple[str, ...] = ()
    if len(grids) > MOST_GRIDS:
        shown = sorted(grids, key=_behind)[:MOST_GRIDS]
        notes = (
            _("The %(shown)s grids with the lowest share are shown; the table below lists all "
              "%(all)s.", shown=MOST_GRIDS, all=len(grids)),
        )  # fmt: skip
    below = sum(1 for row in grids if row.month_below)
    total = overview.total
    summary = (
        _("%(share)s%% of the people in these grids were visited this month (%(visited)s of "
          "%(people)s).", share=total.month_share, visited=total.visited_month,
          people=total.people)
        if total.people else _("Nobody is assigned to a grid yet.")
    )  # fmt: skip
    if below:
        summary = sentences(
            summary,
            ngettext(
                "%(num)s grid is below its monthly target (marked ▼).",
                "%(num)s grids are below their monthly target (marked ▼).",
                below,
            ),
        )
    return Chart(
        key="coverage",
        title=_("Share visited this month, per grid"),
        summary=summary,
        kind="bars",
        category_label=_("Grid"),
        categories=tuple(row.name for row in shown),
        series=(
            Series(
                _("Visited this month"),
                tuple(row.month_share for row in shown),
                flags=tuple(row.month_below for row in shown),
            ),
        ),
        unit="%",
        flag_label=_("Below target"),
        notes=notes,
    )


def _behind(row: GridCoverage) -> tuple[int, str]:
    return (row.month_share or 0, row.name)
