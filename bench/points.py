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
fetched over the same connection (the floors: bench.points_floors). Figures are
printed and written to bench/results/points.json, never asserted.

    uv run python -m bench.points        (alone; `make bench` runs it after the roster)
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.tenant import tenant_scope
from app.points import standings
from app.points.rules import versions
from bench import roster
from bench.generate import clear_points, generate_points, large_district_admin_phone, province_shape
from bench.harness import (
    BENCH_KEYS,
    app_server,
    in_fresh_process,
    main_or_step,
    owner_connection,
    run_and_report,
    session_cookie,
    spread,
    timed_get,
    with_owner,
)
from bench.points_floors import (
    BRANCH_FLOOR,
    DISTRICT_FLOOR,
    DRAFT_CHANGES,
    WHAT_IF_FLOOR,
    bench_quarter,
    fetch,
    floor_args,
    floor_ranking_answer,
    floor_what_if_answer,
    make_draft,
    moved,
    ranking_answer,
    what_if_answer,
)

BRANCHES = 5  # branches whose ranking is timed, in turn
RUNS = {"branch": 30, "district": 10, "what_if": 5}  # timed runs of each service call
WARMUP = {"branch": 3, "district": 2, "what_if": 1}
PAGE_RUNS = {"branch": 30, "district": 10, "what_if": 5}
TARGET_MS = {"branch": 100, "district": 1000, "what_if": 3000}


# --- timing the services and their floors (a fresh process, the runtime role) ------------


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
    return in_fresh_process("bench.points", env, "measure", json.dumps(branch_ids))


# --- the pages through the HTTP stack ------------------------------------------------------


def pages(env: dict[str, str], branch_ids: list[str]) -> dict[str, Any]:
    """Sequential GETs as the district's admin (uvicorn, one worker, production mode):
    the branch ranking page in turn over the branches, the district page, the preview."""
    key = bench_quarter().key
    paths = {
        "branch": [f"/points/branches/{b}?quarter={key}" for b in branch_ids],
        "district": [f"/points?quarter={key}"],
        "what_if": [f"/points/rules/draft/preview?quarter={key}"],
    }
    results: dict[str, Any] = {}
    with app_server(env) as app:
        cookie = session_cookie(app.base, large_district_admin_phone())
        with httpx.Client(base_url=app.base, headers={"Cookie": cookie}) as web:
            for name, urls in paths.items():
                times: list[float] = []
                for i in range(-WARMUP[name], PAGE_RUNS[name]):
                    response, elapsed = timed_get(web, urls[i % len(urls)], timeout=60)
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
    return results


# --- the whole benchmark ------------------------------------------------------------------


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

    with_owner(env, lambda conn: clear_points(conn, province_shape()[0].tenant_id))


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    env = {**BENCH_KEYS, **env}
    roster.ensure_people(env, data_dir)
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
    run_and_report("points", run, report)


if __name__ == "__main__":
    main_or_step(main, {"measure": _measure})
