"""The due list's service against its floor, in a fresh process as the runtime role
(bench.grid runs it): DueListService.due_list for the timed grid workers in turn, each
beside one hand-written SQL statement returning the same rows (checked equal here, and
at small scale in tests/service/test_bench_grid.py), then EXPLAIN ANALYZE of each.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event

from app.access import tenant_identity
from app.core import clock
from app.core.identity import Identity
from app.db.tenant import tenant_scope
from app.grid import due
from app.grid.visits.due_list import DueList, DueListService, DueRow
from bench.generate import province_shape
from bench.grid_data import freeze_clock
from bench.harness import in_fresh_process, main_or_step, spread

ROUNDS, WARMUP = 2, 5  # every worker twice, after a few warm-up calls

# --- the floor: one statement ----------------------------------------------------------------

# The rows of a grid worker's list ($1 the account): the open items of enabled rules of
# the people now in their live grids, opening within the horizon ($2), not yet missed ($3).
FLOOR = """
select p.id, p.name, p.phone, p.address, r.name, r.trigger, d.opens_on, d.due_at, g.name
  from grid_workers w
  join grids g on g.tenant_id = w.tenant_id and g.id = w.grid_id and g.retired_at is null
  join grid_assignments a on a.tenant_id = g.tenant_id and a.grid_id = g.id
                         and a.ends_at is null
  join people p on p.tenant_id = a.tenant_id and p.id = a.person_id and p.deceased_on is null
  join visit_due_items d on d.tenant_id = a.tenant_id and d.person_id = a.person_id
                        and d.visit_id is null and d.opens_on <= $2 and d.due_at > $3
  join visit_rules r on r.tenant_id = d.tenant_id and r.id = d.rule_id and r.enabled
 where w.user_id = $1
 order by d.due_at, p.sort_key"""


def floor_args(user_id: uuid.UUID, now: datetime) -> tuple[uuid.UUID, date, datetime]:
    today = now.astimezone(clock.CHINA_TIME).date()
    return (
        user_id,
        today + timedelta(days=due.HORIZON_DAYS),
        now - timedelta(days=due.MISSED_AFTER_DAYS),
    )


Row = tuple[Any, ...]
Answer = tuple[list[Row], list[Row], list[Row], list[Row]]
"""Overdue, due this week, open but due later, not open yet: each section's rows, a
person's own item, or a holiday's line (name, deadline, count)."""


def sections(rows: Sequence[Row], now: datetime) -> Answer:
    """The floor's rows split as the page shows them (DueListService.due_list): own
    items one by one, a holiday's items as one line with a count."""
    today = now.astimezone(clock.CHINA_TIME).date()
    sunday = today + timedelta(days=6 - today.weekday())

    def last_day(row: Row) -> date:
        return (row[7] - timedelta(microseconds=1)).astimezone(clock.CHINA_TIME).date()

    is_open = [r for r in rows if r[7] > now and r[6] <= today]
    parts: Answer = (
        [r for r in rows if r[7] <= now],
        [r for r in is_open if last_day(r) <= sunday],
        [r for r in is_open if last_day(r) > sunday],
        [r for r in rows if r[7] > now and r[6] > today],
    )
    return _lines(parts[0]), _lines(parts[1]), _lines(parts[2]), _lines(parts[3])


def _lines(rows: list[Row]) -> list[Row]:
    own = [r for r in rows if r[5] != "holiday"]
    counts: dict[tuple[Any, Any], int] = {}
    for r in rows:
        if r[5] == "holiday":
            counts[(r[4], r[7])] = counts.get((r[4], r[7]), 0) + 1
    return own + [("holiday", name, due, n) for (name, due), n in counts.items()]


