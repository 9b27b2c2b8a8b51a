"""Tallies and rankings for a period, computed in SQL from the per-quarter sums.

One statement per question: the period's quarters (and, for items capped per year,
the year's earlier quarters) are read from point_tallies, capped as tally.py defines,
and summed per member and category. The what-if preview runs the same statement with
each sum re-scored by the draft item of the same code.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.db import Database
from app.people.models import OrgUnit, UnitKind
from app.people.pinyin import unit_sort_key
from app.points.models import RuleCategory, RuleSet
from app.points.periods import Period
from app.points.rules.versions import in_force
from app.points.tally import score

# A period's points per member and category. As scored, they are the capped figures
# the ledger's trigger keeps per member, code and quarter (point_counted, by the rule
# of tally.py — see migrations/versions/20261124_points_counted.py): the statement
# only sums them. A draft re-scores the per-quarter sums in SQL by the same rule:
# caps are kept per item *code*, so a new version hands out no fresh cap; a quarter's
# sums of one code are capped together by the newest version's item among them, and
# the year's cap (of the newest item up to the period) bounds the quarters' running
# total. With `before` the capped quarters of the year before the period and `now`
# those inside it, the period counts clamp(before + now) - clamp(before): the running
# total telescopes, so no window over the quarters is needed.

SCORED = """
    select pt.person_id, c.name as category, sum(pt.points) as points
      from point_counted pt
      join point_categories c on c.tenant_id = pt.tenant_id and c.id = pt.category_id
      {people}
     where pt.quarter_start between :first and :last
     group by pt.person_id, c.name
"""

# The same sums re-scored by a draft: their quantity times the draft item of the same
# code. Items the draft drops count for nothing.
DRAFT = """
    select pt.person_id, d.code, pt.quarter_start >= :first as inside,
           sum(pt.quantity) * d.points as points, 0 as version
      from point_tallies pt
      join point_items i on i.tenant_id = pt.tenant_id and i.id = pt.rule_item_id
      join point_items d on d.tenant_id = pt.tenant_id and d.rule_set_id = :draft
                        and d.code = i.code
      {people}
     where pt.quarter_start between :year_start and :last
       and (pt.quarter_start >= :first or d.cap_year is not null)
     group by pt.person_id, d.code, pt.quarter_start, d.points
"""
DRAFT_ITEMS = """
    select code, 0 as version, category_id, cap_quarter, cap_year, points > 0 as positive,
           row_number() over (order by code) as key
      from point_items where rule_set_id = :draft
"""

CAPPED = """
with items as ({items}),
quarters as ({raw}),
capped as (
    select q.person_id, q.code, q.inside, it.key,
           case when it.cap_quarter is null then q.points
                when it.positive then least(q.points, it.cap_quarter)
                else greatest(q.points, -it.cap_quarter) end as q
      from quarters q
      join items it on it.code = q.code and it.version = q.version
),
per_code as (
    select person_id, max(key) as key,
           coalesce(sum(q) filter (where not inside), 0) as before,
           sum(q) filter (where inside) as now
      from capped
     group by person_id, code
)
select p.person_id, c.name as category,
       sum(case when it.cap_year is null then p.now
                when it.positive then least(p.before + p.now, it.cap_year)
                                    - least(p.before, it.cap_year)
                else greatest(p.before + p.now, -it.cap_year) - greatest(p.before, -it.cap_year)
           end) as points
  from per_code p
  join items it on it.key = p.key
  join point_categories c on c.id = it.category_id
 where p.now is not null
 group by p.person_id, c.name
"""

BRANCH_PEOPLE = """
      join people p on p.tenant_id = pt.tenant_id and p.id = pt.person_id
                   and p.branch_id = any(:branches)
