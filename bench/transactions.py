"""Transactions, statements and round trips per request (issue 12).

Four pages of the synthetic province's large district, each requested by the real app
in-process (create_app and Litestar's test client, logged in through the login form
like a browser): GET /grid as a grid worker with one grid of 150 people (on the grid
benchmark's day, bench.grid_data), a member's points page and a branch's ranking for
the points benchmark's quarter, and the roster list GET /people, these three as the
district's admin. SQLAlchemy's events on the app's own engine count, per request, the
transactions begun, the statements sent (`set_config` of the tenant among them) and
the round trips: BEGIN + statements + COMMIT/ROLLBACK, after a few warm-up requests
(prepared statements cached).

It assumes only `create_app`, `Settings`, `app.state.services.db.engine` and the bench
data, so it runs unchanged against older code: copy this file and bench/harness.py
into an older checkout's bench/ to count its requests (the data must be there: run it
here first). Figures are printed and written to bench/results/transactions.json.

    uv run python -m bench.transactions        (alone; `make bench` runs it last)
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.settings import PROJECT_ROOT
from bench.harness import in_fresh_process, log_in, main_or_step, owner_connection, run_and_report

BENCH_NOW = datetime(2026, 9, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""bench.grid_data.BENCH_NOW (not imported: that module needs today's app code)."""
YEAR = 2025  # the points benchmark's year: the one before the bench day's
WARM_UP, RUNS = 3, 10  # requests per page before counting, and counted
LABELS = {
    "grid": "GET /grid, a grid worker (150 people)",
    "member": "GET /points/people/{id}, a member's points page",
    "branch": "GET /points/branches/{id}, a branch's ranking",
    "roster": "GET /people, the roster list",
}
TARGET_TRANSACTIONS = 1

# The large district's admin, a grid worker with one grid of 150 people that no one else
# works, the first party member scored in the year, and the first branch.
TARGETS = """
with district as (select id from tenants where slug = 'bench-000')
select (select u.phone from users u join user_roles r on r.tenant_id = u.tenant_id
           and r.user_id = u.id and r.role = 'tenant_admin'
         where u.tenant_id = d.id order by u.phone limit 1) as admin,
       (select u.phone from grid_workers w join users u
           on u.tenant_id = w.tenant_id and u.id = w.user_id
         where w.tenant_id = d.id
           and (select count(*) from grid_workers o where o.tenant_id = w.tenant_id
                   and (o.user_id = w.user_id or o.grid_id = w.grid_id)) = 1
           and (select count(*) from grid_assignments a where a.tenant_id = w.tenant_id
                   and a.grid_id = w.grid_id and a.ends_at is null) = 150
         order by u.phone limit 1) as worker,
       (select p.id::text from people p where p.tenant_id = d.id and p.party_member
           and exists (select from point_events e where e.tenant_id = p.tenant_id
                          and e.person_id = p.id and e.occurred_on >= make_date($1, 1, 1))
         order by p.sort_key, p.id limit 1) as member,
       (select id::text from org_units where tenant_id = d.id and kind = 'branch'
           and retired_at is null order by name limit 1) as branch
  from district d"""


async def targets(owner_url: str) -> dict[str, Any]:
    conn = await owner_connection(owner_url)
    try:
        row = await conn.fetchrow(TARGETS, YEAR)
    finally:
        await conn.close()
    return dict(row) if row else {}


def ensure_data(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    """The people, the points year and the grid year, made by the other benchmarks'
    own steps if any is missing (never needed when an older checkout runs this)."""
    found = asyncio.run(targets(env["DATABASE_OWNER_URL"]))
    if found and all(found.values()):
        return found
    from bench import grid_data, points, roster  # today's code: only when data is missing

    roster.ensure_people(env, data_dir)
    if not found.get("member"):
        asyncio.run(points.prepare(env["DATABASE_OWNER_URL"]))
    if not found.get("worker"):
        asyncio.run(grid_data.prepare(env))
    return asyncio.run(targets(env["DATABASE_OWNER_URL"]))


# --- counting, in a fresh process running the app --------------------------------------------


class Counter:
    """Transactions, statements and their ends on one engine since the last reset."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self.begun = self.ended = 0
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _begin(self, *args: Any) -> None:
        self.begun += 1

    def _end(self, *args: Any) -> None:
        self.ended += 1

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:100])

    def reset(self) -> None:
        self.statements, self.begun, self.ended = [], 0, 0

    def counts(self) -> dict[str, int]:
        set_config = sum(1 for s in self.statements if "set_config" in s)
        return {
            "transactions": self.begun, "statements": len(self.statements),
            "set_config": set_config, "round_trips": self.begun + len(self.statements) + self.ended,
        }  # fmt: skip


def freeze_clock() -> None:
    """The app's clock stopped at BENCH_NOW, wherever this checkout keeps it."""
    for name in ("app.core.clock", "app.clock"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.__dict__["now"] = lambda: BENCH_NOW


def count(argument: str) -> dict[str, Any]:
    """Each page WARM_UP times, then RUNS times counted."""
    from litestar.testing import TestClient

    from app.main import create_app
    from app.settings import Settings

    found = json.loads(argument)
    pages = {
        "grid": (found["worker"], "/grid"),
        "member": (found["admin"], f"/points/people/{found['member']}?year={YEAR}"),
        "branch": (found["admin"], f"/points/branches/{found['branch']}?quarter={YEAR}Q4"),
        "roster": (found["admin"], "/people"),
    }
    freeze_clock()
    app = create_app(Settings())
    results: dict[str, Any] = {}
    with TestClient(app=app) as client:
        counter = Counter(app.state.services.db.engine.sync_engine)
        for name, (phone, url) in pages.items():
            cookie = log_in(client, phone)
            samples = []
            for i in range(-WARM_UP, RUNS):
                counter.reset()
                response = client.get(url, headers={"Cookie": cookie})
                assert response.status_code == 200, (url, response.status_code)
                if i >= 0:
                    samples.append(counter.counts())
            results[name] = {
                "url": url.replace(found["member"], "{id}").replace(found["branch"], "{id}"),
                **{key: sorted({s[key] for s in samples}) for key in samples[0]},
                "statements_sent": list(counter.statements),  # the last request's
            }
    return results


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    found = ensure_data(env, data_dir)
    env = {**env, "APP_ENV": "production"}  # as served
    results = in_fresh_process("bench.transactions", env, "count", json.dumps(found))
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    return {"code": head, "day": BENCH_NOW.isoformat(), "pages": results, "runs": RUNS}


def report(results: dict[str, Any]) -> str:
    def shown(values: list[int]) -> str:
        return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"

    lines = [
        f"Transactions and round trips per request, code {results['code']!r}"
        f" ({results['runs']} requests each after {WARM_UP} to warm up; a range when they vary)",
        "",
        "| page | transactions | statements (set_config) | round trips |",
        "|---|---:|---:|---:|",
    ]
    for name, label in LABELS.items():
        r = results["pages"][name]
        mark = "" if r["transactions"] == [TARGET_TRANSACTIONS] else " (target 1)"
        lines.append(
            f"| {label} | {shown(r['transactions'])}{mark} | {shown(r['statements'])}"
            f" ({shown(r['set_config'])}) | {shown(r['round_trips'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    run_and_report("transactions", run, report)


if __name__ == "__main__":
    main_or_step(main, {"count": count})
