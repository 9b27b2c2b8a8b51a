"""The synthetic province the benchmarks run against (DESIGN.md, "Scale").

About 150 district tenants: one large district of 40,000 people (the Jinan Lixia
case), a few of 5,000–15,000, the rest typical centers of 1,000–3,000. Deterministic
for a seed, so later issues add their people, events and visits to the same shape.

Accounts per district follow its size: a few administrators, one branch secretary
per 40 people, one grid worker per 150 (000: one worker for 116 cadres), and a tenth
of the people as members with their own login. All synthetic accounts share one
password hash: hashing 40,000 passwords would measure argon2, not the product.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from app.accounts.hashing import hash_password
from bench.harness import BENCH_PASSWORD, owner_connection

PROVINCE = "37"


@dataclass(frozen=True)
class DistrictShape:
    tenant_id: uuid.UUID
    name: str
    slug: str
    region_code: str
    people: int

    @property
    def accounts(self) -> dict[str, int]:
        return {
            "tenant_admin": 3 if self.people >= 10_000 else 1,
            "branch_secretary": max(1, self.people // 40),
            "grid_worker": max(1, self.people // 150),
            "member": self.people // 10,
        }


def province_shape(seed: int = 2026, districts: int = 150) -> list[DistrictShape]:
    rng = random.Random(seed)
    sizes = [40_000] + [rng.randint(5_000, 15_000) for _ in range(9)]
    sizes += [rng.randint(1_000, 3_000) for _ in range(districts - len(sizes))]
    shapes = []
    for i, people in enumerate(sizes):
        city, county = divmod(i, 40)
        shapes.append(
            DistrictShape(
                tenant_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                name="合成大区退役军人事务局" if i == 0 else f"合成{i:03d}区退役军人事务局",
                slug=f"bench-{i:03d}",
                region_code=f"{PROVINCE}{60 + city:02d}{county + 1:02d}",
                people=people,
            )
        )
    return shapes


def phone_for(district_index: int, n: int) -> str:
    return f"17{district_index:03d}{n:06d}"


async def generate(owner_url: str, seed: int = 2026) -> dict[str, float]:
    """Load the province as the owner (bulk COPY); skips districts already present."""
    conn = await owner_connection(owner_url)
    started = time.perf_counter()
    password_hash = await hash_password(BENCH_PASSWORD)
    totals: dict[str, float] = {"districts": 0, "accounts": 0}
    try:
        existing = {r["slug"] for r in await conn.fetch("select slug from tenants")}
        for index, district in enumerate(province_shape(seed)):
            if district.slug in existing:
                continue
            async with conn.transaction():
                await conn.execute(
                    "insert into tenants (id, province_code, name, slug, region_code, preset,"
                    " applicant_name, applicant_phone, status) values"
                    " ($1, $2, $3, $4, $5, 'qingdao-six-categories', '合成申请人', '17999999999',"
                    " 'active')",
                    district.tenant_id,
                    PROVINCE,
                    district.name,
                    district.slug,
                    district.region_code,
                )
                users, roles = [], []
                n = 0
                for role, count in district.accounts.items():
                    for _ in range(count):
                        user_id = uuid.uuid4()
                        users.append((district.tenant_id, user_id, phone_for(index, n),
                                      f"{role}-{n}", password_hash))  # fmt: skip
                        roles.append((district.tenant_id, user_id, role))
                        n += 1
                await conn.copy_records_to_table(
                    "users", records=users,
                    columns=["tenant_id", "id", "phone", "name", "password_hash"],
                )  # fmt: skip
                await conn.copy_records_to_table(
                    "user_roles", records=roles, columns=["tenant_id", "user_id", "role"]
                )
            totals["districts"] += 1
            totals["accounts"] += len(users)
        await conn.execute("analyze")
    finally:
        await conn.close()
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


def large_district_admin_phone() -> str:
    return phone_for(0, 0)


def large_district_member_phone() -> str:
    """The first member: accounts are numbered admins, secretaries, workers, members."""
    accounts = province_shape()[0].accounts
    return phone_for(
        0, accounts["tenant_admin"] + accounts["branch_secretary"] + accounts["grid_worker"]
    )


# --- a year of points (issue 4) -------------------------------------------------------

POINT_EVENTS = 1_200_000
INFIRM_EVERY = 20  # one party member in twenty is old or frail (年迈体弱): exempt, unranked
REVERSED = 0.01  # the share of events a secretary later corrects with a reversing event
# How often each item of the Qingdao preset is recorded, relative to one another: study
# and the 三会一课 most, the negative list rarely. Capped items are frequent enough that
# the busiest members pass their caps. A code not listed (another preset) weighs 1.
ITEM_WEIGHTS = {
    "XX-01": 25, "XX-02": 4, "XX-03": 2, "ZZ-01": 22, "ZZ-02": 8, "ZZ-03": 4, "ZZ-04": 12,
    "GJ-01": 2, "GJ-02": 5, "FH-01": 4, "FH-02": 1.5, "FH-03": 3, "ZY-01": 12, "ZY-02": 5,
    "FM-01": 2, "FM-02": 0.5, "FM-03": 0.1,
}  # fmt: skip
EVENT_COLUMNS = ["tenant_id", "id", "person_id", "branch_id", "rule_item_id", "occurred_on",
                 "quantity", "points", "source", "reverses_id", "source_ref", "note",
                 "recorded_by_name"]  # fmt: skip
POINT_TABLES = ("point_objections", "point_publication_entries", "point_publications",
                "point_events", "point_tallies", "point_counted", "point_claims",
                "point_photos")  # fmt: skip

# What the per-row trigger point_tally_event() leaves behind, in one statement: its
# upsert, summed. Run after a load with the trigger disabled, over a tenant whose
# tallies were empty before the load (clear_points), it writes the same rows.
TALLY_FROM_EVENTS = """
    insert into point_tallies as t
        (tenant_id, person_id, quarter_start, rule_item_id, quantity, points, events)
    select tenant_id, person_id, date_trunc('quarter', occurred_on)::date, rule_item_id,
           sum(quantity), sum(points), count(*)
      from point_events
     where tenant_id = $1
     group by 1, 2, 3, 4
    on conflict (tenant_id, person_id, quarter_start, rule_item_id) do update
        set quantity = t.quantity + excluded.quantity,
            points = t.points + excluded.points,
            events = t.events + excluded.events"""


async def clear_points(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    """Remove a district's ledger, tallies, claims and publications (a benchmark's own
    data, so that the next run, or the roster benchmark's reset, starts clean).

    The ledger refuses DELETE by trigger, so inside this transaction the owner
    disables the tables' own triggers; when no other district has points, TRUNCATE.
    """
    async with conn.transaction():
        others = " or ".join(
            f"exists (select from {t} where tenant_id <> $1)" for t in POINT_TABLES
        )
        if not await conn.fetchval(f"select {others}", tenant_id):
            await conn.execute(f"truncate {', '.join(POINT_TABLES)}")
            return
        for table in POINT_TABLES:
            await conn.execute(f"alter table {table} disable trigger user")
            delete = f"delete from {table} where tenant_id = $1"  # noqa: S608 — our own names
            await conn.execute(delete, tenant_id)
            await conn.execute(f"alter table {table} enable trigger user")


async def generate_points(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    year: int,
    events: int = POINT_EVENTS,
    seed: int = 2026,
) -> dict[str, float]:
    """A year of a district's ledger, as the owner: every `INFIRM_EVERY`-th party
    member (in roster order) marked infirm, then about `events` events over the others.

    The district's people and its rules (the version in force for the whole `year`)
    must be there; its earlier points are cleared first. Members differ in how busy
    they are (the busiest pass their caps); dates are spread over the year; hour and
    occurrence items carry quantities; about one event in a hundred is reversed. The
    rows go in by COPY with the tally trigger disabled, then point_tallies is filled
    by one statement that computes what the trigger would have (TALLY_FROM_EVENTS).
    Deterministic for a seed and a roster.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    await clear_points(conn, tenant_id)
    async with conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
        versions = await conn.fetch(
            "select id, effective_from from point_rule_sets where tenant_id = $1"
            " and status = 'active' and effective_from <= $2 order by effective_from desc",
            tenant_id, year_end,
        )  # fmt: skip
        if not versions or versions[0]["effective_from"] > year_start:
            raise RuntimeError(f"no single version of the rules is in force for all of {year}")
        items = await conn.fetch(
            "select id, code, points, unit, awarders from point_items"
            " where tenant_id = $1 and rule_set_id = $2 order by position",
            tenant_id, versions[0]["id"],
        )  # fmt: skip
        await conn.execute(
            """update people p set infirm = m.n % $2 = $2 / 3
                 from (select id, row_number() over (order by sort_key, id) as n
                         from people where tenant_id = $1 and party_member) m
                where p.tenant_id = $1 and p.id = m.id and p.infirm <> (m.n % $2 = $2 / 3)""",
            tenant_id, INFIRM_EVERY,
        )  # fmt: skip
        members = await conn.fetch(
            "select id, branch_id from people where tenant_id = $1 and party_member"
            " and not infirm and deceased_on is null and branch_id is not null"
            " order by sort_key, id",
            tenant_id,
        )  # fmt: skip
        counts = {"members": len(members), "events": 0, "reversals": 0}
        if members:
            await conn.execute("alter table point_events disable trigger tally")
            days = (year_end - year_start).days + 1
            rows = _event_rows(rng, tenant_id, members, items, year_start, days, events, counts)
            await conn.copy_to_table(
                "point_events", source=rows, columns=EVENT_COLUMNS, format="csv"
            )
            await conn.execute("alter table point_events enable trigger tally")
            await conn.execute(TALLY_FROM_EVENTS, tenant_id)
            # and the capped figures the trigger would have kept, for the whole year
            await conn.execute("select point_recount($1, $2, null, null)", tenant_id, year)
    await conn.execute("analyze people")
    await conn.execute("analyze point_events")
    await conn.execute("analyze point_tallies")
    await conn.execute("analyze point_counted")
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


