"""Coverage: how many of each grid's people were visited this month and this quarter,
against the targets the district sets per grid, with the overdue must-visits and the
people nobody has visited for 90 days.

Figures are for the people assigned to a grid now (living ones): a person moved to
another grid counts there, with every visit they had, whoever made it. Months and
quarters are calendar ones in China time. The whole view is one statement grouped by
grid, the detail of one grid another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.grid.due import MISSED_AFTER_DAYS
from app.grid.models import Grid
from app.grid.scope import grid_for, visible_grids

STALE_DAYS = 90
"""Someone whose last visit is this many days old or more (or who was never visited)
is listed as not visited for 90 days."""


@dataclass(frozen=True)
class Window:
    """The dates the figures are counted for."""

    today: date
    now: datetime

    @property
    def month_start(self) -> date:
        return self.today.replace(day=1)

    @property
    def quarter_start(self) -> date:
        return date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1)

    @property
    def recent_since(self) -> date:
        """The first of the last 90 days (today is the last)."""
        return self.today - timedelta(days=STALE_DAYS - 1)

    @property
    def overdue_since(self) -> datetime:
        """Older unanswered items are missed, no longer overdue (see app.grid.due)."""
        return self.now - timedelta(days=MISSED_AFTER_DAYS)

    @property
    def window_start(self) -> date:
        """The first day any figure looks at (a quarter can be 92 days long)."""
        return min(self.quarter_start, self.recent_since)

    def params(self) -> dict[str, object]:
        return {
            "today": self.today,
            "window_start": self.window_start,
            "now": self.now,
            "month_start": self.month_start,
            "quarter_start": self.quarter_start,
            "recent_since": self.recent_since,
            "overdue_since": self.overdue_since,
        }


def current_window() -> Window:
    return Window(clock.today(), clock.now())


def share(part: int, whole: int) -> int | None:
    """A whole percent, rounded down so 29.9% never shows as meeting a 30% target."""
    return part * 100 // whole if whole else None


@dataclass(frozen=True)
class GridCoverage:
    grid_id: UUID | None
    """None for the total row."""
    name: str
    month_target: int | None
    quarter_target: int | None
    people: int = 0
    visited_month: int = 0
    visited_quarter: int = 0
    overdue: int = 0
    stale: int = 0
    """Not visited for 90 days, never-visited included."""

    @property
    def month_share(self) -> int | None:
        return share(self.visited_month, self.people)

    @property
    def quarter_share(self) -> int | None:
        return share(self.visited_quarter, self.people)

    @property
    def month_below(self) -> bool:
        return below(self.visited_month, self.people, self.month_target)

    @property
    def quarter_below(self) -> bool:
        return below(self.visited_quarter, self.people, self.quarter_target)


def below(visited: int, people: int, target: int | None) -> bool:
    """Exactly: 3 of 10 meets 30%; a grid with nobody in it is never behind."""
    return bool(people and target is not None and visited * 100 < target * people)


# The living people of the grids now; their last visit inside the window the figures
# need, and their unanswered items past the deadline but not yet missed. The planner
# picks per call: for one grid a step down ix_visits_person / ix_visit_due_items_open
# per member, for the whole district one pass over the window's visits.
PER_GRID = """
    with members as (
        select a.grid_id, a.person_id
          from grid_assignments a
          join people p on p.tenant_id = a.tenant_id and p.id = a.person_id
         where a.ends_at is null and a.grid_id = any(:grids) and p.deceased_on is null
    ),
    recent as (
        select v.person_id, max(v.visited_on) as last_visit
          from visits v
         where v.person_id in (select person_id from members)
           and v.visited_on between :window_start and :today
         group by v.person_id
    ),
    overdue as (
        select d.person_id, count(*) as overdue
          from visit_due_items d
         where d.person_id in (select person_id from members)
           and d.visit_id is null and d.due_at < :now and d.due_at > :overdue_since
         group by d.person_id
    )
    select m.grid_id, count(*) as people,
           count(*) filter (where r.last_visit >= :month_start) as visited_month,
           count(*) filter (where r.last_visit >= :quarter_start) as visited_quarter,
           coalesce(sum(o.overdue), 0) as overdue,
           count(*) filter (where r.last_visit is null or r.last_visit < :recent_since) as stale
      from members m
      left join recent r on r.person_id = m.person_id
      left join overdue o on o.person_id = m.person_id
     group by m.grid_id
