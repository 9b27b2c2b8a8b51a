"""The grid benchmark measures what the product computes: at a small scale, the year the
generator writes is what the app's own daily job and visit logging would have written,
it has the intended shape, the hand-written floor returns the service's list, and the
floor page (bench.grid_floor) answers with GET /grid's HTML in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import TestClient

from app.accounts.users.service import create_tenant_user
from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid import due
from app.grid.visits.due_list import DueListService
from app.main import create_app
from app.state import AppServices
from bench import grid_measure as bench
from bench.generate_grid import clear_grid, generate_grid
from bench.grid_data import BENCH_NOW
from bench.grid_floor import FLOOR_PATH, with_floor
from bench.harness import log_in
from bench.transactions import Counter
from tests.factories import PASSWORD, District, World, add_person, next_phone, password_hash
from tests.servers import ServerPair

NOW = BENCH_NOW
TODAY = NOW.date()
DAYS = 100
SIZE = 10  # people per grid
VISITS = 400
ITEMS = """select person_id, rule_id, occasion, opens_on, due_at, concern_id, visit_id
             from visit_due_items where tenant_id = $1 order by 1, 2, 3"""


async def year(owner: asyncpg.Connection, tenant: UUID) -> dict[str, float]:
    """A small district's year: grids of SIZE, a tenth of the people moved once."""
    return await generate_grid(owner, tenant, NOW, grid_size=SIZE, visits=VISITS, concerns=40,
                               days=DAYS, reassigned=0.1, seed=7)  # fmt: skip


@pytest.fixture
async def owner(servers: ServerPair) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(servers.owner_url)
    yield conn
    await conn.close()


async def populate(services: AppServices, district: District, people: int, workers: int) -> None:
    """`people` people with birthdays over the year (half of them party members), and
    grid-worker accounts besides the one the district has."""
    for n in range(people):
        born = date(1935 + n % 30, 1 + n * 7 % 12, 1 + n * 11 % 28)
        party = {"party_member": True, "party_joined_on": date(1965, 7, 1)} if n % 2 else {}
        await add_person(services, district, f"老兵{n:02d}", None, birth_date=born,
                         phone=f"1390000{n:04d}", **party)  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            for n in range(workers - 1):
                await create_tenant_user(
                    session, district.tenant_id, name=f"网格员{n}", phone=next_phone(),
                    password_hash=await password_hash(), roles=[Role.GRID_WORKER],
                )  # fmt: skip
            await session.commit()


@pytest.fixture
async def district(services: AppServices, world: World) -> District:
    await populate(services, world.a, people=4 * SIZE - 3, workers=4)
    return world.a


async def test_the_year_is_what_the_app_would_have_written(
    services: AppServices, district: District, owner: asyncpg.Connection
) -> None:
    tenant = district.tenant_id
    counts = await year(owner, tenant)
    assert counts["resolved"] and counts["open"] and counts["closed_unanswered"]
    with tenant_scope(tenant):
        async with services.db.session() as session:
            assert await due.refresh(session, TODAY) == 0  # nothing left to write today
            assert await due.resolve(session, None) == []  # nor to answer
            await session.rollback()
    generated = [tuple(r) for r in await owner.fetch(ITEMS, tenant)]
    # The same items again, from the app: the daily job on every day of the year (it
    # answers them by the visits), and the concern items answered by resolve again.
    await owner.execute("delete from visit_due_items where concern_id is null")
    await owner.execute(
        "update visit_due_items set visit_id = null, resolved_at = null where tenant_id = $1",
        tenant,
    )
    with tenant_scope(tenant):
        async with services.db.session() as session:
            for n in range(DAYS):
                await due.refresh(session, TODAY - timedelta(days=DAYS - 1 - n))
            await session.commit()
    assert [tuple(r) for r in await owner.fetch(ITEMS, tenant)] == generated