"""


# Who is scored — living party members in a branch, the exempt listed apart — with
# their period's points per category, in ranking order: one row per member.
MEMBERS = """
with counted as ({counted}),
per_person as (
    select person_id, sum(points) as points,
           array_agg(category) as categories, array_agg(points) as category_points
      from counted group by person_id
)
select m.id, m.name, m.branch_id, m.infirm, coalesce(pp.points, 0) as points,
       pp.categories, pp.category_points
  from people m
  left join per_person pp on pp.person_id = m.id
 where m.party_member and m.deceased_on is null and m.branch_id is not null {branch}
 order by m.branch_id, coalesce(pp.points, 0) desc, m.sort_key, m.id
"""


def tally_sql(*, draft: bool, branch: bool) -> str:
    people = BRANCH_PEOPLE if branch else ""
    if not draft:
        return SCORED.format(people=people)
    return CAPPED.format(raw=DRAFT.format(people=people), items=DRAFT_ITEMS)


async def plan_each_time(session: AsyncSession) -> None:
    """Plan the tally for its own dates and branch. asyncpg prepares statements, and
    after five runs PostgreSQL may switch to a generic plan that cannot see how few
    quarters or people the parameters select — seconds instead of milliseconds."""
    await session.execute(text("set local plan_cache_mode = force_custom_plan"))


def period_params(
    period: Period, branch_id: UUID | None, draft_id: UUID | None
) -> dict[str, object]:
    params: dict[str, object] = {
        "year_start": period.start.replace(month=1, day=1),
        "first": period.start,
        "last": period.quarters()[-1].start,
    }
    if branch_id:
        params["branches"] = [branch_id]
    if draft_id:
        params["draft"] = draft_id
    return params


async def period_points(
    session: AsyncSession,
    period: Period,
    *,
    branch_id: UUID | None = None,
    draft_id: UUID | None = None,
) -> dict[UUID, dict[str, Decimal]]:
    """Counted points per member and category name for the period, after caps."""
    await plan_each_time(session)
    rows = await session.execute(
        text(tally_sql(draft=draft_id is not None, branch=branch_id is not None)),
        period_params(period, branch_id, draft_id),
    )
    result: dict[UUID, dict[str, Decimal]] = defaultdict(dict)
    for person_id, category, points in rows:
        result[person_id][category] = points
    return result


@dataclass
class Standing:
    person_id: UUID
    name: str
    branch_id: UUID
    points: Decimal
    score: Decimal
    categories: dict[str, Decimal]
    exempt: bool
    rank: int | None = None


@dataclass
class Ranking:
    """A branch's (or the district's) members for a period: ranked, and exempt apart."""

    period: Period
    rule_set: RuleSet | None
    categories: list[str]
    ranked: list[Standing] = field(default_factory=list)
    exempt: list[Standing] = field(default_factory=list)


async def version_for(session: AsyncSession, period: Period) -> RuleSet | None:
    """The version whose base score and categories a period is shown with: the one in
    force on its last day, or today for the current period."""
    return await in_force(session, min(period.end, clock.today()))


async def category_names(session: AsyncSession, rule_set: RuleSet | None) -> list[str]:
    if rule_set is None:
        return []
    return list(
        (
            await session.scalars(
                select(RuleCategory.name)
                .where(RuleCategory.rule_set_id == rule_set.id)
                .order_by(RuleCategory.position)
            )
        ).all()
    )


async def rankings(
    session: AsyncSession,
    period: Period,
    *,
    branch_id: UUID | None = None,
    branch_ids: list[UUID] | None = None,
    draft: RuleSet | None = None,
) -> dict[UUID, Ranking]:
    """Each branch's ranking for the period (only those of `branch_id` / `branch_ids`
    when given).

    With `draft`, the points are re-scored by the draft and its base score is used.
    The statement returns the members already in ranking order (points high to low,
    then pinyin); equal scores share a place.
    """
    rule_set = draft or await version_for(session, period)
    categories = await category_names(session, rule_set)
    base = rule_set.base_score if rule_set else None
    wanted = [branch_id] if branch_id else branch_ids
    counted = tally_sql(draft=draft is not None, branch=wanted is not None)
    statement = MEMBERS.format(
        counted=counted, branch="and m.branch_id = any(:branches)" if wanted is not None else ""
    )
    params = period_params(period, None, draft.id if draft else None)
    if wanted is not None:
        params["branches"] = wanted
    await plan_each_time(session)
    rows = await session.execute(text(statement), params)
    by_branch: dict[UUID, Ranking] = {}
    for person_id, name, member_branch, infirm, points, names, values in rows:
        ranking = by_branch.get(member_branch)
        if ranking is None:
            ranking = by_branch[member_branch] = Ranking(period, rule_set, categories)
        standing = Standing(
            person_id, name, member_branch, points, score(points, base),
            dict(zip(names, values, strict=True)) if names else {}, exempt=infirm,
        )  # fmt: skip
        if infirm:
            ranking.exempt.append(standing)
            continue
        ranked = ranking.ranked
        tied = ranked and ranked[-1].score == standing.score
        standing.rank = ranked[-1].rank if tied else len(ranked) + 1
        ranked.append(standing)
    return by_branch


async def branch_ranking(
    session: AsyncSession, branch_id: UUID, period: Period, draft: RuleSet | None = None
) -> Ranking:
    found = await rankings(session, period, branch_id=branch_id, draft=draft)
    if branch_id in found:
        return found[branch_id]
    rule_set = draft or await version_for(session, period)
    return Ranking(period, rule_set, await category_names(session, rule_set))


async def branches(session: AsyncSession) -> list[OrgUnit]:
    """The district's branches in unit order (retired ones have no members to rank)."""
    found = await session.scalars(
        select(OrgUnit).where(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.retired_at.is_(None))
    )
    return sorted(found, key=lambda unit: unit_sort_key(unit.name))


