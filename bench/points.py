"""Points standings at the large district's size (issue 4).

A year of ledger (about 1.2 million events, bench.generate.generate_points) over the
synthetic province's large district — its 40,000-person roster imported by the
roster benchmark's phases if it is not there yet — then, for last year's fourth
quarter (the one that reads the most: its year caps need the three before it):

- a branch's ranking: standings.branch_ranking, and the page GET /points/branches/…;
- the whole district's tally: standings.rankings, and the page GET /points;
- the what-if preview of a draft that re-scores a few items: standings.what_if.

Each beside a floor: one hand-written SQL statement that returns the same answer
(checked equal here, and at small scale in tests/service/test_bench_points.py),
fetched over the same connection. Figures are printed and written to
bench/results/points.json, never asserted.

    uv run python -m bench.points        (alone; `make bench` runs it after the roster)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.db import Database
from app.db.session import async_url
from app.points import standings
from app.points.models import RuleSet, RuleSetStatus
from app.points.periods import Period, quarter
from app.points.rules import versions
from app.points.rules.spec import RuleSetSpec
from bench import dashboard, roster
from bench.generate import clear_points, generate_points, large_district_admin_phone, province_shape
from tenants.context import tenant_scope

BRANCHES = 5  # branches whose ranking is timed, in turn
RUNS = {"branch": 30, "district": 10, "what_if": 5}  # timed runs of each service call
WARMUP = {"branch": 3, "district": 2, "what_if": 1}
PAGE_RUNS = {"branch": 30, "district": 10, "what_if": 5}
TARGET_MS = {"branch": 100, "district": 1000, "what_if": 3000}
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


# --- timing the services and their floors (a fresh process, the runtime role) ------------


def spread(samples: list[float]) -> dict[str, float]:
    result = {"p50_ms": round(statistics.median(samples), 1), "min_ms": round(min(samples), 1)}
    if len(samples) >= 20:
        result["p95_ms"] = round(statistics.quantiles(samples, n=20)[18], 1)
    return result


async def _timed_pair(
    db: Database,
    runs: int,
    warmup: int,
    service: Callable[[AsyncSession, int], Awaitable[Any]],
    floor: Callable[[AsyncSession, int], Awaitable[Any]],
    same: Callable[[Any, Any], bool],
) -> tuple[list[float], list[float], bool, Any]:
    """Service and floor in turn, each in its own session as a request would have it.
    Returns both timings, whether every run's two answers agreed, the last service answer."""
    times: tuple[list[float], list[float]] = ([], [])
    agree, last = True, None
    for i in range(-warmup, runs):
        found = []
        for call, spent in zip((service, floor), times, strict=True):
            async with db.session() as session:
                started = time.perf_counter()
                found.append(await call(session, i))
                elapsed = (time.perf_counter() - started) * 1000
            if i >= 0:
                spent.append(elapsed)
        agree = agree and same(*found)
        last = found[0]
    return times[0], times[1], agree, last


def _same_ranking(service: Any, floor: Any) -> bool:
    return ranking_answer(service) == floor_ranking_answer(floor)


def _same_what_if(service: Any, floor: Any) -> bool:
    return what_if_answer(service) == floor_what_if_answer(floor)


