"""The district's volunteering figures page (GET /volunteering/totals) at the large
district's size: 40,000 people, 127 teams in three levels (the size source 004 quotes)
with 3,000 registered volunteers, and a year of 20,000 activities with 2–8 participants
each (about 100,000 hours rows) — last year's as many again, so the year's filter has
work to do. Target: under 200 ms server time at the median.

The data is written by COPY as the owner (no points: the page reads hours, not the
ledger), vacuumed so the aggregates read their covering indexes only, and reused while
its counts hold. The page is requested one at a time by the district's admin through
uvicorn in production mode; the server's own `ms` per request comes from its log.

    uv run python -m bench.volunteering        (reuses what earlier runs generated)

Figures are printed and written to bench/results/volunteering.json, never asserted.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench import roster
from bench.generate import large_district_admin_phone, province_shape
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
from bench.load import server_ms

STATIONS, SUBSTATIONS, TEAMS = 1, 8, 118
VOLUNTEERS = 3_000
ACTIVITIES = 20_000  # a year's, this year and last
WARMUP, REQUESTS = 5, 60
TABLES = ("volunteer_photos", "volunteer_hours", "volunteer_activities", "volunteer_members",
          "volunteer_teams")  # fmt: skip


def this_year() -> int:
    return date.today().year


async def counts(conn: Any, tenant_id: uuid.UUID) -> dict[str, int]:
    row = await conn.fetchrow(
        """select (select count(*) from volunteer_teams where tenant_id = $1) as teams,
                  (select count(*) from volunteer_activities where tenant_id = $1
                     and held_on >= make_date($2, 1, 1)) as activities,
                  (select count(*) from volunteer_activities where tenant_id = $1
                     and hours = 0) as without_hours,
                  (select count(*) from volunteer_hours where tenant_id = $1) as hours""",
        tenant_id, this_year(),
    )  # fmt: skip
    return dict(row)


async def generate(conn: Any, tenant_id: uuid.UUID) -> dict[str, int]:
    """Teams, members and two years of activities with their hours, by COPY."""
    rng = random.Random(2026)
    for table in TABLES:
        await conn.execute(f"delete from {table} where tenant_id = $1", tenant_id)  # noqa: S608
    people = [r["id"] for r in await conn.fetch(
        "select id from people where tenant_id = $1 and deceased_on is null", tenant_id
    )]  # fmt: skip
    author = await conn.fetchval(
        "select id from users where tenant_id = $1 order by created_at limit 1", tenant_id
    )
    station = uuid.uuid4()
    teams = [(tenant_id, station, None, "station", "志愿服务总站", None, [station])]
    subs = [uuid.uuid4() for _ in range(SUBSTATIONS)]
    teams += [(tenant_id, s, station, "substation", f"第{i + 1}分站", None, [station, s])
              for i, s in enumerate(subs)]  # fmt: skip
    specialties = ["talks", "care_visits", "medical", "epidemic", "civility", "emergency"]
    leaves = []
    for i in range(TEAMS):
        sub, team = subs[i % SUBSTATIONS], uuid.uuid4()
        teams.append((tenant_id, team, sub, "team", f"服务队{i + 1}", specialties[i % 6],
                      [station, sub, team]))  # fmt: skip
        leaves.append(team)
    await conn.copy_records_to_table(
        "volunteer_teams", records=teams,
        columns=["tenant_id", "id", "parent_id", "level", "name", "specialty", "path"],
    )  # fmt: skip
    volunteers = rng.sample(people, VOLUNTEERS)
    crews: dict[uuid.UUID, list[uuid.UUID]] = {team: [] for team in leaves}
    for n, person in enumerate(volunteers):
        crews[leaves[n % TEAMS]].append(person)
    members = [(tenant_id, team, person, "leader" if k == 0 else "member", date(2020, 3, 1))
               for team, crew in crews.items() for k, person in enumerate(crew)]  # fmt: skip
    await conn.copy_records_to_table(
        "volunteer_members", records=members,
        columns=["tenant_id", "team_id", "person_id", "role", "joined_on"],
    )  # fmt: skip
    activities, hours = [], []
    today = date.today()
    for year in (this_year() - 1, this_year()):
        days = ((today if year == this_year() else date(year, 12, 31)) - date(year, 1, 1)).days
        for _ in range(ACTIVITIES):
            team = rng.choice(leaves)
            day = date(year, 1, 1) + timedelta(days=rng.randrange(days + 1))
            activity = uuid.uuid4()
            served = Decimal(rng.choice((1, 1.5, 2, 2, 3, 4)))
            crew = rng.sample(crews[team], k=min(len(crews[team]), rng.randint(2, 8)))
            hours += [(tenant_id, activity, person, served, day, team) for person in crew]
            activities.append((tenant_id, activity, team, "medical", "community", day, "社区",
                               rng.randint(5, 200), rng.randint(0, 5), served * len(crew),
                               author, "管理员"))  # fmt: skip
    await conn.copy_records_to_table(
        "volunteer_activities", records=activities,
        columns=["tenant_id", "id", "team_id", "kind", "target", "held_on", "place",
                 "beneficiaries", "good_deeds", "hours", "recorded_by", "recorded_by_name"],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "volunteer_hours", records=hours,
        columns=["tenant_id", "activity_id", "person_id", "hours", "held_on", "team_id"],
    )  # fmt: skip
    return {"teams": len(teams), "members": len(members), "activities": len(activities),
            "hours_rows": len(hours)}  # fmt: skip


async def prepare(owner_url: str) -> dict[str, Any]:
    tenant_id = province_shape()[0].tenant_id
    conn = await owner_connection(owner_url)
    try:
        found = await counts(conn, tenant_id)
        generated = None
        expected = STATIONS + SUBSTATIONS + TEAMS, ACTIVITIES, 0
        if (found["teams"], found["activities"], found["without_hours"]) != expected:
            generated = await generate(conn, tenant_id)
            print("volunteering generated:", generated, flush=True)
        for table in TABLES:  # the visibility map, for index-only scans; fresh statistics
            await conn.execute(f"vacuum analyze {table}")
        return {"counts": await counts(conn, tenant_id), "generated": generated}
    finally:
        await conn.close()


async def _measure() -> dict[str, Any]:
    """district_figures alone (its statements and the roll-up), in a fresh process."""
    from app.db.tenant import tenant_scope
    from app.settings import Settings
    from app.state import open_services
    from app.volunteering.totals.service import district_figures

    samples = []
    async with open_services(Settings()) as services:
        with tenant_scope(province_shape()[0].tenant_id):
            for i in range(-WARMUP, REQUESTS):
                started = time.perf_counter()
                async with services.db.unit() as session:
                    await district_figures(session, this_year(), this_year())
                if i >= 0:
                    samples.append((time.perf_counter() - started) * 1000)
    return spread(samples)


def page(env: dict[str, str], log: Path) -> dict[str, Any]:
    """GET /volunteering/totals as the admin, one request at a time."""
    with app_server(env, workers=1, log=log) as app:
        cookie = session_cookie(app.base, large_district_admin_phone())
        start = log.stat().st_size
        client_ms = []
        with httpx.Client(base_url=app.base, headers={"Cookie": cookie}) as web:
            for i in range(-WARMUP, REQUESTS):
                started = time.perf_counter()
                response = web.get("/volunteering/totals")
                assert response.status_code == 200 and "tile__figure" in response.text
                if i >= 0:
                    client_ms.append((time.perf_counter() - started) * 1000)
        times, statuses = server_ms(log, start, "/volunteering/totals")
    return {
        "server": spread(times[WARMUP:]), "client": spread(client_ms), "statuses": statuses,
        "bytes": len(response.content),
    }  # fmt: skip


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    started, load = time.perf_counter(), os.getloadavg()[0]
    env = {**BENCH_KEYS, **env}
    roster.ensure_people(env, data_dir)
    results: dict[str, Any] = {"data": asyncio.run(prepare(env["DATABASE_OWNER_URL"]))}
    results["figures"] = in_fresh_process("bench.volunteering", env, "measure")
    results["page"] = page(env, data_dir / "volunteering-web.log")
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load"] = [load, os.getloadavg()[0]]
    return results


def report(results: dict[str, Any]) -> str:
    c = results["data"]["counts"]
    server, client = results["page"]["server"], results["page"]["client"]
    return "\n".join([
        f"Volunteering figures, large district ({c['teams']} teams, {c['activities']} "
        f"activities this year, {c['hours']} hours rows in two years)",
        f"  GET /volunteering/totals  server p50 {server['p50_ms']} ms, p95 "
        f"{server.get('p95_ms')} ms; client p50 {client['p50_ms']} ms (target: server < 200 ms)",
        f"  district_figures alone (its statements and roll-up) p50 "
        f"{results['figures']['p50_ms']} ms, p95 {results['figures'].get('p95_ms')} ms",
        f"  load average {results['load'][0]:.2f} → {results['load'][1]:.2f}",
    ])  # fmt: skip


if __name__ == "__main__":
    main_or_step(lambda: run_and_report("volunteering", run, report), {"measure": _measure})
