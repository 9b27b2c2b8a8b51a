"""The annual work summary (年度工作总结) of the 40,000-person district, built as the
worker builds it — `build_annual_summary` on a session bound to the district — in a
fresh process: wall time, the time to each progress step, peak memory, pages (issue 13:
under 20 s). `uv run python -m bench.annual_summary`; `make bench` runs it last.

The year is 2026 seen on the grid benchmark's day (bench.grid_data.BENCH_NOW, 22
September 2026: the year under way), so every section has this year and the one before:
the grid benchmark's year of service (visits from 23 September 2025), the points
benchmark's ledger of 2025 and the same ledger moved on a year up to the bench day,
service requests from January 2025 and each branch's rankings put up each half-year.
What is missing is made once and reused (the points benchmark, which writes its ledger
afresh, clears the 2026 copy and the rankings; they are made again here).
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import resource
import shutil
import subprocess
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg

from bench import grid_data, points, roster
from bench.generate import province_shape
from bench.grid_data import BENCH_NOW
from bench.harness import RESULTS, in_fresh_process, main_or_step, owner_connection, run_and_report

YEAR = 2026
REQUESTS_PER_YEAR = 13_000  # about one request a year for every three people
FIRST_REQUEST_DAY = date(YEAR - 1, 1, 1)
PDF = RESULTS / f"annual-summary-{YEAR}.pdf"

# --- the data --------------------------------------------------------------------------

# The ledger of YEAR - 1 moved on a year, up to the bench day: new ids (a reversal names
# its original's copy; the generator dates a reversal on its original's day, so both are
# copied or neither), the same members, items and quantities. The tally trigger is off
# while it goes in; point_tallies gets the sums it would have kept and point_recount the
# capped figures, as bench.generate.generate_points does for its year.
COPY_LEDGER = """
insert into point_events (tenant_id, id, person_id, branch_id, rule_item_id, occurred_on,
                          quantity, points, source, reverses_id, source_ref, note,
                          recorded_by_name)
select tenant_id, md5(id::text || 'next')::uuid, person_id, branch_id, rule_item_id,
       (occurred_on + interval '1 year')::date, quantity, points, source,
       md5(reverses_id::text || 'next')::uuid, source_ref || ':next', note, recorded_by_name
  from point_events
 where tenant_id = $1 and occurred_on >= $2 and occurred_on < $3
"""
TALLY_YEAR = """
insert into point_tallies (tenant_id, person_id, quarter_start, rule_item_id, quantity,
                           points, events)
select tenant_id, person_id, date_trunc('quarter', occurred_on)::date, rule_item_id,
       sum(quantity), sum(points), count(*)
  from point_events
 where tenant_id = $1 and occurred_on >= $2
 group by 1, 2, 3, 4