async def _measure(argument: str) -> dict[str, Any]:
    from app.settings import Settings
    from app.state import open_services

    branch_ids = [uuid.UUID(b) for b in json.loads(argument)]
    tenant_id = province_shape()[0].tenant_id
    period = bench_quarter()
    args = floor_args(period)
    results: dict[str, Any] = {}
    async with open_services(Settings()) as services:
        db = services.db
        with tenant_scope(tenant_id):
            async with db.session() as session:
                draft = await versions.draft_of(session)
            if draft is None:
                raise RuntimeError("no draft: prepare() makes it")

            async def branch_service(session: AsyncSession, i: int) -> Any:
                branch = branch_ids[i % len(branch_ids)]
                return {branch: await standings.branch_ranking(session, branch, period)}

            async def branch_floor(session: AsyncSession, i: int) -> Any:
                return await fetch(session, BRANCH_FLOOR, *args, branch_ids[i % len(branch_ids)])

            async def district_service(session: AsyncSession, i: int) -> Any:
                return await standings.rankings(session, period)

            async def district_floor(session: AsyncSession, i: int) -> Any:
                return await fetch(session, DISTRICT_FLOOR, *args)

            async def what_if_service(session: AsyncSession, i: int) -> Any:
                return await standings.what_if(session, period, draft, db=db)

            async def what_if_floor(session: AsyncSession, i: int) -> Any:
                return await fetch(session, WHAT_IF_FLOOR, *args, draft.id)

            last: dict[str, Any] = {}
            for name, service, floor, same in (
                ("branch", branch_service, branch_floor, _same_ranking),
                ("district", district_service, district_floor, _same_ranking),
                ("what_if", what_if_service, what_if_floor, _same_what_if),
            ):
                served, floored, agree, last[name] = await _timed_pair(
                    db, RUNS[name], WARMUP[name], service, floor, same
                )
                results[name] = {"service": spread(served), "floor": spread(floored),
                                 "runs": RUNS[name], "same_answer": agree}  # fmt: skip
    district: dict[uuid.UUID, standings.Ranking] = last["district"]
    results["district"]["ranked"] = sum(len(r.ranked) for r in district.values())
    results["district"]["exempt"] = sum(len(r.exempt) for r in district.values())
    results["district"]["branches"] = len(district)
    results["branch"]["members"] = [
        len(district[b].ranked) + len(district[b].exempt) if b in district else 0
        for b in branch_ids
    ]
    moves = what_if_answer(last["what_if"])
    results["what_if"].update(
        members=sum(len(m) for m in moves.values()),
        moved=moved(moves),
        draft={code: {f: str(v) for f, v in c.items()} for code, c in DRAFT_CHANGES.items()},
    )
    return results


