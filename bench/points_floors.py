"""The points benchmark's floors (bench.points): for each figure, one hand-written SQL
statement over the same tables that returns the service's answer (checked equal in
every run, and at small scale in tests/service/test_bench_points.py), the answers as
plain data to compare, and the draft the what-if preview scores.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.points import standings
from app.points.models import RuleSet, RuleSetStatus
from app.points.periods import Period, quarter
from app.points.rules import versions
from app.points.rules.spec import RuleSetSpec

# The draft of the what-if: study and volunteering count more, 宣讲 a little less,
# an unexcused absence costs more. Members really move.
DRAFT_CHANGES: dict[str, dict[str, Any]] = {
    "XX-01": {"points": Decimal(3), "cap_quarter": Decimal(18), "cap_year": Decimal(60)},
    "ZY-01": {"points": Decimal(2), "cap_quarter": Decimal(30), "cap_year": Decimal(100)},
    "FH-01": {"points": Decimal(4)},
    "FM-01": {"points": Decimal(-3)},
}


def bench_quarter() -> Period:
    """Last year's fourth quarter: the generated year is last year, complete."""
    return quarter(clock.today().year - 1, 4)


# --- the floors: one statement each -----------------------------------------------------

# One row per tally row the period reads, re-scored by the draft item of the same code
# and capped per quarter. $1 the quarter's start, $2 the year's, $4 the draft.
DRAFT_ROWS = """
    select pt.person_id, d.id as item_id, d.category_id, d.cap_year, d.points > 0 as positive,
           pt.quarter_start = $1 as current,
           case when d.cap_quarter is null then sum(pt.quantity) * d.points
                when d.points > 0 then least(sum(pt.quantity) * d.points, d.cap_quarter)
                else greatest(sum(pt.quantity) * d.points, -d.cap_quarter) end as q
      from point_tallies pt
      join point_items i on i.tenant_id = pt.tenant_id and i.id = pt.rule_item_id
      join point_items d on d.tenant_id = pt.tenant_id and d.rule_set_id = $4 and d.code = i.code
     where pt.quarter_start between $2 and $1
       and (pt.quarter_start = $1 or d.cap_year is not null)
     group by pt.person_id, d.tenant_id, d.id, pt.quarter_start"""

# Per member: the quarter's points after the year's caps (the quarter's figure added to
# what the year's earlier quarters used), summed per category and in all.
PER_PERSON = """
    select person_id, sum(points) as points{categories}
      from (select x.person_id, c.name as category,
                   sum(case when x.cap_year is null then x.now_q
                            when x.positive then least(x.before + x.now_q, x.cap_year)
                                               - least(x.before, x.cap_year)
                            else greatest(x.before + x.now_q, -x.cap_year)
                               - greatest(x.before, -x.cap_year) end) as points
              from (select person_id, item_id, category_id, cap_year, positive,
                           coalesce(sum(q) filter (where not current), 0) as before,
                           sum(q) filter (where current) as now_q
                      from ({rows}) r
                     group by person_id, item_id, category_id, cap_year, positive) x
              join point_categories c on c.id = x.category_id
             where x.now_q is not null
             group by x.person_id, c.name) per_category
     group by person_id"""

BRANCH_PEOPLE = """
      join people p on p.tenant_id = pt.tenant_id and p.id = pt.person_id
                   and p.branch_id = $4"""

# The base score of the version a period is shown with ($3: the day it is in force on).
BASE_NOW = """(select base_score from point_rule_sets where status = 'active'
                  and effective_from <= $3 order by effective_from desc limit 1)"""

RANKING = """
with counted as ({per_person})
select branch_id, id, name, infirm, score, categories,
       case when not infirm then rank() over (partition by branch_id, infirm
                                              order by score desc) end as rank
  from (select m.branch_id, m.id, m.name, m.infirm, m.sort_key,
               coalesce(c.points, 0) + coalesce({base}, 0) as score,
               coalesce(c.categories, '{{}}'::jsonb)::text as categories
          from people m
          left join counted c on c.person_id = m.id
         where m.party_member and m.deceased_on is null and m.branch_id is not null{branch}
       ) scored
 order by branch_id, infirm, case when not infirm then score end desc, sort_key, id"""

WHAT_IF = """
with now as ({now}), draft as ({draft}),
scored as (
    select m.branch_id, m.id, m.name, m.sort_key,
           coalesce(n.points, 0) + coalesce({base}, 0) as score_now,
           coalesce(d.points, 0)
               + coalesce((select base_score from point_rule_sets where id = $4), 0)
               as score_draft
      from people m
      left join now n on n.person_id = m.id
      left join draft d on d.person_id = m.id
     where m.party_member and m.deceased_on is null and m.branch_id is not null
       and not m.infirm
)
select branch_id, id, name, score_now, score_draft,
       rank() over (partition by branch_id order by score_now desc) as rank_now,
       rank() over (partition by branch_id order by score_draft desc) as rank_draft
  from scored
 order by branch_id, score_draft desc, sort_key, id"""