"""


async def ledger_of_year(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, Any]:
    """YEAR's ledger, copied from the year before's up to the bench day (if missing)."""
    start = date(YEAR, 1, 1)
    count = "select count(*) from point_events where tenant_id = $1 and occurred_on >= $2"
    if await conn.fetchval(count, tenant_id, start):
        return {"reused": True}
    until = BENCH_NOW.date() - timedelta(days=365)
    async with conn.transaction():
        await conn.execute("alter table point_events disable trigger tally")
        await conn.execute(COPY_LEDGER, tenant_id, date(YEAR - 1, 1, 1), until)
        await conn.execute("alter table point_events enable trigger tally")
        await conn.execute(TALLY_YEAR, tenant_id, start)
        await conn.execute("select point_recount($1, $2, null, null)", tenant_id, YEAR)
    await conn.execute("analyze point_events, point_tallies, point_counted")
    return {"events": await conn.fetchval(count, tenant_id, start)}


SATISFACTION = (5,) * 60 + (4,) * 30 + (3,) * 10  # of 100 confirmations
DESCRIPTIONS = ("卫生间漏水", "客厅灯泡不亮", "代购降压药", "交水电费", "更换医疗卡",
                "换优待证", "申请轮椅", "请保姆")  # fmt: skip
REQUEST_COLUMNS = ["tenant_id", "id", "person_id", "category_id", "description", "status",
                   "assignee_id", "created_at", "created_by", "due_at", "resolved_at",
                   "resolution", "confirmed_at", "satisfaction"]  # fmt: skip
EVENT_COLUMNS = ["tenant_id", "id", "request_id", "at", "actor_id", "actor_name", "kind",
                 "status", "level", "satisfaction"]  # fmt: skip


def one_request(
    rng: random.Random, tenant: uuid.UUID, category: Any, people: list[Any], workers: list[Any]
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """A request logged on a random day since FIRST_REQUEST_DAY, handled as districts
    handle them: most resolved in time, some late, the last few days' still open; most
    resolved ones confirmed with a satisfaction; a few late in a round before a reopen."""
    from app.service_requests import sla

    span = BENCH_NOW - datetime.combine(FIRST_REQUEST_DAY, day_time(8), BENCH_NOW.tzinfo)
    logged = BENCH_NOW - timedelta(seconds=rng.random() * span.total_seconds())
    due = sla.due_at(category, logged)
    worker = rng.choice(workers)
    request_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    in_time = rng.random() < 0.9
    took = (due - logged) * rng.uniform(0.1, 0.95) if in_time else (
        due - logged + timedelta(hours=rng.uniform(1, 72)))  # fmt: skip
    resolved: datetime | None = logged + took
    status, confirmed, satisfaction = "resolved", None, None
    if resolved is not None and resolved > BENCH_NOW:
        resolved, status = None, rng.choice(("new", "assigned", "in_progress"))
    elif rng.random() < 0.85:
        status, confirmed = "confirmed", resolved + timedelta(hours=rng.uniform(1, 48))
        satisfaction = rng.choice(SATISFACTION)
        if confirmed > BENCH_NOW:
            status, confirmed, satisfaction = "resolved", None, None
    row = (tenant, request_id, rng.choice(people), category.id, rng.choice(DESCRIPTIONS), status,
           worker["id"], logged, worker["id"], due, resolved,
           "已处理" if resolved else None, confirmed, satisfaction)  # fmt: skip
    steps = [("created", logged, "new", None)]
    if resolved is not None:
        if in_time and rng.random() < 0.02:  # a first round was late, then reopened
            steps.append(("late", resolved - timedelta(minutes=5), "resolved", None))
        steps.append(("resolved", resolved, "resolved", None))
    if confirmed is not None:
        steps.append(("confirmed", confirmed, "confirmed", satisfaction))
    events = [
        (tenant, uuid.UUID(int=rng.getrandbits(128), version=4), request_id, at, worker["id"],
         worker["name"], kind, state, 1, score)
        for kind, at, state, score in steps
    ]  # fmt: skip
    return row, events


async def requests_since(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Service requests from FIRST_REQUEST_DAY to the bench day (made afresh unless the
    number there is the one this makes)."""
    days = (BENCH_NOW.date() - FIRST_REQUEST_DAY).days
    wanted = REQUESTS_PER_YEAR * days // 365
    count = "select count(*) from service_requests where tenant_id = $1"
    if await conn.fetchval(count, tenant_id) == wanted:
        return {"reused": True, "requests": wanted}
    rng = random.Random(2026)
    living = "select id from people where tenant_id = $1 and deceased_on is null"
    people = [r["id"] for r in await conn.fetch(living, tenant_id)]
    workers = list(await conn.fetch(
        "select distinct u.id, u.name from grid_workers w join users u"
        " on u.tenant_id = w.tenant_id and u.id = w.user_id where w.tenant_id = $1",
        tenant_id))  # fmt: skip
    categories = [
        SimpleNamespace(**dict(r)) for r in await conn.fetch(
            "select id, sla_hours, same_day_by from request_categories"
            " where tenant_id = $1 and retired_at is null", tenant_id)
    ]  # fmt: skip
    rows, events = [], []
    for _ in range(wanted):
        row, steps = one_request(rng, tenant_id, rng.choice(categories), people, workers)
        rows.append(row)
        events += steps
    async with conn.transaction():
        await conn.execute("delete from service_request_events where tenant_id = $1", tenant_id)
        await conn.execute("delete from service_requests where tenant_id = $1", tenant_id)
        await conn.copy_records_to_table("service_requests", records=rows, columns=REQUEST_COLUMNS)
        await conn.copy_records_to_table(
            "service_request_events", records=events, columns=EVENT_COLUMNS
        )
    await conn.execute("analyze service_requests, service_request_events")
    return {"requests": len(rows), "events": len(events)}


PUBLISH = """
insert into point_publications (tenant_id, id, branch_id, period_start, period_end,
                                rule_set_id, status, objections_close_on, opened_by,
                                opened_by_name, published_by, published_by_name, published_at)
select b.tenant_id, gen_random_uuid(), b.id, h.start, h.last, v.id,
       case when h.last < $2 then 'published' else 'objection' end, h.last + 10,
       u.id, '合成书记', case when h.last < $2 then u.id end,
       case when h.last < $2 then '合成书记' end,
       case when h.last < $2 then (h.last + 12)::timestamptz end
  from org_units b
  cross join (values ($3::date, $4::date), ($5::date, $6::date),
                     ($7::date, $8::date)) h(start, last)
  cross join lateral (select id from point_rule_sets where tenant_id = b.tenant_id
                        and status = 'active' order by version limit 1) v
  cross join lateral (select id from users where tenant_id = b.tenant_id
                      order by id limit 1) u
 where b.tenant_id = $1 and b.kind = 'branch' and b.retired_at is null
"""
OBJECT = """
insert into point_objections (tenant_id, id, publication_id, person_id, raised_by,
                              raised_by_name, reason, status, answer, answered_by,
                              answered_by_name, answered_at)
select p.tenant_id, gen_random_uuid(), p.id, m.id, p.opened_by, '合成党员', '漏记一次学习',
       case when random() < 0.4 then 'upheld' else 'rejected' end, '已核实', p.opened_by,
       '合成书记', p.period_end + 5
  from point_publications p
  cross join lateral (select id from people where tenant_id = p.tenant_id
                        and branch_id = p.branch_id and party_member
                      order by id limit 3) m
 where p.tenant_id = $1 and random() < 0.3
"""


