"""Morning digests (issue 13): 10,000 grid workers of one district told at 07:30 what is
overdue and due today, delivered to the inbox by two real arq worker processes.

A district of its own (`bench-digest`, apart from the province's): 10,000 grid-worker
accounts, each with a grid of two people, one of them overdue and one due today —
generated in bulk by SQL (`generate_series`, deterministic ids): the accounts and
people once, the grids, assignments and due items each run, relative to the moment (so
the counts hold whatever the day), and removed at its end (the grid benchmark's
clean-up truncates only while no other district has grids).
The run empties Valkey and the district's notices, starts two processes running the
real WorkerSettings (`redstar worker`, production mode), queues the 07:30 job by hand
(its cron tick would be 07:30) and counts the district's digests in the database until
all 10,000 are there. Then it checks the dedupe keys (no key twice, one notice per
worker) and queues the whole run again — a second tick, a redelivery — which must
write nothing.

    uv run python -m bench.digests
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.harness import owner_connection, run_and_report, stop_group

SLUG = "bench-digest"
WORKERS = 10_000
PEOPLE_PER_WORKER = 2
PROCESSES = 2
TENANT = uuid.UUID("0d16e575-0000-4000-8000-000000000013")


async def make_district(env: dict[str, str]) -> dict[str, Any]:
    """The district, its rules (installed as signup does, as the app's role), its
    accounts and people (kept between runs), and its grids and assignments (removed
    after each run by `clear`, so the other benchmarks' clean-up still truncates)."""
    from bench.grid_data import install_rules

    conn = await owner_connection(env["DATABASE_OWNER_URL"])
    started = time.perf_counter()
    try:
        if not await conn.fetchval("select exists (select from tenants where id = $1)", TENANT):
            await conn.execute(
                "insert into tenants (id, province_code, name, slug, region_code, preset,"
                " applicant_name, applicant_phone, status) values ($1, '37',"
                " '合成摘要区退役军人事务局', $2, '379913', 'qingdao-six-categories',"
                " '合成申请人', '17999999999', 'active')",
                TENANT, SLUG,
            )  # fmt: skip
        await install_rules(env["DATABASE_URL"], TENANT)
        async with conn.transaction():
            if not await conn.fetchval("select exists (select from users where tenant_id = $1)",
                                       TENANT):  # fmt: skip
                password_hash = await conn.fetchval(
                    "select password_hash from users where tenant_id <> $1 limit 1", TENANT
                )
                await conn.execute(ACCOUNTS, password_hash)
                await conn.execute(PEOPLE)
            await conn.execute(GRIDS)
        await conn.execute("analyze")
    finally:
        await conn.close()
    return {"generate_s": round(time.perf_counter() - started, 1)}


async def clear(env: dict[str, str]) -> None:
    """The district's grids, assignments, due items and notices, gone after the run."""
    from bench.generate_grid import clear_grid

    conn = await owner_connection(env["DATABASE_OWNER_URL"])
    try:
        await clear_grid(conn, TENANT)
        await conn.execute("delete from notifications where tenant_id = $1", TENANT)
    finally:
        await conn.close()


# One worker per grid, PEOPLE_PER_WORKER people per grid; ids are md5s of their number,
# so each table is one INSERT … SELECT over generate_series that joins by computing.
# (The numbers are this module's constants: the statements run as one simple query.)
ACCOUNTS = f"""
    insert into users (tenant_id, id, phone, name, password_hash)
    select '{TENANT}', md5('digest-user-' || n)::uuid, '165' || lpad(n::text, 8, '0'),
           '网格员' || n, $1
      from generate_series(1, {WORKERS}) n
"""  # noqa: S608
PEOPLE = f"""
    insert into user_roles (tenant_id, user_id, role)
    select '{TENANT}', md5('digest-user-' || n)::uuid, 'grid_worker'
      from generate_series(1, {WORKERS}) n;
    insert into people (tenant_id, id, name, search_keys, sort_key, category)
    select '{TENANT}', md5('digest-person-' || n)::uuid, '摘要老人' || n, 'zhaiyao zy',
           lpad(n::text, 8, '0'), 'military_retiree'
      from generate_series(1, {WORKERS * PEOPLE_PER_WORKER}) n;
"""  # noqa: S608
GRIDS = f"""
    insert into grids (tenant_id, id, name)
    select '{TENANT}', md5('digest-grid-' || n)::uuid, '摘要网格' || n
      from generate_series(1, {WORKERS}) n;
    insert into grid_workers (tenant_id, grid_id, user_id)
    select '{TENANT}', md5('digest-grid-' || n)::uuid, md5('digest-user-' || n)::uuid
      from generate_series(1, {WORKERS}) n;
    insert into grid_assignments (tenant_id, id, person_id, grid_id)
    select '{TENANT}', gen_random_uuid(), md5('digest-person-' || n)::uuid,
           md5('digest-grid-' || ((n - 1) / {PEOPLE_PER_WORKER} + 1))::uuid
      from generate_series(1, {WORKERS * PEOPLE_PER_WORKER}) n;
"""  # noqa: S608
# Each grid's first person overdue since yesterday, the second due by the end of today.
DUE_ITEMS = f"""
    delete from visit_due_items where tenant_id = '{TENANT}';
    insert into visit_due_items (tenant_id, person_id, rule_id, occasion, opens_on, due_at)
    select '{TENANT}', md5('digest-person-' || n)::uuid,
           (select id from visit_rules where tenant_id = '{TENANT}' and code = 'hardship'),
           'bench:' || current_date, current_date - 7,
           case when n % {PEOPLE_PER_WORKER} = 1 then now() - interval '1 day'
                else (date_trunc('day', now() at time zone 'Asia/Shanghai')
                      + interval '1 day') at time zone 'Asia/Shanghai' end
      from generate_series(1, {WORKERS * PEOPLE_PER_WORKER}) n;
    delete from notifications where tenant_id = '{TENANT}';
"""  # noqa: S608


async def fresh_items(env: dict[str, str]) -> None:
    conn = await owner_connection(env["DATABASE_OWNER_URL"])
    try:
        await conn.execute(DUE_ITEMS)
    finally:
        await conn.close()


async def flush_queue(env: dict[str, str]) -> None:
    """An empty Valkey: no job or result of an earlier run (arq keeps a result an hour,
    and would refuse today's batches as already done)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(env["REDIS_URL"])
    await redis.flushdb()
    await redis.aclose()


async def queue_the_morning(env: dict[str, str], tick: str) -> None:
    """What the 07:30 cron tick does: queue send_morning_digests (through arq)."""
    from arq import create_pool
    from arq.connections import RedisSettings

    pool = await create_pool(RedisSettings.from_dsn(env["REDIS_URL"]))
    await pool.enqueue_job("send_morning_digests", _job_id=f"cron:digests:{tick}")
    await pool.aclose()


async def digest_counts(env: dict[str, str]) -> dict[str, int]:
    conn = await owner_connection(env["DATABASE_OWNER_URL"])
    try:
        row = await conn.fetchrow(
            "select count(*) as notices, count(distinct dedupe_key) as keys,"
            " count(distinct recipient_id) as recipients,"
            " count(*) filter (where body like '已逾期 1 人，今天到期 1 人%') as both_counted"
            " from notifications where tenant_id = $1 and kind = 'digest'",
            TENANT,
        )
        repeated = await conn.fetchval(
            "select count(*) from (select dedupe_key from notifications where tenant_id = $1"
            " group by recipient_id, dedupe_key having count(*) > 1) twice",
            TENANT,
        )
        return {**dict(row), "keys_written_twice": repeated}
    finally:
        await conn.close()


def start_workers(env: dict[str, str], logs: Path, stack: ExitStack) -> list[Path]:
    """PROCESSES × `redstar worker` in production mode, each logging to its own file;
    waits until each has started (its startup sweep queued)."""
    files = []
    for n in range(PROCESSES):
        log = logs / f"digest-worker-{n}.log"
        out = stack.enter_context(log.open("wb"))
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env={**os.environ, **env, "APP_ENV": "production"},
            stdout=subprocess.DEVNULL, stderr=out, start_new_session=True,
        )  # fmt: skip
        stack.callback(stop_group, process)
        files.append(log)
    deadline = time.monotonic() + 120
    while not all("worker_started" in f.read_text(errors="replace") for f in files):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not start; see {files}")
        time.sleep(0.2)
    return files


def wait_for(
    env: dict[str, str], expected: int, timeout: float = 300
) -> tuple[float, dict[str, int]]:
    """Seconds until the district holds `expected` digests (or the timeout), polling."""
    started = time.perf_counter()
    while True:
        counts = asyncio.run(digest_counts(env))
        elapsed = time.perf_counter() - started
        if counts["notices"] >= expected or elapsed > timeout:
            return elapsed, counts
        time.sleep(0.1)


def moments(files: list[Path], event: str) -> list[float]:
    """When each process logged `event` (Unix seconds, from the log's timestamps)."""
    found = []
    for log in files:
        for line in log.read_text(errors="replace").splitlines():
            if f'"{event}"' in line and (m := re.search(r'"timestamp": "([^"]+)"', line)):
                found.append(datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp())
    return sorted(found)


def batches_per_process(files: list[Path]) -> list[dict[str, int]]:
    """From each process's log: the digest batches it ran and the notices they wrote."""
    found = []
    for log in files:
        lines = [line for line in log.read_text(errors="replace").splitlines()
                 if '"digests_sent"' in line]  # fmt: skip
        written = sum(
            int(m.group(1)) for line in lines if (m := re.search(r'"written": (\d+)', line))
        )
        found.append({"batches": len(lines), "written": written})
    return found


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    asyncio.run(clear(env))  # what a run stopped midway left
    made = asyncio.run(make_district(env))
    asyncio.run(fresh_items(env))
    asyncio.run(flush_queue(env))
    results: dict[str, Any] = {"district": made, "load_before": os.getloadavg()[0]}
    with ExitStack() as stack:
        files = start_workers(env, data_dir, stack)
        queued_at = time.time()
        asyncio.run(queue_the_morning(env, "first"))
        seconds, counts = wait_for(env, WORKERS)
        sent = moments(files, "digests_sent")
        results["first"] = {
            "seconds": round(seconds, 2), **counts, "per_process": batches_per_process(files),
            "fan_out_done_s": round(moments(files, "digest_batches_queued")[0] - queued_at, 2),
            "batches_s": round(sent[-1] - sent[0], 2) if sent else None,
        }  # fmt: skip
        # A second tick (or a redelivery of every batch): arq's memory of the first is
        # wiped, so every batch runs again — and must write nothing.
        asyncio.run(flush_queue(env))
        asyncio.run(queue_the_morning(env, "second"))
        time.sleep(1)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = batches_per_process(files)
            if sum(p["batches"] for p in done) >= 2 * sum(
                p["batches"] for p in results["first"]["per_process"]
            ):
                break
            time.sleep(0.2)
        results["second"] = {**asyncio.run(digest_counts(env)),
                             "per_process": batches_per_process(files)}  # fmt: skip
    results["load_after"] = os.getloadavg()[0]
    asyncio.run(clear(env))
    return results


def report(results: dict[str, Any]) -> str:
    first, second = results["first"], results["second"]
    processes = ", ".join(
        f"{p['batches']} batches / {p['written']} notices" for p in first["per_process"]
    )
    return "\n".join([
        f"Morning digests, {WORKERS:,} grid workers of one district, {PROCESSES} worker processes"
        f" (load average {results['load_before']:.1f} → {results['load_after']:.1f})",
        f"  delivered to the inbox: {first['notices']:,} in {first['seconds']} s"
        f" (target: 10,000 in < 60 s) — {processes}",
        f"  of which: the 07:30 job listing the province's workers and queueing the batches"
        f" {first['fan_out_done_s']} s, the batches from first to last {first['batches_s']} s",
        f"  counts right (1 overdue, 1 due today): {first['both_counted']:,}",
        f"  duplicates: {first['keys_written_twice']} keys twice, {first['keys']:,} keys for"
        f" {first['recipients']:,} workers",
        f"  the whole run again: {second['notices']:,} notices"
        f" ({second['notices'] - first['notices']} new), {second['keys_written_twice']} duplicates",
    ])  # fmt: skip


if __name__ == "__main__":
    run_and_report("digests", run, report)