async def test_the_year_has_the_intended_shape(
    services: AppServices, district: District, owner: asyncpg.Connection
) -> None:
    tenant = district.tenant_id
    counts = await year(owner, tenant)
    assert counts["grids"] == 4 and counts["people"] == 4 * SIZE - 3
    sizes = await owner.fetch(
        "select grid_id, count(*) from grid_assignments where tenant_id = $1"
        " and ends_at is null group by 1 order by 2 desc",
        tenant,
    )
    assert [r["count"] for r in sizes] == [SIZE, SIZE, SIZE, SIZE - 3]
    workers = await owner.fetch(
        "select grid_id, count(*) from grid_workers where tenant_id = $1 group by 1", tenant
    )
    assert len(workers) == 4 and all(r["count"] == 1 for r in workers)
    shape = await owner.fetchrow(
        """select count(*) as visits, min(visited_on) as first, max(visited_on) as last,
                  count(distinct kind) as kinds,
                  count(*) filter (where kind = 'routine') as routine,
                  count(*) filter (where knows_where is not null) as knows,
                  count(*) filter (where logged_at > $2) as future,
                  -- the visitor worked the grid the person was in that day
                  count(*) filter (where not exists (
                      select from grid_assignments a join grid_workers w
                        on w.tenant_id = a.tenant_id and w.grid_id = a.grid_id
                       where a.tenant_id = v.tenant_id and a.person_id = v.person_id
                         and a.grid_id = v.grid_id and w.user_id = v.visitor_id
                         and a.starts_at <= v.logged_at
                         and (a.ends_at is null or a.ends_at > v.logged_at))) as wrong_grid
             from visits v where tenant_id = $1""",
        tenant, NOW,
    )  # fmt: skip
    assert abs(shape["visits"] - VISITS) <= 1
    assert shape["first"] >= TODAY - timedelta(days=DAYS - 1) and shape["last"] <= TODAY
    assert shape["kinds"] >= 4 and shape["routine"] > shape["visits"] / 4 and shape["knows"]
    assert shape["future"] == shape["wrong_grid"] == 0
    moved = await owner.fetchval(
        "select count(*) from grid_assignments e join grid_assignments s"
        " on s.tenant_id = e.tenant_id and s.person_id = e.person_id and s.ends_at is null"
        " and s.starts_at = e.ends_at and s.grid_id <> e.grid_id where e.tenant_id = $1",
        tenant,
    )
    assert moved == counts["moved"] > 0


async def test_the_floor_gives_the_services_list(
    services: AppServices,
    district: District,
    owner: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = district.tenant_id
    await year(owner, tenant)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    workers = await owner.fetch(
        "select u.id::text, u.name from grid_workers w join users u"
        " on u.tenant_id = w.tenant_id and u.id = w.user_id where w.tenant_id = $1",
        tenant,
    )
    shown = [0, 0, 0, 0]
    with tenant_scope(tenant):
        for worker in workers:
            identity = await bench.identity_of(services, dict(worker), tenant)
            async with services.db.unit() as session:
                found = await DueListService(session).due_list(identity)
            rows = await bench.fetch_floor(services, UUID(worker["id"]), NOW)
            answer = bench.service_answer(found)
            assert bench.same_answer(answer, bench.sections(rows, NOW))
            shown = [
                n + sum(line[3] if line[0] == "holiday" else 1 for line in part)
                for n, part in zip(shown, answer, strict=True)
            ]
    # 中秋 is due this week and 国庆 not open yet for everyone not visited yet (one line
    # each, counted)
    assert shown[1] > SIZE and shown[3] > SIZE


def test_the_floor_page_is_the_due_list_byte_for_byte(
    servers: ServerPair, monkeypatch: pytest.MonkeyPatch, district_with_a_year: District
) -> None:
    """bench.grid_floor answers every worker with the bytes GET /grid answers, in one
    transaction of three statements: the tenant, the identity, the list."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = with_floor(create_app(servers.settings()))
    shown = 0
    with TestClient(app=app) as client:
        counter = Counter(app.state.services.db.engine.sync_engine)
        workers = asyncio.run(worker_phones(servers, district_with_a_year.tenant_id))
        assert len(workers) == 4
        for phone in workers:
            cookie = log_in(client, phone, PASSWORD)
            page = client.get("/grid", headers={"Cookie": cookie})
            counter.reset()
            floor = client.get(FLOOR_PATH, headers={"Cookie": cookie})
            assert page.status_code == floor.status_code == 200
            assert floor.content == page.content
            assert counter.counts() == {
                "transactions": 1, "statements": 3, "set_config": 1, "round_trips": 5
            }  # fmt: skip
            shown += page.text.count('<li class="due due--')
    assert shown > 4  # own items and holiday lines, for every worker


async def worker_phones(servers: ServerPair, tenant: UUID) -> list[str]:
    conn = await asyncpg.connect(servers.owner_url)
    try:
        rows = await conn.fetch(
            "select u.phone from grid_workers w join users u on u.tenant_id = w.tenant_id"
            " and u.id = w.user_id where w.tenant_id = $1 order by u.phone",
            tenant,
        )
    finally:
        await conn.close()
    return [r["phone"] for r in rows]


@pytest.fixture
async def district_with_a_year(district: District, owner: asyncpg.Connection) -> District:
    await year(owner, district.tenant_id)
    return district


async def test_clearing_keeps_other_districts(
    services: AppServices, world: World, district: District, owner: asyncpg.Connection
) -> None:
    await populate(services, world.b, people=5, workers=1)
    await year(owner, world.b.tenant_id)
    await year(owner, district.tenant_id)
    await clear_grid(owner, district.tenant_id)
    left = await owner.fetch(
        "select distinct tenant_id from visits union select distinct tenant_id from grids"
        " union select distinct tenant_id from visit_due_items"
    )
    assert [r["tenant_id"] for r in left] == [world.b.tenant_id]