async def _event_rows(
    rng: random.Random,
    tenant_id: uuid.UUID,
    members: list[asyncpg.Record],
    items: list[asyncpg.Record],
    year_start: date,
    days: int,
    events: int,
    counts: dict[str, int],
) -> AsyncIterator[bytes]:
    """CSV lines of the ledger, a few thousand members at a time (constant memory)."""
    activity = [rng.lognormvariate(0, 0.6) for _ in members]
    scale = events / (1 + REVERSED) / sum(activity)
    cumulative = list(itertools.accumulate(ITEM_WEIGHTS.get(i["code"], 1.0) for i in items))
    total_weight = cumulative[-1]
    halves = [Decimal(n) / 2 for n in range(1, 17)]  # 0.5 to 8 hours
    points_of: dict[tuple[int, Decimal], Decimal] = {}
    automatic = [("automatic" in item["awarders"]) for item in items]
    day_text = [(year_start + timedelta(days=d)).isoformat() for d in range(days)]
    tenant, one = str(tenant_id), Decimal(1)
    lines: list[str] = []
    for member, busy in zip(members, activity, strict=True):
        person, branch = str(member["id"]), str(member["branch_id"])
        for _ in range(math.floor(busy * scale + rng.random())):  # unbiased rounding
            k = bisect.bisect_right(cumulative, rng.random() * total_weight)
            item = items[min(k, len(items) - 1)]
            unit = item["unit"]
            quantity = (one if unit == "event" else rng.choice(halves) if unit == "hour"
                        else Decimal(rng.choice((1, 1, 1, 2, 3))))  # fmt: skip
            points = points_of.get((k, quantity))
            if points is None:
                points = points_of[(k, quantity)] = item["points"] * quantity
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            day = day_text[rng.randrange(days)]
            if automatic[k] and rng.random() < 0.3:
                source, ref = "automatic", f"bench:{event_id}"
            else:
                source, ref = "award", ""
            what = f"{person},{branch},{item['id']},{day}"
            lines.append(
                f"{tenant},{event_id},{what},{quantity},{points},{source},,{ref},,合成书记\n"
            )
            counts["events"] += 1
            if rng.random() < REVERSED:
                reversal = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                lines.append(f"{tenant},{reversal},{what},{-quantity},{-points},reversal,"
                             f"{event_id},,录入有误，更正,合成书记\n")  # fmt: skip
                counts["events"] += 1
                counts["reversals"] += 1
        if len(lines) >= 20_000:
            yield "".join(lines).encode()
            lines.clear()
    if lines:
        yield "".join(lines).encode()


if __name__ == "__main__":
    import sys

    print(asyncio.run(generate(sys.argv[1])))