# As scored, the same figures are kept capped per member, code and quarter by the
# ledger's trigger (point_counted): the floor sums them, as the service does. ($2 is
# referenced only so every floor takes the same arguments.)
COUNTED_PER_PERSON = """
    select person_id, sum(points) as points{categories}
      from (select pt.person_id, c.name as category, sum(pt.points) as points
              from point_counted pt
              join point_categories c on c.id = pt.category_id
              {people}
             where pt.quarter_start = $1 and pt.quarter_start >= $2
             group by pt.person_id, c.name) per_category
     group by person_id"""


def _per_person(rows: str, *, categories: bool = True) -> str:
    extra = ", jsonb_object_agg(category, points) as categories" if categories else ""
    return PER_PERSON.format(rows=rows, categories=extra)


def _counted(people: str, *, categories: bool = True) -> str:
    extra = ", jsonb_object_agg(category, points) as categories" if categories else ""
    return COUNTED_PER_PERSON.format(people=people, categories=extra)


BRANCH_FLOOR = RANKING.format(
    per_person=_counted(BRANCH_PEOPLE), base=BASE_NOW, branch=" and m.branch_id = $4"
)
DISTRICT_FLOOR = RANKING.format(per_person=_counted(""), base=BASE_NOW, branch="")
WHAT_IF_FLOOR = WHAT_IF.format(
    now=_counted("", categories=False),
    draft=_per_person(DRAFT_ROWS, categories=False),
    base=BASE_NOW,
)


def floor_args(period: Period) -> tuple[date, date, date]:
    """$1 the quarter's start, $2 its year's start, $3 the day its version is taken on."""
    return period.start, period.start.replace(month=1, day=1), min(period.end, clock.today())


async def fetch(session: AsyncSession, sql: str, *args: Any) -> list[asyncpg.Record]:
    """A floor, on the session's own connection (its transaction has the tenant set)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return await raw.driver_connection.fetch(sql, *args)  # type: ignore[union-attr]


# --- the same answer, as plain data --------------------------------------------------------

Placed = tuple[uuid.UUID, int | None, Decimal, dict[str, Decimal]]
"""A member's place: id, rank (None when exempt), score, points per category."""


def ranking_answer(found: dict[uuid.UUID, standings.Ranking]) -> dict[uuid.UUID, list[Placed]]:
    """Each branch's ranked members in order, then its exempt members in order."""
    return {
        branch: [(s.person_id, s.rank, s.score, dict(s.categories))
                 for s in [*ranking.ranked, *ranking.exempt]]
        for branch, ranking in found.items()
    }  # fmt: skip


def floor_ranking_answer(rows: Sequence[asyncpg.Record]) -> dict[uuid.UUID, list[Placed]]:
    result: dict[uuid.UUID, list[Placed]] = defaultdict(list)
    for row in rows:
        categories = json.loads(row["categories"], parse_float=Decimal, parse_int=Decimal)
        result[row["branch_id"]].append((row["id"], row["rank"], row["score"], categories))
    return dict(result)


Moved = tuple[uuid.UUID, int | None, int | None, Decimal, Decimal]
"""A member in the draft's order: id, rank now, rank under the draft, both scores."""


def what_if_answer(found: standings.WhatIf) -> dict[uuid.UUID, list[Moved]]:
    return {
        b.branch_id: [(m.person_id, m.rank_now, m.rank_draft, m.score_now, m.score_draft)
                      for m in b.moves]
        for b in found.branches
    }  # fmt: skip


def floor_what_if_answer(rows: Sequence[asyncpg.Record]) -> dict[uuid.UUID, list[Moved]]:
    result: dict[uuid.UUID, list[Moved]] = defaultdict(list)
    for r in rows:
        result[r["branch_id"]].append(
            (r["id"], r["rank_now"], r["rank_draft"], r["score_now"], r["score_draft"])
        )
    return dict(result)


def moved(answer: dict[uuid.UUID, list[Moved]]) -> int:
    return sum(1 for moves in answer.values() for m in moves if m[1] != m[2])


# --- the draft of the what-if -----------------------------------------------------------


def draft_spec(spec: RuleSetSpec) -> RuleSetSpec:
    """The active rules with DRAFT_CHANGES applied (codes another preset lacks: none)."""
    return dataclasses.replace(
        spec,
        categories=tuple(
            dataclasses.replace(
                category,
                items=tuple(
                    dataclasses.replace(item, **DRAFT_CHANGES.get(item.code, {}))
                    for item in category.items
                ),
            )
            for category in spec.categories
        ),
    )


async def make_draft(session: AsyncSession, tenant_id: uuid.UUID, day: date) -> RuleSet:
    """A fresh draft from the version in force on `day` (an earlier draft is discarded),
    written through versions.add_rules as the rules page does."""
    old = await versions.draft_of(session)
    if old is not None:
        await session.delete(old)  # its categories and items go with it (on delete cascade)
        await session.flush()
    active = await versions.in_force(session, day)
    if active is None:
        raise RuntimeError(f"no rules in force on {day}")
    spec = draft_spec(await versions.spec_of(session, active))
    number = await session.scalar(select(func.max(RuleSet.version))) or 0
    draft = RuleSet(
        tenant_id=tenant_id, id=uuid.uuid4(), version=number + 1, status=RuleSetStatus.DRAFT,
        preset=active.preset, base_score=spec.base_score, objection_days=spec.objection_days,
    )  # fmt: skip
    session.add(draft)
    await session.flush()
    versions.add_rules(session, tenant_id, draft.id, spec)
    await session.flush()
    return draft