async def rankings_put_up(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Each branch's ranking put up for 2025's two halves (published) and 2026's first
    (published after its objections), a few objections answered."""
    count = "select count(*) from point_publications where tenant_id = $1"
    if await conn.fetchval(count, tenant_id):
        return {"reused": True}
    halves = (date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1), date(2025, 12, 31),
              date(2026, 1, 1), date(2026, 6, 30))  # fmt: skip
    async with conn.transaction():
        await conn.execute(PUBLISH, tenant_id, BENCH_NOW.date(), *halves)
        await conn.execute(OBJECT, tenant_id)
    return {"publications": await conn.fetchval(count, tenant_id)}


def prepare(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    roster.ensure_people(env, data_dir)
    tenant_id = province_shape()[0].tenant_id
    made: dict[str, Any] = {"grid": asyncio.run(grid_data.prepare(env))["counts"]}

    async def ledger_requests_rankings() -> None:
        conn = await owner_connection(env["DATABASE_OWNER_URL"])
        try:
            last_year = (
                "select count(*) from point_events where tenant_id = $1 and occurred_on < $2"
            )
            if not await conn.fetchval(last_year, tenant_id, date(YEAR, 1, 1)):
                made["points"] = (await points.prepare(env["DATABASE_OWNER_URL"]))["generated"]
            made["ledger"] = await ledger_of_year(conn, tenant_id)
            made["requests"] = await requests_since(conn, tenant_id)
            made["rankings"] = await rankings_put_up(conn, tenant_id)
        finally:
            await conn.close()

    asyncio.run(ledger_requests_rankings())
    return made


# --- the measurement (in a fresh process) ------------------------------------------------


def cpu_seconds() -> float:
    """CPU this process has used (user and system): unlike the wall time, it does not
    grow when other work shares the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def measure() -> dict[str, Any]:
    """Build the summary twice in this process: the first as a worker's first report
    (matplotlib and WeasyPrint imported on the way), the second warm."""
    from pypdf import PdfReader

    from app.db.tenant import tenant_scope
    from app.reports.summary import build_annual_summary
    from app.settings import Settings
    from app.state import open_services

    grid_data.freeze_clock()
    results: dict[str, Any] = {"before_mb": peak_mb()}
    async with open_services(Settings()) as services:
        with tenant_scope(province_shape()[0].tenant_id):
            for run in ("cold", "warm"):
                started, cpu = time.perf_counter(), cpu_seconds()
                steps: dict[int, float] = {}

                async def progress(percent: int) -> None:
                    steps[percent] = round(time.perf_counter() - started, 2)  # noqa: B023

                async with services.db.session() as session:
                    built = await build_annual_summary(session, {"year": YEAR}, progress)
                results[run] = {"seconds": round(time.perf_counter() - started, 2),
                                "cpu": round(cpu_seconds() - cpu, 2),
                                "steps": steps, "peak_mb": peak_mb()}  # fmt: skip
    PDF.parent.mkdir(parents=True, exist_ok=True)
    PDF.write_bytes(built.content)
    results["pages"] = len(PdfReader(io.BytesIO(built.content)).pages)
    results["kb"] = round(len(built.content) / 1024)
    results["filename"] = built.filename
    return results


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"made": prepare(env, data_dir)}
    load = os.getloadavg()[0]
    results.update(in_fresh_process("bench.annual_summary", env, "measure"))
    results["load"] = [load, os.getloadavg()[0]]
    if shutil.which("pdftoppm"):  # pages to look at beside the PDF
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(PDF), str(PDF.with_suffix(""))],
                       check=False)  # fmt: skip
    return results


def report(results: dict[str, Any]) -> str:
    cold, warm = results["cold"], results["warm"]
    steps = ", ".join(f"{p}% {s} s" for p, s in cold["steps"].items())
    load = " → ".join(f"{value:.1f}" for value in results["load"])
    return "\n".join([
        f"Annual summary {YEAR}, the 40,000-person district (as on {BENCH_NOW:%Y-%m-%d}):",
        f"  made: {results['made']}",
        f"  first build in a fresh process: {cold['seconds']} s, {cold['cpu']} s of this"
        f" process's CPU ({steps}), "
        f"peak memory {cold['peak_mb']} MB (process before: {results['before_mb']} MB)",
        f"  second build, warm: {warm['seconds']} s, {warm['cpu']} s of CPU,"
        f" peak {warm['peak_mb']} MB",
        f"  {results['pages']} pages, {results['kb']} KB: {PDF} (target < 20 s)",
        f"  load average {load}",
    ])  # fmt: skip


def main() -> None:
    run_and_report("annual_summary", run, report)


if __name__ == "__main__":
    main_or_step(main, {"measure": measure})
