"""What the header's unread count costs GET /grid (issue 13: "the inbox count adds
under 1 ms to a page").

The count is no request of its own: it is a scalar subquery in the one statement that
loads the identity (app.access, `unread_count`), walking at most 100 entries of the
partial index `ix_notifications_unread`. So the page is measured with and without it,
in one process and alternating request by request, so that whatever else runs on the
machine weighs on both alike: "without" swaps the subquery for a constant 0 (the
statement, the round trips and the page are otherwise the same).

The data: the large district's grid worker with one grid of 150 people on the grid
benchmark's day (bench.grid_data, made if missing), 150 unread and 50 read notices of
their own (past the cap), and 20 notices — a third unread — for each of the district's
other 5,000-odd accounts. Printed and written to bench/results/inbox_count.json:
GET /grid through the app in-process (Litestar's test client, production mode), the
identity statement alone (as the runtime role, under the district's RLS), and the
count's plan.

    uv run python -m bench.inbox_count
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.harness import (
    BENCH_KEYS,
    in_fresh_process,
    log_in,
    main_or_step,
    owner_connection,
    run_and_report,
)

ROUNDS, WARM_UP = 400, 30  # GET /grid each way, alternating
STATEMENTS = 3000  # the identity statement alone, each way

WORKER = """
select u.phone, u.id::text, u.tenant_id::text
  from grid_workers w join users u on u.tenant_id = w.tenant_id and u.id = w.user_id
 where w.tenant_id = (select id from tenants where slug = 'bench-000')
   and (select count(*) from grid_workers o where o.tenant_id = w.tenant_id
           and (o.user_id = w.user_id or o.grid_id = w.grid_id)) = 1
   and (select count(*) from grid_assignments a where a.tenant_id = w.tenant_id
           and a.grid_id = w.grid_id and a.ends_at is null) = 150
 order by u.phone limit 1"""

NOTICES = """
insert into notifications (id, tenant_id, recipient_id, kind, dedupe_key, title, body, link,
                           created_at, read_at)
select gen_random_uuid(), u.tenant_id, u.id, 'digest', 'bench:' || n, '今天有3户要走访',
       '逾期1户，今天到期3户。', '/grid', now() - n * interval '1 hour',
       case when u.id = $2 then (case when n > 150 then now() end)
            when n % 3 = 0 then null else now() end
  from users u cross join generate_series(1, 200) n
 where u.tenant_id = $1 and (u.id = $2 or n <= 20)
on conflict do nothing"""


async def seed(owner_url: str) -> dict[str, str]:
    """The worker, and the district's notices (once; a later run finds them)."""
    conn = await owner_connection(owner_url)
    try:
        row = await conn.fetchrow(WORKER)
        if row is None:
            return {}
        phone, user_id, tenant_id = row
        have = await conn.fetchval(
            "select count(*) from notifications where tenant_id = $1", UUID(tenant_id)
        )
        if not have:
            await conn.execute(NOTICES, UUID(tenant_id), UUID(user_id))
            await conn.execute("analyze notifications")
        total = await conn.fetchval(
            "select count(*) from notifications where tenant_id = $1", UUID(tenant_id)
        )
        return {"phone": phone, "user_id": user_id, "tenant_id": tenant_id, "notices": total}
    finally:
        await conn.close()


def ensure_data(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    found = asyncio.run(seed(env["DATABASE_OWNER_URL"]))
    if found:
        return found
    from bench import grid_data, roster

    roster.ensure_people(env, data_dir)
    asyncio.run(grid_data.prepare(env))
    return asyncio.run(seed(env["DATABASE_OWNER_URL"]))


# --- measuring, in a fresh process running the app ---------------------------------------------


def without_count(on: bool) -> None:
    """The identity's statement with the unread subquery, or a constant 0 in its place."""
    from sqlalchemy import Integer, literal

    import app.access
    from app.notifications.inbox.service import unread_count

    app.access.unread_count = unread_count if on else lambda _id: literal(0, Integer)  # type: ignore[assignment]


def ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "mean_ms": round(statistics.mean(samples), 3),
        "p95_ms": round(statistics.quantiles(samples, n=20)[18], 3),
    }


