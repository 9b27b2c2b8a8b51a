"""The annual summary's figures from the district's tables: a few grouped statements
per section, each over the year and the one before (row-level security keeps them to
the district the session is bound to)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.clock import CHINA_TIME
from app.db.tenant import require_tenant
from app.grid.models import SATISFIED_BY, VisitKind
from app.people.models import OrgUnit, UnitKind
from app.points.periods import Period
from app.points.standings import (
    category_names,
    period_params,
    plan_each_time,
    tally_sql,
    version_for,
)
from app.points.tally import score
from app.reports.summary.figures import (
    MONTHS,
    CategoryFigures,
    CategoryPoints,
    DueCount,
    HalfFigures,
    KindCount,
    PointFigures,
    PublicationFigures,
    RequestFigures,
    VisitFigures,
)
from app.service_requests.compliance.service import Tally
from app.service_requests.queries import STOPPED
from tenants.models import Tenant

KIND_ORDER = list(VisitKind)


def china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


async def district_name(session: AsyncSession) -> str:
    name = await session.scalar(select(Tenant.name).where(Tenant.id == require_tenant()))
    return name or ""


# --- visits --------------------------------------------------------------------------------

VISITS_BY_MONTH = """
select extract(year from visited_on)::int as year, extract(month from visited_on)::int as month,
       kind, place, count(*) as visits
  from visits
 where visited_on < :end
 group by 1, 2, 3, 4
"""

# Distinct people per kind in the year, and over all kinds (the row whose kind is null).
PEOPLE_VISITED = """
select kind, count(distinct person_id) as people
  from visits
 where visited_on >= :start and visited_on < :end
 group by grouping sets ((kind), ())
"""

ROSTER = """
select count(*) from people where deceased_on is null or deceased_on >= :start
"""

# The must-visit items that fell due in the year up to now, by what made them due,
# and how many a visit answered (an unanswered concern item is deleted when the
# concern is closed, so it is neither).
DUE_ITEMS = """
select r.trigger, count(*) as due, count(i.visit_id) as answered
  from visit_due_items i
  join visit_rules r on r.tenant_id = i.tenant_id and r.id = i.rule_id
 where i.due_at >= :start_at and i.due_at < :until
 group by r.trigger
"""


async def visit_figures(session: AsyncSession, year: int) -> VisitFigures:
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    found = VisitFigures(year)
    this_year: dict[str, int] = defaultdict(int)
    last_year: dict[str, int] = defaultdict(int)
    per_year: dict[int, int] = defaultdict(int)
    months: dict[str, list[int]] = {}
    for row in await session.execute(text(VISITS_BY_MONTH), {"end": end}):
        per_year[row.year] += row.visits
        if row.year == year:
            this_year[row.kind] += row.visits
            found.places[row.place] = found.places.get(row.place, 0) + row.visits
            months.setdefault(row.kind, [0] * MONTHS)[row.month - 1] += row.visits
        elif row.year == year - 1:
            last_year[row.kind] += row.visits
            found.previous_months[row.month - 1] += row.visits
    found.visits, found.previous = per_year.get(year, 0), per_year.get(year - 1, 0)
    if per_year:
        found.years = [(y, per_year.get(y, 0)) for y in range(min(per_year), year + 1)]
    people = {
        row.kind: row.people
        for row in await session.execute(text(PEOPLE_VISITED), {"start": start, "end": end})
    }
    found.people = people.get(None, 0)
    known = [k.value for k in KIND_ORDER]
    kinds = known + sorted((set(this_year) | set(last_year)) - set(known))
    found.kinds = [
        KindCount(kind, this_year.get(kind, 0), last_year.get(kind, 0), people.get(kind, 0))
        for kind in kinds
        if this_year.get(kind) or last_year.get(kind)
    ]
    found.months = {kind: months[kind] for kind in kinds if kind in months}
    found.roster = await session.scalar(text(ROSTER), {"start": start}) or 0
    until = min(china_midnight(end), clock.now())
    due = {
        row.trigger: row
        for row in await session.execute(
            text(DUE_ITEMS), {"start_at": china_midnight(start), "until": until}
        )
    }
    found.due = [
        DueCount(SATISFIED_BY[trigger].value, due[trigger].due, due[trigger].answered)
        for trigger in SATISFIED_BY
        if trigger in due
    ]
    return found


# --- service requests ----------------------------------------------------------------------

# Each request logged in the year or the one before, judged as compliance.outcome judges
# it on /requests/sla: in time when resolved by its due time, late when resolved after
# it, still open past it, or late in an earlier round before a reopen; otherwise still
# running. tests/service/test_annual_summary.py holds the two to each other.
REQUESTS = """
with judged as (
    select r.tenant_id, r.category_id, r.created_at >= :start_at as this_year,
           r.satisfaction, r.status = any(:stopped) as resolved,
           case when exists (select from service_request_events e
                              where e.tenant_id = r.tenant_id and e.request_id = r.id
                                and e.kind = 'late') then 'late'
                when r.status = any(:stopped)
                     then case when r.resolved_at <= r.due_at then 'within' else 'late' end
                when :now > r.due_at then 'late'
                else 'running' end as outcome
      from service_requests r
     where r.created_at >= :previous_at and r.created_at < :end_at
)
select c.name, j.this_year, count(*) as requests,
       count(*) filter (where j.outcome = 'within') as within,
       count(*) filter (where j.outcome = 'late') as late,
       count(*) filter (where j.outcome = 'running') as running,
       count(*) filter (where j.resolved) as resolved,
       count(j.satisfaction) as rated,
       count(*) filter (where j.satisfaction >= 4) as satisfied,
       coalesce(sum(j.satisfaction), 0) as score_sum
  from judged j
  join request_categories c on c.tenant_id = j.tenant_id and c.id = j.category_id
 group by c.name, c.position, j.this_year
 order by c.position, c.name