def run_measure(env: dict[str, str], branch_ids: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.points", "measure", json.dumps(branch_ids)]
    out = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"measure failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the pages through the HTTP stack ------------------------------------------------------


def pages(env: dict[str, str], branch_ids: list[str]) -> dict[str, Any]:
    """Sequential GETs as the district's admin (uvicorn, one worker, production mode):
    the branch ranking page in turn over the branches, the district page, the preview."""
    port = dashboard.free_port()
    app_env = {**os.environ, **env, "PORT": str(port), "WEB_WORKERS": "1",
               "APP_ENV": "production"}  # fmt: skip
    app = dashboard.start([sys.executable, "-m", "app.cli", "web"], app_env, port, "/readyz")
    key = bench_quarter().key
    paths = {
        "branch": [f"/points/branches/{b}?quarter={key}" for b in branch_ids],
        "district": [f"/points?quarter={key}"],
        "what_if": [f"/points/rules/draft/preview?quarter={key}"],
    }
    results: dict[str, Any] = {}
    try:
        cookie = dashboard.session_cookie(f"http://127.0.0.1:{port}", large_district_admin_phone())
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Cookie": cookie}) as web:
            for name, urls in paths.items():
                times: list[float] = []
                for i in range(-WARMUP[name], PAGE_RUNS[name]):
                    started = time.perf_counter()
                    response = web.get(urls[i % len(urls)], timeout=60)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code == 404 and i < 0:
                        break  # the route is not there (yet): no figure
                    assert response.status_code == 200, (urls[i % len(urls)], response.status_code)
                    if i >= 0:
                        times.append(elapsed)
                if times:
                    kb = round(len(response.content) / 1024)
                    results[name] = {**spread(times), "kb": kb}
                else:
                    results[name] = {"missing": urls[0]}
    finally:
        app.terminate()
        app.wait(timeout=10)
    return results


# --- the whole benchmark ------------------------------------------------------------------


async def owner_connection(owner_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(async_url(owner_url).replace("+asyncpg", ""))


async def prepare(owner_url: str) -> dict[str, Any]:
    """The large district's first version of the rules (if missing), then its year."""
    tenant_id = province_shape()[0].tenant_id
    period = bench_quarter()
    db = Database(owner_url, pool_size=1)
    try:
        with tenant_scope(tenant_id):
            async with db.session() as session:
                if await versions.in_force(session, date(period.year, 1, 1)) is None:
                    await versions.install_preset(
                        session, tenant_id, "qingdao-six-categories", date(period.year, 1, 1)
                    )
                await make_draft(session, tenant_id, period.end)
                await session.commit()
    finally:
        await db.dispose()
    conn = await owner_connection(owner_url)
    try:
        generated = await generate_points(conn, tenant_id, period.year)
        # As autovacuum would soon; a district's few dozen rules never reach its threshold
        # alone, where a province's 150 districts' rules would.
        await conn.execute("analyze point_rule_sets, point_categories, point_items")
        counts = await conn.fetchrow(
            """select (select count(*) from people where tenant_id = $1) as people,
                      (select count(*) from people where tenant_id = $1 and party_member
                          and deceased_on is null and branch_id is not null) as members,
                      (select count(*) from people where tenant_id = $1 and party_member
                          and infirm) as infirm,
                      (select count(*) from org_units where tenant_id = $1
                          and kind = 'branch') as branches,
                      (select count(*) from point_events where tenant_id = $1) as events,
                      (select count(*) from point_tallies where tenant_id = $1) as tallies,
                      (select count(*) from point_tallies where tenant_id = $1
                          and quarter_start = $2) as quarter_tallies,
                      (select count(*) from point_tallies t join point_items i
                          on i.tenant_id = t.tenant_id and i.id = t.rule_item_id
                        where t.tenant_id = $1 and t.quarter_start between $3 and $2
                          and (t.quarter_start = $2 or i.cap_year is not null)) as read_tallies,
                      (select count(*) from point_tallies t join point_items i
                          on i.tenant_id = t.tenant_id and i.id = t.rule_item_id
                        where t.tenant_id = $1 and abs(t.points) > i.cap_quarter) as over_cap""",
            tenant_id, period.start, period.start.replace(month=1, day=1),
        )  # fmt: skip
        branches = await conn.fetch(
            "select id::text from org_units where tenant_id = $1 and kind = 'branch'"
            " and retired_at is null order by name limit $2",
            tenant_id, BRANCHES,
        )  # fmt: skip
    finally:
        await conn.close()
    return {"generated": generated, "counts": dict(counts),
            "branches": [r["id"] for r in branches]}  # fmt: skip


def clear(env: dict[str, str]) -> None:
    """The large district's points, removed: its ledger references the people that the
    roster benchmark deletes and imports again (`make bench` calls this before it)."""

    async def remove() -> None:
        conn = await owner_connection(env["DATABASE_OWNER_URL"])
        try:
            await clear_points(conn, province_shape()[0].tenant_id)
        finally:
            await conn.close()

    asyncio.run(remove())


def ensure_people(env: dict[str, str], data_dir: Path) -> None:
    """The large district's roster, imported as the roster benchmark does, if missing."""
    owner = env["DATABASE_OWNER_URL"]
    [rows] = asyncio.run(roster.as_owner(owner, "select count(*) as n from people"))
    if rows[0]["n"]:
        return
    path = data_dir / f"roster-{roster.PEOPLE}.xlsx"
    roster.write_roster(path)
    dry_run = roster.run_phase(env, "dry-run", str(path))
    commit = roster.run_phase(env, "commit", dry_run["import_id"])
    asyncio.run(roster.as_owner(owner, "analyze people"))
    print("roster imported first:", commit["counts"], flush=True)


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    env = {**roster.BENCH_KEYS, **env}
    ensure_people(env, data_dir)
    results = asyncio.run(prepare(env["DATABASE_OWNER_URL"]))
    print("points generated:", results["generated"], flush=True)
    results.update(run_measure(env, results["branches"]))
    results["pages"] = pages(env, results["branches"])
    results["quarter"] = bench_quarter().key
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load"] = [load, os.getloadavg()[0]]
    return results


LABELS = {
    "branch": "branch ranking (5 branches in turn)",
    "district": "district tally, every branch",
    "what_if": "what-if preview, whole district",
}


PAGE_LABELS = {
    "branch": "GET /points/branches/{id}",
    "district": "GET /points",
    "what_if": "GET /points/rules/draft/preview",
}


def report(results: dict[str, Any]) -> str:
    c, g = results["counts"], results["generated"]
    d, w = results["district"], results["what_if"]
    lines = [
        f"Points, {results['quarter']}: {c['people']:,} people, {c['members']:,} party members"
        f" in {c['branches']} branches ({c['infirm']:,} exempt as infirm)",
        f"Ledger of the year: {c['events']:,} events ({g['reversals']:,} reversals) over"
        f" {g['members']:,} members, generated in {g['seconds']} s; {c['tallies']:,} tally rows,"
        f" {c['quarter_tallies']:,} in the quarter, {c['read_tallies']:,} read by its tally"
        f" (year caps), {c['over_cap']:,} over their quarter cap",
        f"Ranked {d['ranked']:,} and exempt {d['exempt']:,} in {d['branches']} branches;"
        f" branch sizes timed: {', '.join(str(n) for n in results['branch']['members'])};"
        f" the draft moves {w['moved']:,} of {w['members']:,} ranked members",
        "",
        "| quarter's figure | runs | service p50 / p95 / min ms"
        " | floor (one SQL) p50 / p95 / min ms | ratio p50 (min) | same answer | target |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]

    def both(row: dict[str, float]) -> str:
        return f"{row['p50_ms']} / {row.get('p95_ms', '–')} / {row['min_ms']}"

    def ratio(row: dict[str, float], floor: dict[str, float]) -> str:
        return f"{row['p50_ms'] / floor['p50_ms']:.2f} ({row['min_ms'] / floor['min_ms']:.2f})"

    for name, label in LABELS.items():
        r = results[name]
        lines.append(
            f"| {label} | {r['runs']} | {both(r['service'])} | {both(r['floor'])}"
            f" | {ratio(r['service'], r['floor'])} | {'yes' if r['same_answer'] else 'NO'}"
            f" | < {TARGET_MS[name]:,} ms |"
        )
    for name, label in PAGE_LABELS.items():
        page = results["pages"].get(name, {})
        if "p50_ms" not in page:
            lines.append(f"| {label} | – | route not there | | | | |")
            continue
        floor = results[name]["floor"]
        lines.append(
            f"| page {label}, {page['kb']} KB | {PAGE_RUNS[name]} | {both(page)} | {both(floor)}"
            f" | {ratio(page, floor)} | | < {TARGET_MS[name]:,} ms |"
        )
    start, end = results["load"]
    lines.append(
        f"\nWhole run {results['seconds']} s on {os.cpu_count()} CPUs; load average"
        f" {start:.1f} at the start, {end:.1f} at the end."
    )
    return "\n".join(lines)


def main() -> None:
    from app.db.migrate import upgrade_to_head
    from app.embedded import EmbeddedStack
    from app.settings import PROJECT_ROOT
    from bench.generate import generate

    data_dir = Path(os.environ.get("REDSTAR_BENCH_DIR", PROJECT_ROOT / ".redstar" / "bench"))
    stack = EmbeddedStack(data_dir, database="redstar_bench")
    env = stack.up() | {"SECRET_KEY": "bench-secret-key-0123456789-0123456789"}
    try:
        upgrade_to_head(env["DATABASE_OWNER_URL"])
        print("synthetic province:", asyncio.run(generate(env["DATABASE_OWNER_URL"])))
        results = run(env, data_dir)
        out = PROJECT_ROOT / "bench" / "results" / "points.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        print(report(results))
    finally:
        stack.down()


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(asyncio.run(_measure(sys.argv[2])), default=str))
    else:
        main()
