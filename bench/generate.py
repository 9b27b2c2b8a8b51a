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
import random
import time
import uuid
from dataclasses import dataclass

import asyncpg

from app.accounts.passwords import hash_password
from app.db.session import async_url

BENCH_PASSWORD = "Bench-2026"
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


async def generate(owner_url: str, seed: int = 2026) -> dict[str, int]:
    """Load the province as the owner (bulk COPY); skips districts already present."""
    conn = await asyncpg.connect(async_url(owner_url).replace("+asyncpg", ""))
    started = time.perf_counter()
    password_hash = await hash_password(BENCH_PASSWORD)
    totals = {"districts": 0, "accounts": 0}
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


if __name__ == "__main__":
    import sys

    print(asyncio.run(generate(sys.argv[1])))