"""


def _category(name: str, row: Any, previous: int) -> CategoryFigures:
    tally = Tally(name, row.requests, row.within, row.late, row.running)
    return CategoryFigures(tally, previous, row.rated, row.satisfied, row.score_sum)


def _total(lines: list[CategoryFigures], previous: int) -> CategoryFigures:
    tally = Tally("")
    for line in lines:
        for part in ("count", "within", "late", "running"):
            setattr(tally, part, getattr(tally, part) + getattr(line.tally, part))
    return CategoryFigures(
        tally,
        previous,
        sum(line.rated for line in lines),
        sum(line.satisfied for line in lines),
        sum(line.score_sum for line in lines),
    )


async def request_figures(session: AsyncSession, year: int) -> RequestFigures:
    found = RequestFigures(year)
    params = {
        "previous_at": china_midnight(date(year - 1, 1, 1)),
        "start_at": china_midnight(date(year, 1, 1)),
        "end_at": china_midnight(date(year + 1, 1, 1)),
        "now": clock.now(),
        "stopped": [str(status) for status in STOPPED],
    }
    rows = list(await session.execute(text(REQUESTS), params))
    before = {row.name: row.requests for row in rows if not row.this_year}
    # A category with requests only the year before has no line of this year's.
    found.categories = [
        _category(row.name, row, before.get(row.name, 0)) for row in rows if row.this_year
    ]
    found.before = _total([_category(r.name, r, 0) for r in rows if not r.this_year], 0)
    found.total = _total(found.categories, found.before.tally.count)
    found.resolved = sum(row.resolved for row in rows if row.this_year)
    return found


# --- points --------------------------------------------------------------------------------


def whole_year(year: int) -> Period:
    """The year as a period of the tally: its four quarters (each already capped by the
    ledger's trigger, year caps included)."""
    return Period(year, 1, 12)


# Who is scored, as standings.MEMBERS has it: living party members in a branch, the
# infirm exempt. One row per member with the year's points (active: any counted), then
# one row per category over the scored members. The tally is standings' own statement
# (a CTE used twice is computed once); the rankings themselves — places, names, arrays
# of categories per member — are not needed for a summary, and cost as much again.
YEAR_POINTS = """
with counted as ({counted}),
scored as (
    select c.person_id, c.category, c.points, m.infirm
      from counted c
      join people m on m.id = c.person_id
     where m.party_member and m.deceased_on is null and m.branch_id is not null
),
per_person as (select person_id, sum(points) as points from scored group by person_id)
select null as category, m.infirm, coalesce(pp.points, 0) as points,
       pp.person_id is not null as active, null::bigint as members
  from people m
  left join per_person pp on pp.person_id = m.id
 where m.party_member and m.deceased_on is null and m.branch_id is not null
union all
select category, false, sum(points), true, count(*)
  from scored where not infirm group by category
"""

# The year before's participation only: scored members, and those with points counted.
TOOK_PART = """
select count(*) as members,
       count(*) filter (where exists (
           select from point_counted pt
            where pt.tenant_id = m.tenant_id and pt.person_id = m.id
              and pt.quarter_start between :first and :last)) as active
  from people m
 where m.party_member and m.deceased_on is null and m.branch_id is not null and not m.infirm
"""


async def point_figures(session: AsyncSession, year: int) -> PointFigures:
    found = PointFigures(year)
    period = whole_year(year)
    rule_set = await version_for(session, period)
    if rule_set is None:
        return found
    found.has_rules = True
    base = rule_set.base_score
    await plan_each_time(session)
    params = period_params(period, None, None)
    totals: dict[str, Decimal] = {}
    members: dict[str, int] = {}
    statement = text(YEAR_POINTS.format(counted=tally_sql(draft=False, branch=False)))
    for row in await session.execute(statement, params):
        if row.category is not None:
            totals[row.category], members[row.category] = row.points, row.members
        elif row.infirm:
            found.exempt += 1
        else:
            found.members += 1
            found.active += row.active
            found.scores.append(score(row.points, base))
    order = await category_names(session, rule_set)
    names = [n for n in order if n in totals] + sorted(set(totals) - set(order))
    found.categories = [CategoryPoints(n, totals[n], members.get(n, 0)) for n in names]
    before = whole_year(year - 1)
    if await version_for(session, before) is not None:
        row = (await session.execute(text(TOOK_PART), period_params(before, None, None))).one()
        found.previous_members, found.previous_active = row.members, row.active
    return found


PUBLICATIONS = """
select extract(year from p.period_start)::int as year,
       case when extract(month from p.period_start) <= 6 then 1 else 2 end as half,
       count(distinct p.id) as held,
       count(distinct p.id) filter (where p.status = 'published') as published,
       count(o.id) as objections,
       count(o.id) filter (where o.status = 'upheld') as upheld
  from point_publications p
  left join point_objections o on o.tenant_id = p.tenant_id and o.publication_id = p.id
 where p.period_start >= :start and p.period_start < :end
 group by 1, 2
 order by 1, 2
"""


async def publication_figures(session: AsyncSession, year: int) -> PublicationFigures:
    found = PublicationFigures(year)
    found.branches = (
        await session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.retired_at.is_(None))
        )
        or 0
    )
    rows = await session.execute(
        text(PUBLICATIONS), {"start": date(year - 1, 1, 1), "end": date(year + 1, 1, 1)}
    )
    for row in rows:
        if row.year == year:
            found.halves.append(
                HalfFigures(row.half, row.held, row.published, row.objections, row.upheld)
            )
        else:
            found.previous_held += row.held
    return found
