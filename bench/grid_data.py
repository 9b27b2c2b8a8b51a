"""The grid benchmark's day and data (bench.grid): the bench day every measuring process
stops its clock at, the district's visit rules, the year of grid service (generated
once by bench.generate.generate_grid, reused while it is there), the nightly job for
the day, and the grid workers timed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid import due
from app.grid.models import VisitDueItem, VisitRule
from app.service_requests.presets import install_service_preset
from bench.generate import province_shape
from bench.generate_grid import GRID_SIZE, VISITS, clear_grid, generate_grid
from bench.harness import owner_connection, with_owner

BENCH_NOW = datetime(2026, 9, 22, 10, 0, tzinfo=clock.CHINA_TIME)
"""Tuesday 22 September 2026, 10:00: 中秋 (the 25th) is open, 国庆 opens on the 24th."""
TIMED = 50  # grid workers timed, each with one grid of GRID_SIZE people


def freeze_clock() -> None:
    """The app's clock stopped at BENCH_NOW (services read it through the module)."""
    clock.now = lambda: BENCH_NOW


async def install_rules(runtime_url: str, tenant_id: uuid.UUID) -> bool:
    """The district's visit rules (and the rest of the service preset), installed as
    signup does — as the app's role, in the district — if it has none yet."""
    db = Database(runtime_url, pool_size=1)
    try:
        with tenant_scope(tenant_id):
            async with db.session() as session:
                if await session.scalar(select(func.count()).select_from(VisitRule)):
                    return False
                await install_service_preset(session, tenant_id)
                await session.commit()
                return True
    finally:
        await db.dispose()


async def refresh(runtime_url: str, tenant_id: uuid.UUID) -> dict[str, int]:
    """The daily job for the bench day, as the app runs it: what it adds to the year the
    generator wrote (nothing, if the generator wrote what the app would have)."""
    db = Database(runtime_url, pool_size=1)
    open_items = (
        select(func.count()).select_from(VisitDueItem).where(VisitDueItem.visit_id.is_(None))
    )
    try:
        with tenant_scope(tenant_id):
            async with db.session() as session:
                before = await session.scalar(open_items) or 0
                written = await due.refresh(session, BENCH_NOW.date())
                after = await session.scalar(open_items) or 0
                await session.commit()
    finally:
        await db.dispose()
    return {"written": written, "answered": before + written - after}


READY = """
select (select count(*) from grids where tenant_id = $1) as grids,
       (select count(*) from people where tenant_id = $1 and deceased_on is null) as living,
       (select count(*) from grid_assignments where tenant_id = $1 and ends_at is null) as assigned,
       (select count(*) from visits where tenant_id = $1) as visits,
       (select max(visited_on) from visits where tenant_id = $1) as last_visit"""

COUNTS = """
select (select count(*) from people where tenant_id = $1) as people,
       (select count(*) from grids where tenant_id = $1) as grids,
       (select count(*) from grid_workers where tenant_id = $1) as grid_workers,
       (select count(*) from grid_assignments where tenant_id = $1 and ends_at is not null)
           as assignments_ended,
       (select count(*) from visits where tenant_id = $1) as visits,
       (select count(*) from visits where tenant_id = $1 and knows_where is not null)
           as visits_with_knows,
       (select count(*) from concerns where tenant_id = $1) as concerns,
       (select count(*) from concerns where tenant_id = $1 and closed_at is null)
           as concerns_open,
       (select count(*) from visit_due_items where tenant_id = $1) as items,
       (select count(*) from visit_due_items where tenant_id = $1 and visit_id is not null)
           as items_answered,
       (select count(*) from visit_due_items where tenant_id = $1 and visit_id is null
           and due_at <= $2::timestamptz - interval '30 days') as items_missed,
       (select count(*) from visit_due_items where tenant_id = $1 and visit_id is null
           and due_at > $2::timestamptz - interval '30 days') as items_listed"""

# Workers with one grid of GRID_SIZE people that no one else works, spread over the district.
TIMED_WORKERS = """
select u.id::text, u.name, u.phone
  from grid_workers w join users u on u.tenant_id = w.tenant_id and u.id = w.user_id
 where w.tenant_id = $1
   and (select count(*) from grid_workers o where o.tenant_id = w.tenant_id
           and (o.user_id = w.user_id or o.grid_id = w.grid_id)) = 1
   and (select count(*) from grid_assignments a where a.tenant_id = w.tenant_id
           and a.grid_id = w.grid_id and a.ends_at is null) = $2
 order by u.phone"""


async def prepare(env: dict[str, str]) -> dict[str, Any]:
    tenant_id = province_shape()[0].tenant_id
    results: dict[str, Any] = {
        "rules_installed": await install_rules(env["DATABASE_URL"], tenant_id)
    }
    conn = await owner_connection(env["DATABASE_OWNER_URL"])
    try:
        ready = await conn.fetchrow(READY, tenant_id)
        reuse = (
            ready["grids"] > 0 and ready["assigned"] == ready["living"]
            and abs(ready["visits"] - VISITS) < VISITS * 0.05
            and ready["last_visit"] == BENCH_NOW.date()
        )  # fmt: skip
        if not reuse:
            results["generated"] = await generate_grid(conn, tenant_id, BENCH_NOW)
            print("grid service generated:", results["generated"], flush=True)
        results["refresh"] = await refresh(env["DATABASE_URL"], tenant_id)
        await conn.execute("analyze visit_due_items")
        results["counts"] = dict(await conn.fetchrow(COUNTS, tenant_id, BENCH_NOW))
        candidates = [dict(r) for r in await conn.fetch(TIMED_WORKERS, tenant_id, GRID_SIZE)]
    finally:
        await conn.close()
    step = max(1, len(candidates) // TIMED)
    results["workers"] = candidates[::step][:TIMED]
    return results


def clear(env: dict[str, str]) -> None:
    """The large district's grid service removed: it references the people that the
    roster benchmark deletes and imports again (`make bench` calls this before it)."""

    with_owner(env, lambda conn: clear_grid(conn, province_shape()[0].tenant_id))