"""

# One grid's people: the last visit with its kind, the visits this quarter.
PEOPLE = """
    select p.id, p.name, p.phone, p.family_contact_name, p.family_contact_phone,
           lv.visited_on as last_visit, lv.kind as last_kind,
           (select count(*) from visits v
             where v.tenant_id = a.tenant_id and v.person_id = a.person_id
               and v.visited_on between :quarter_start and :today) as quarter_visits,
           (select count(*) from visit_due_items d
             where d.tenant_id = a.tenant_id and d.person_id = a.person_id
               and d.visit_id is null and d.due_at < :now
               and d.due_at > :overdue_since) as overdue
      from grid_assignments a
      join people p on p.tenant_id = a.tenant_id and p.id = a.person_id
      left join lateral (
            select v.visited_on, v.kind from visits v
             where v.tenant_id = a.tenant_id and v.person_id = a.person_id
               and v.visited_on <= :today
             order by v.visited_on desc, v.logged_at desc
             limit 1) lv on true
     where a.ends_at is null and a.grid_id = :grid and p.deceased_on is null
     order by p.sort_key, p.id
"""


@dataclass(frozen=True)
class PersonCoverage:
    person_id: UUID
    name: str
    phone: str | None
    family_contact_name: str | None
    family_contact_phone: str | None
    last_visit: date | None
    last_kind: str | None
    quarter_visits: int
    overdue: int
    month_start: date
    today: date

    @property
    def visited_this_month(self) -> bool:
        return self.last_visit is not None and self.last_visit >= self.month_start

    @property
    def days_since(self) -> int | None:
        return (self.today - self.last_visit).days if self.last_visit else None

    @property
    def stale(self) -> bool:
        return self.days_since is None or self.days_since >= STALE_DAYS


@dataclass(frozen=True)
class Overview:
    window: Window
    grids: list[GridCoverage]
    total: GridCoverage


@dataclass(frozen=True)
class GridDetail:
    window: Window
    grid: Grid
    figures: GridCoverage
    people: list[PersonCoverage]

    @property
    def stale(self) -> list[PersonCoverage]:
        """Not visited for 90 days: never-visited first, then the longest ago."""
        return sorted(
            (p for p in self.people if p.stale),
            key=lambda p: (p.last_visit is not None, p.last_visit or date.min, p.name),
        )


async def plan_each_time(session: AsyncSession) -> None:
    """Plan for this call's grids: a generic plan cached by asyncpg's prepared
    statement cannot tell one grid of 150 people from a district of 40,000."""
    await session.execute(text("set local plan_cache_mode = force_custom_plan"))


async def figures_by_grid(
    session: AsyncSession, grids: list[Grid], window: Window
) -> list[GridCoverage]:
    """The figures of `grids`, in their order (a grid with nobody in it shows zeros)."""
    await plan_each_time(session)
    rows = await session.execute(
        text(PER_GRID), {**window.params(), "grids": [grid.id for grid in grids]}
    )
    counted = {row.grid_id: row for row in rows}
    result = []
    for grid in grids:
        row = counted.get(grid.id)
        figures = (
            {
                "people": row.people,
                "visited_month": row.visited_month,
                "visited_quarter": row.visited_quarter,
                "overdue": int(row.overdue),
                "stale": row.stale,
            }
            if row
            else {}
        )
        result.append(
            GridCoverage(grid.id, grid.name, grid.month_target, grid.quarter_target, **figures)
        )
    return result


def total_of(rows: list[GridCoverage]) -> GridCoverage:
    return GridCoverage(
        None, "", None, None,
        people=sum(r.people for r in rows),
        visited_month=sum(r.visited_month for r in rows),
        visited_quarter=sum(r.visited_quarter for r in rows),
        overdue=sum(r.overdue for r in rows),
        stale=sum(r.stale for r in rows),
    )  # fmt: skip


class CoverageService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def overview(self, identity: Identity) -> Overview:
        """Every grid the user sees, with a total row over them."""
        window = current_window()
        grids = await visible_grids(self.session, identity.scope)
        rows = await figures_by_grid(self.session, grids, window) if grids else []
        return Overview(window, rows, total_of(rows))

    async def grid(self, identity: Identity, grid_id: UUID) -> GridDetail:
        """One grid person by person; NotFound for a grid the user does not see."""
        window = current_window()
        grid = await grid_for(self.session, identity.scope, grid_id)
        (figures,) = await figures_by_grid(self.session, [grid], window)
        rows = await self.session.execute(text(PEOPLE), {**window.params(), "grid": grid.id})
        people = [
            PersonCoverage(
                person_id=row.id,
                name=row.name,
                phone=row.phone,
                family_contact_name=row.family_contact_name,
                family_contact_phone=row.family_contact_phone,
                last_visit=row.last_visit,
                last_kind=row.last_kind,
                quarter_visits=row.quarter_visits,
                overdue=row.overdue,
                month_start=window.month_start,
                today=window.today,
            )
            for row in rows
        ]
        return GridDetail(window, grid, figures, people)