def pages(phone: str) -> dict[str, Any]:
    """GET /grid, with and without the count, alternating."""
    from litestar.testing import TestClient

    from app.main import create_app
    from app.settings import Settings
    from bench.grid_data import freeze_clock

    freeze_clock()
    app = create_app(Settings())
    samples: dict[bool, list[float]] = {True: [], False: []}
    with TestClient(app=app) as client:
        cookie = log_in(client, phone)
        badge = client.get("/grid", headers={"Cookie": cookie}).text
        assert 'inbox-link__count">99+<' in badge, "the worker's count is past the cap"
        for i in range(-WARM_UP, ROUNDS):
            for on in (i % 2 == 0, i % 2 != 0):
                without_count(on)
                started = time.perf_counter()
                response = client.get("/grid", headers={"Cookie": cookie})
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200
                if i >= 0:
                    samples[on].append(elapsed)
    without_count(True)
    return {"with": ms(samples[True]), "without": ms(samples[False]), "runs": ROUNDS}


async def statement(user_id: str, tenant_id: str) -> dict[str, Any]:
    """The identity statement alone, and the count's plan, as the runtime role."""
    from sqlalchemy import text

    from app.access import tenant_identity
    from app.db import Database
    from app.db.tenant import tenant_scope
    from app.settings import Settings

    db = Database(Settings().db.url, pool_size=1)
    user, tenant = UUID(user_id), UUID(tenant_id)
    samples: dict[bool, list[float]] = {True: [], False: []}
    try:
        with tenant_scope(tenant):
            async with db.session() as session:
                for i in range(-100, STATEMENTS):
                    for on in (i % 2 == 0, i % 2 != 0):
                        without_count(on)
                        started = time.perf_counter()
                        found = await tenant_identity(session, user, tenant)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert found is not None and found[0].unread == (100 if on else 0)
                        if i >= 0:
                            samples[on].append(elapsed)
                plan = await session.execute(
                    text(
                        "explain (analyze, buffers) select count(*) from (select id from "
                        "notifications where recipient_id = :id and read_at is null limit 100) s"
                    ),
                    {"id": user},
                )
                lines = [row[0] for row in plan]
    finally:
        without_count(True)
        await db.dispose()
    return {"with": ms(samples[True]), "without": ms(samples[False]), "runs": STATEMENTS,
            "plan": lines}  # fmt: skip


def measure(phone: str, user_id: str, tenant_id: str) -> dict[str, Any]:
    return {
        "statement": asyncio.run(statement(user_id, tenant_id)),
        "page": pages(phone),
    }


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    import os

    load_average = os.getloadavg()[0]
    env = {**BENCH_KEYS, **env}
    found = ensure_data(env, data_dir)
    results = in_fresh_process(
        "bench.inbox_count", {**env, "APP_ENV": "production"}, "measure",
        found["phone"], found["user_id"], found["tenant_id"],
    )  # fmt: skip
    return {**results, "notices": found["notices"],
            "load_average": [load_average, os.getloadavg()[0]]}  # fmt: skip


def report(results: dict[str, Any]) -> str:
    lines = [
        f"The header's unread count ({results['notices']:,} notices in the district; the "
        "grid worker has 150 unread), with against without, alternating; load average "
        f"{results['load_average'][0]:.1f} → {results['load_average'][1]:.1f}",
        "",
        "| | runs | with p50 / mean ms | without p50 / mean ms | the count adds (mean) |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (("page", "GET /grid (in-process)"), ("statement", "identity statement")):
        r = results[key]
        added = r["with"]["mean_ms"] - r["without"]["mean_ms"]
        lines.append(
            f"| {label} | {r['runs']} | {r['with']['p50_ms']:.2f} / {r['with']['mean_ms']:.2f} "
            f"| {r['without']['p50_ms']:.2f} / {r['without']['mean_ms']:.2f} | {added:+.2f} ms |"
        )
    lines += ["", "The count's plan:", *("    " + line for line in results["statement"]["plan"])]
    return "\n".join(lines)


def main() -> None:
    run_and_report("inbox_count", run, report)


if __name__ == "__main__":
    main_or_step(main, {"measure": measure})