def service_answer(found: DueList) -> Answer:
    def plain(rows: list[DueRow], groups: list[Any]) -> list[Row]:
        own = [(r.person_id, r.name, r.phone, r.address, r.rule_name, r.trigger, r.opens_on,
                r.due_at, r.grid_name) for r in rows]  # fmt: skip
        return own + [("holiday", g.rule_name, g.first.due_at, g.count) for g in groups]

    return (
        plain(found.overdue, found.holidays_overdue),
        plain(found.this_week, found.holidays_this_week),
        plain(found.later, found.holidays_later),
        plain(found.not_open, found.holidays_not_open),
    )


def same_answer(service: Answer, floor: Answer) -> bool:
    """Each section holds the same rows in the same order of deadlines (rows that tie
    on deadline and name may come in either order)."""
    return all(
        sorted(s, key=repr) == sorted(f, key=repr) for s, f in zip(service, floor, strict=True)
    )


async def fetch_floor(services: Any, user_id: uuid.UUID, now: datetime) -> list[Row]:
    """The floor in its own transaction (tenant set), as a request would run it."""
    async with services.db.unit() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        found = await raw.driver_connection.fetch(FLOOR, *floor_args(user_id, now))  # type: ignore[union-attr]
        return [tuple(r) for r in found]


# --- timing the service and its floor (a fresh process, the runtime role) ----------------


async def identity_of(services: Any, worker: dict[str, Any], tenant_id: uuid.UUID) -> Identity:
    """The worker as a request would load them (their grids included)."""
    async with services.db.unit() as session:
        found = await tenant_identity(session, uuid.UUID(worker["id"]), tenant_id)
    assert found is not None
    return found[0]


async def _measure(argument: str) -> dict[str, Any]:
    from app.settings import Settings
    from app.state import open_services

    freeze_clock()
    workers = json.loads(argument)
    tenant_id = province_shape()[0].tenant_id
    now = clock.now()
    served: list[float] = []
    floored: list[float] = []
    agree, sizes = True, []
    async with open_services(Settings()) as services:
        with tenant_scope(tenant_id):
            identities = [await identity_of(services, worker, tenant_id) for worker in workers]
            for i in range(-WARMUP, ROUNDS * len(workers)):
                identity = identities[i % len(workers)]
                started = time.perf_counter()
                async with services.db.unit() as session:  # as a request's unit of work
                    found = await DueListService(session).due_list(identity)
                middle = time.perf_counter()
                rows = await fetch_floor(services, identity.user_id, now)
                ended = time.perf_counter()
                if i >= 0:
                    served.append((middle - started) * 1000)
                    floored.append((ended - middle) * 1000)
                answer = service_answer(found)
                agree = agree and same_answer(answer, sections(rows, now))
                if 0 <= i < len(workers):
                    sizes.append([len(part) for part in answer])
            plans = await explain(services, identities[0], now)
    return {
        "service": spread(served, mean=True), "floor": spread(floored, mean=True),
        "runs": len(served), "same_answer": agree, "sizes": sizes, "explain": plans,
    }  # fmt: skip


async def explain(services: Any, identity: Identity, now: datetime) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of every statement the service runs for one worker (captured as
    the driver sees them), then of the floor."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not statement.lstrip().startswith("select set_config"):
            captured.append((statement, parameters))

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        async with services.db.unit() as session:
            await DueListService(session).due_list(identity)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    captured.append((FLOOR, floor_args(identity.user_id, now)))
    plans = []
    async with services.db.unit() as session:
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        for n, (statement, parameters) in enumerate(captured):
            sql = "explain (analyze, buffers) " + statement
            plan = [r[0] for r in await raw.fetch(sql, *(parameters or ()))]  # type: ignore[union-attr]
            name = "floor" if n == len(captured) - 1 else f"service #{n + 1}"
            ms = float(re.findall(r"Execution Time: ([\d.]+)", plan[-1])[0])
            plans.append({"statement": name, "execution_ms": ms, "plan": plan})
    return plans


def run_measure(env: dict[str, str], workers: list[dict[str, str]]) -> dict[str, Any]:
    return in_fresh_process("bench.grid_measure", env, "measure", json.dumps(workers))


if __name__ == "__main__":
    main_or_step(lambda: print("run by bench.grid"), {"measure": _measure})