@dataclass(frozen=True)
class Move:
    """One member's place under the active rules and under the draft."""

    person_id: UUID
    name: str
    rank_now: int | None
    rank_draft: int | None
    score_now: Decimal
    score_draft: Decimal

    @property
    def places_up(self) -> int:
        """Positive when the draft moves the member up."""
        if self.rank_now is None or self.rank_draft is None:
            return 0
        return self.rank_now - self.rank_draft


@dataclass
class BranchWhatIf:
    branch_id: UUID
    name: str
    moves: list[Move]
    """Every ranked member, in the draft's order."""

    @property
    def moved(self) -> list[Move]:
        return [m for m in self.moves if m.places_up]


@dataclass
class WhatIf:
    period: Period
    active: RuleSet | None
    draft: RuleSet
    branches: list[BranchWhatIf]

    @property
    def members(self) -> int:
        return sum(len(b.moves) for b in self.branches)

    @property
    def moved(self) -> int:
        return sum(len(b.moved) for b in self.branches)


async def what_if(
    session: AsyncSession,
    period: Period,
    draft: RuleSet,
    branch_id: UUID | None = None,
    *,
    db: Database | None = None,
) -> WhatIf:
    """The period's rankings as they stand beside the same events scored by `draft`.

    Two rankings of the whole district (or one branch), each one tally statement: as
    scored, and with every sum re-scored by the draft item of the same code. Given
    `db`, the two run at once on two connections (PostgreSQL gives each its own core).
    """
    if db is None:
        now = await rankings(session, period, branch_id=branch_id)
        then = await rankings(session, period, branch_id=branch_id, draft=draft)
    else:

        async def ranked(scored_by: RuleSet | None) -> dict[UUID, Ranking]:
            async with db.session() as own:
                return await rankings(own, period, branch_id=branch_id, draft=scored_by)

        now, then = await asyncio.gather(ranked(None), ranked(draft))
    names = {u.id: u.name for u in await branches(session)}
    result: list[BranchWhatIf] = []
    for unit_id, ranking in sorted(now.items(), key=lambda kv: unit_sort_key(names.get(kv[0], ""))):
        before = {s.person_id: s for s in ranking.ranked}
        moves = []
        for s in then[unit_id].ranked:
            was = before[s.person_id]
            moves.append(Move(s.person_id, s.name, was.rank, s.rank, was.score, s.score))
        result.append(BranchWhatIf(unit_id, names.get(unit_id, ""), moves))
    return WhatIf(period, await version_for(session, period), draft, result)
