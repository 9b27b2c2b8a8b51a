"""Tallies and rankings for a period, computed in SQL from the per-quarter sums.

One statement per question: the period's quarters (and, for items capped per year,
the year's earlier quarters) are read from point_tallies, capped as tally.py defines,
and summed per member and category. The what-if preview runs the same statement with
each sum re-scored by the draft item of the same code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.people.models import OrgUnit, Person, UnitKind
from app.points.models import RuleCategory, RuleSet
from app.points.periods import Period
from app.points.tally import ZERO, competition_ranks, score
from app.points.versions import in_force

# Scored as recorded. Caps are kept per item *code*, so a new version of the rules does
# not hand out fresh caps: a member's sums of one code in one quarter are capped
# together, by the item of the newest version among them (normally the only one).
SCORED = """
    select pt.tenant_id, pt.person_id, i.code, pt.quarter_start, sum(pt.points) as points,
           (array_agg(i.id order by v.version desc))[1] as item_id
      from point_tallies pt
      join point_items i on i.tenant_id = pt.tenant_id and i.id = pt.rule_item_id
      join point_rule_sets v on v.tenant_id = i.tenant_id and v.id = i.rule_set_id
      {people}
     where pt.quarter_start between :year_start and :last
       and (pt.quarter_start >= :first
            or i.code in (select code from point_items where cap_year is not null))
     group by pt.tenant_id, pt.person_id, i.code, pt.quarter_start
"""

# Re-scored by a draft: the quantity of every sum, times the draft item of the same code.
# Items the draft drops count for nothing.
DRAFT = """
    select pt.tenant_id, pt.person_id, d.code, pt.quarter_start,
           sum(pt.quantity) * d.points as points, d.id as item_id
      from point_tallies pt
      join point_items i on i.tenant_id = pt.tenant_id and i.id = pt.rule_item_id
      join point_items d on d.tenant_id = pt.tenant_id and d.rule_set_id = :draft
                        and d.code = i.code
      {people}
     where pt.quarter_start between :year_start and :last
       and (pt.quarter_start >= :first or d.cap_year is not null)
     group by pt.tenant_id, pt.person_id, d.code, d.id, pt.quarter_start, d.points
"""

CAPPED = """
with raw as ({raw}),
capped as (
    select r.tenant_id, r.person_id, r.code, r.quarter_start, it.category_id, it.cap_year,
           it.points > 0 as positive,
           case when it.cap_quarter is null then r.points
                when it.points > 0 then least(r.points, it.cap_quarter)
                else greatest(r.points, -it.cap_quarter) end as q
      from raw r
      join point_items it on it.tenant_id = r.tenant_id and it.id = r.item_id
),
running as (
    select *, sum(q) over (partition by person_id, code order by quarter_start) as total
      from capped
)
select r.person_id, c.name as category,
       sum(case when r.cap_year is null then r.q
                when r.positive then least(r.total, r.cap_year)
                                   - least(r.total - r.q, r.cap_year)
                else greatest(r.total, -r.cap_year) - greatest(r.total - r.q, -r.cap_year)
           end) as points
  from running r
  join point_categories c on c.tenant_id = r.tenant_id and c.id = r.category_id
 where r.quarter_start >= :first
 group by r.person_id, c.name
"""

BRANCH_PEOPLE = """
      join people p on p.tenant_id = pt.tenant_id and p.id = pt.person_id
                   and p.branch_id = :branch
"""


def tally_sql(*, draft: bool, branch: bool) -> str:
    raw = (DRAFT if draft else SCORED).format(people=BRANCH_PEOPLE if branch else "")
    return CAPPED.format(raw=raw)


async def period_points(
    session: AsyncSession,
    period: Period,
    *,
    branch_id: UUID | None = None,
    draft_id: UUID | None = None,
) -> dict[UUID, dict[str, Decimal]]:
    """Counted points per member and category name for the period, after caps."""
    params: dict[str, object] = {
        "year_start": period.start.replace(month=1, day=1),
        "first": period.start,
        "last": period.quarters()[-1].start,
    }
    if branch_id:
        params["branch"] = branch_id
    if draft_id:
        params["draft"] = draft_id
    rows = await session.execute(
        text(tally_sql(draft=draft_id is not None, branch=branch_id is not None)), params
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


def members_query(branch_id: UUID | None):  # type: ignore[no-untyped-def]
    """Who is scored: living party members in a branch (the exempt are listed apart)."""
    query = select(Person.id, Person.name, Person.branch_id, Person.infirm).where(
        Person.party_member, Person.deceased_on.is_(None), Person.branch_id.is_not(None)
    )
    if branch_id:
        query = query.where(Person.branch_id == branch_id)
    return query.order_by(Person.sort_key, Person.id)


async def rankings(
    session: AsyncSession,
    period: Period,
    *,
    branch_id: UUID | None = None,
    draft: RuleSet | None = None,
) -> dict[UUID, Ranking]:
    """Each branch's ranking for the period (one branch's when `branch_id` is given).

    With `draft`, the points are re-scored by the draft and its base score is used.
    """
    rule_set = draft or await version_for(session, period)
    categories = await category_names(session, rule_set)
    points = await period_points(
        session, period, branch_id=branch_id, draft_id=draft.id if draft else None
    )
    base = rule_set.base_score if rule_set else None
    by_branch: dict[UUID, Ranking] = {}
    for person_id, name, member_branch, infirm in await session.execute(members_query(branch_id)):
        ranking = by_branch.get(member_branch)
        if ranking is None:
            ranking = by_branch[member_branch] = Ranking(period, rule_set, categories)
        counted = points.get(person_id, {})
        total = sum(counted.values(), ZERO)
        standing = Standing(
            person_id, name, member_branch, total, score(total, base), counted, exempt=infirm
        )
        (ranking.exempt if infirm else ranking.ranked).append(standing)
    for ranking in by_branch.values():
        ranking.ranked.sort(key=lambda s: -s.score)  # stable: pinyin order within a score
        for standing, rank in zip(
            ranking.ranked, competition_ranks([s.score for s in ranking.ranked]), strict=True
        ):
            standing.rank = rank
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
    """The district's branches, in name order (retired ones have no members to rank)."""
    return list(
        (
            await session.scalars(
                select(OrgUnit)
                .where(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.retired_at.is_(None))
                .order_by(OrgUnit.name)
            )
        ).all()
    )


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
    session: AsyncSession, period: Period, draft: RuleSet, branch_id: UUID | None = None
) -> WhatIf:
    """The period's rankings as they stand beside the same events scored by `draft`.

    Two statements over the whole district (or one branch): the live tally, and the
    tally with every sum re-scored by the draft item of the same code.
    """
    now = await rankings(session, period, branch_id=branch_id)
    then = await rankings(session, period, branch_id=branch_id, draft=draft)
    names = {u.id: u.name for u in await branches(session)}
    result: list[BranchWhatIf] = []
    for unit_id, ranking in sorted(now.items(), key=lambda kv: names.get(kv[0], "")):
        before = {s.person_id: s for s in ranking.ranked}
        moves = []
        for s in then[unit_id].ranked:
            was = before[s.person_id]
            moves.append(Move(s.person_id, s.name, was.rank, s.rank, was.score, s.score))
        result.append(BranchWhatIf(unit_id, names.get(unit_id, ""), moves))
    return WhatIf(period, await version_for(session, period), draft, result)
