"""The work on the admin's and a secretary's home (issue 13) at the large district's
size: each statement the home runs for its counts and charts, timed in a fresh
process, and GET /dashboard through the HTTP stack one request at a time.

Data: the large district's roster, its year of grid service (bench.grid_data: about
160,000 visits, 390,000 due items, the clock at BENCH_NOW), its year of points
(bench.points: 1.2 million events, last year) and, if missing, a year of service
requests (REQUESTS of them, written here by COPY: logged through the year, most
resolved, some late, some still open). Participation is timed for the points year's
last quarter (the clock's own quarter has no points in the bench); the rest at
BENCH_NOW. A secretary is the large district's first branch's leader as the identity
would carry it (led_units = that branch).

    uv run python -m bench.home        (reuses what earlier runs generated)

Figures are printed and written to bench/results/home.json, never asserted.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import roster
from bench.generate import large_district_admin_phone, province_shape
from bench.grid_data import BENCH_NOW, freeze_clock
from bench.grid_data import prepare as prepare_grid
from bench.harness import (
    BENCH_KEYS,
    app_server,
    in_fresh_process,
    main_or_step,
    owner_connection,
    run_and_report,
    session_cookie,
    spread,
)
from bench.points import prepare as prepare_points
from bench.points_floors import bench_quarter

ROUNDS = 30
WARMUP = 3
REQUESTS = 8_000  # a year's service requests in a district of 40,000
PAGE_REQUESTS = 40


# --- data --------------------------------------------------------------------------------


async def ensure_requests(owner_url: str) -> dict[str, Any]:
    """A year of service requests up to BENCH_NOW, if the district has none."""
    tenant_id = province_shape()[0].tenant_id
    conn = await owner_connection(owner_url)
    try:
        have = await conn.fetchval(
            "select count(*) from service_requests where tenant_id = $1", tenant_id
        )
        if have:
            return {"requests": have, "generated": False}
        people = [
            r["id"]
            for r in await conn.fetch(
                "select id from people where tenant_id = $1 and deceased_on is null", tenant_id
            )
        ]
        categories = await conn.fetch(
            "select id, sla_hours from request_categories where tenant_id = $1", tenant_id
        )
        author = await conn.fetchval(
            "select id from users where tenant_id = $1 order by created_at limit 1", tenant_id
        )
        rng = random.Random(2026)
        rows = []
        for _ in range(REQUESTS):
            category = rng.choice(categories)
            created = BENCH_NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
            due = created + timedelta(hours=category["sla_hours"] or 24)
            took = timedelta(hours=(category["sla_hours"] or 24) * rng.uniform(0.1, 1.4))
            resolved = created + took if created + took < BENCH_NOW else None
            status = "confirmed" if resolved else rng.choice(["new", "assigned", "in_progress"])
            rows.append((tenant_id, uuid.uuid4(), rng.choice(people), category["id"], "漏水",
                         status, created, author, due, resolved, resolved))  # fmt: skip
        await conn.copy_records_to_table(
            "service_requests", records=rows,
            columns=["tenant_id", "id", "person_id", "category_id", "description", "status",
                     "created_at", "created_by", "due_at", "resolved_at", "confirmed_at"],
        )  # fmt: skip
        await conn.execute("analyze service_requests")
        return {"requests": len(rows), "generated": True}
    finally:
        await conn.close()


# --- the statements, timed in a fresh process ---------------------------------------------


async def _measure() -> dict[str, Any]:
    from sqlalchemy import select

    from app.access import tenant_identity
    from app.core.identity import Identity
    from app.core.roles import Role
    from app.dashboard.work import work, work_charts
    from app.db.tenant import tenant_scope
    from app.grid.coverage.charts import visits_by_month
    from app.people.models import OrgUnit
    from app.points.participation import participation
    from app.service_requests.compliance.service import compliance_by_month
    from app.settings import Settings
    from app.state import open_services

    freeze_clock()
    tenant_id = province_shape()[0].tenant_id
    quarter = bench_quarter()
    results: dict[str, Any] = {}
    async with open_services(Settings()) as services:
        with tenant_scope(tenant_id):
            async with services.db.unit() as session:
                admin_id = await session.scalar(
                    select(_user_id()).where(_phone() == large_district_admin_phone())
                )
                found = await tenant_identity(session, admin_id, tenant_id)
                assert found is not None
                admin = found[0]
                branch = await session.scalar(
                    select(OrgUnit.id).where(OrgUnit.kind == "branch").order_by(OrgUnit.name)
                )
            secretary = Identity(
                user_id=uuid.uuid4(), name="书记", roles=frozenset({Role.BRANCH_SECRETARY}),
                tenant_id=tenant_id, led_units=frozenset({branch}),
            )  # fmt: skip
            today = BENCH_NOW.date()
            for who, identity in (("admin", admin), ("secretary", secretary)):
                steps: dict[str, Callable[[Any], Awaitable[Any]]] = {
                    "counts": lambda s, i=identity: work(s, i),
                    "visits_by_month": lambda s, i=identity: visits_by_month(s, i.scope, today),
                    "sla_by_month": lambda s, i=identity: compliance_by_month(s, i),
                    "participation": lambda s, i=identity: participation(s, i.scope, quarter),
                    "all_charts": lambda s, i=identity: work_charts(s, i),
                    "all_charts_kept": lambda s, i=identity: work_charts(s, i, services.redis),
                }
                for name, step in steps.items():
                    results[f"{who}.{name}"] = await _timed(services, step)
    return results


def _user_id() -> Any:
    from app.accounts.models import User

    return User.id


def _phone() -> Any:
    from app.accounts.models import User

    return User.phone


async def _timed(services: Any, step: Callable[[Any], Awaitable[Any]]) -> dict[str, float]:
    samples = []
    for i in range(-WARMUP, ROUNDS):
        started = time.perf_counter()
        async with services.db.unit() as session:
            await step(session)
        if i >= 0:
            samples.append((time.perf_counter() - started) * 1000)
    return spread(samples)


# --- the page ------------------------------------------------------------------------------


def page(env: dict[str, str]) -> dict[str, Any]:
    """GET /dashboard as the admin, one request at a time (the clock is the real one:
    the grid year ends at BENCH_NOW, so the work counts are those of a quiet day)."""
    with app_server(env, workers=1) as app:
        cookie = session_cookie(app.base, large_district_admin_phone())
        samples = []
        with httpx.Client(base_url=app.base, headers={"Cookie": cookie}) as web:
            for i in range(-WARMUP, PAGE_REQUESTS):
                started = time.perf_counter()
                response = web.get("/dashboard")
                assert response.status_code == 200 and "data-chart=" in response.text
                if i >= 0:
                    samples.append((time.perf_counter() - started) * 1000)
    return {"get_dashboard_admin": spread(samples), "bytes": len(response.content)}


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    env = {**BENCH_KEYS, **env}
    roster.ensure_people(env, data_dir)
    asyncio.run(prepare_grid(env))
    results: dict[str, Any] = {"requests": asyncio.run(ensure_requests(env["DATABASE_OWNER_URL"]))}
    tallies = asyncio.run(_tallies(env["DATABASE_OWNER_URL"]))
    if not tallies:
        asyncio.run(prepare_points(env["DATABASE_OWNER_URL"]))
    results["statements"] = in_fresh_process("bench.home", env, "measure")
    results["page"] = page(env)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load"] = [load, os.getloadavg()[0]]
    return results


async def _tallies(owner_url: str) -> int:
    conn = await owner_connection(owner_url)
    try:
        return int(
            await conn.fetchval(
                "select count(*) from point_tallies where tenant_id = $1 and quarter_start = $2",
                province_shape()[0].tenant_id, bench_quarter().start,
            )
        )  # fmt: skip
    finally:
        await conn.close()


def report(results: dict[str, Any]) -> str:
    lines = [
        "The home's work and charts, large district (40,000 people, 160,000 visits, "
        f"{results['requests']['requests']} requests, a year of points)",
        f"  {'statement':<34}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    for name, figures in results["statements"].items():
        lines.append(f"  {name:<34}{figures['p50_ms']:>9}{figures['p95_ms']:>9}")
    got = results["page"]["get_dashboard_admin"]
    lines.append(f"  {'GET /dashboard, admin (HTTP)':<34}{got['p50_ms']:>9}{got['p95_ms']:>9}")
    lines.append(f"  load average {results['load'][0]:.2f} → {results['load'][1]:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main_or_step(lambda: run_and_report("home", run, report), {"measure": _measure})
