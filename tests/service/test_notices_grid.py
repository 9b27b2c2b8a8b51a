"""The morning digest (app.grid.digest): each grid worker with people overdue or due
today is told how many, once a day, by the due list's own definitions; a worker with
nothing due hears nothing, and a batch that runs after its day writes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import delete, update

from app.accounts.users.service import create_tenant_user
from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.digest import send_digests
from app.grid.jobs import send_digest_batch, send_morning_digests
from app.grid.models import VisitDueItem, VisitRule
from app.state import AppServices
from tests.factories import District, World, add_grid, add_person, next_phone, password_hash
from tests.notices import told, written

# A Wednesday far from any holiday's window: adding people writes no items of its own.
TODAY = date(2026, 4, 15)
MORNING = datetime.combine(TODAY, time(7, 30), clock.CHINA_TIME)
TOMORROW = datetime.combine(TODAY + timedelta(days=1), time(), clock.CHINA_TIME)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: MORNING)


async def rule_ids(services: AppServices, district: District) -> dict[str, UUID]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = await session.execute(VisitRule.__table__.select())
            return {row.code: row.id for row in rows}


async def add_items(
    services: AppServices, district: District, items: list[tuple[UUID, str, datetime]]
) -> None:
    """Due items (person, rule code, deadline) in place of whatever adding people wrote."""
    rules = await rule_ids(services, district)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            for n, (person, code, due_at) in enumerate(items):
                session.add(
                    VisitDueItem(
                        tenant_id=district.tenant_id, person_id=person, rule_id=rules[code],
                        occasion=f"test:{n}", opens_on=TODAY - timedelta(days=40),
                        due_at=due_at,
                    )
                )  # fmt: skip
            await session.commit()


async def another_worker(services: AppServices, district: District) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            user = await create_tenant_user(
                session, district.tenant_id, name="网格员二", phone=next_phone(),
                password_hash=await password_hash(), roles=[Role.GRID_WORKER],
            )  # fmt: skip
            await session.commit()
            return user.id


async def clear_items(services: AppServices, district: District) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(delete(VisitDueItem))
            await session.commit()


async def arrange(services: AppServices, world: World) -> dict[str, Any]:
    """District A: a worker whose grid has two people overdue (one of them also due
    today) and one due today, beside items the list does not show (a deceased person's,
    a disabled rule's, one missed over 30 days ago, one due tomorrow); a second worker
    whose only item is due in three days. District B: a worker with one overdue."""
    a, b = world.a, world.b
    people = {
        name: await add_person(services, a, name, **extra)
        for name, extra in [
            ("逾期甲", {}), ("两项乙", {}), ("今天丙", {}), ("明天丁", {}),
            ("已故戊", {"deceased_on": TODAY - timedelta(days=2)}), ("停用己", {}),
            ("错过庚", {}), ("后天辛", {}),
        ]
    }  # fmt: skip
    second = await another_worker(services, a)
    await add_grid(services, a, "第一网格", workers=[a.users[Role.GRID_WORKER].id],
                   people=[p for n, p in people.items() if n != "后天辛"])  # fmt: skip
    await add_grid(services, a, "第二网格", workers=[second], people=[people["后天辛"]])
    b_person = await add_person(services, b, "乙区老兵")
    await add_grid(services, b, "乙区网格", workers=[b.users[Role.GRID_WORKER].id],
                   people=[b_person])  # fmt: skip
    for district in (a, b):
        await clear_items(services, district)
    await add_items(services, a, [
        (people["逾期甲"], "hardship", MORNING - timedelta(days=2)),
        (people["两项乙"], "hardship", MORNING - timedelta(hours=3)),
        (people["两项乙"], "emotional", TOMORROW),  # due by the end of today
        (people["今天丙"], "hospitalisation", MORNING + timedelta(hours=5)),
        (people["明天丁"], "hardship", TOMORROW + timedelta(days=1)),
        (people["已故戊"], "hardship", MORNING - timedelta(days=1)),
        (people["停用己"], "dispute", MORNING - timedelta(days=1)),
        (people["错过庚"], "hardship", MORNING - timedelta(days=31)),
        (people["后天辛"], "hardship", TOMORROW + timedelta(days=2)),
    ])  # fmt: skip
    await add_items(services, b, [(b_person, "hardship", MORNING - timedelta(days=1))])
    with tenant_scope(a.tenant_id):
        async with services.db.session() as session:
            await session.execute(
                update(VisitRule).where(VisitRule.code == "dispute").values(enabled=False)
            )
            await session.commit()
    return {"second": second}


async def test_each_worker_hears_their_overdue_and_due_today_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    arranged = await arrange(services, world)
    a_worker = world.a.users[Role.GRID_WORKER].id
    b_worker = world.b.users[Role.GRID_WORKER].id
    workers = [a_worker, arranged["second"]]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            assert await send_digests(session, workers, TODAY, MORNING) == 1
    with tenant_scope(world.b.tenant_id):
        async with services.db.unit() as session:
            assert await send_digests(session, [b_worker], TODAY, MORNING) == 1
    notices = await written(owner_db, "digest")
    assert told(notices) == {
        a_worker: [f"digest:{a_worker}:2026-04-15"],
        b_worker: [f"digest:{b_worker}:2026-04-15"],
    }  # the second worker's only item is due in three days: nothing to say
    mine = next(n for n in notices if n.recipient_id == a_worker)
    assert mine.tenant_id == world.a.tenant_id and mine.link == "/grid"
    assert "已逾期 2 人" in mine.body and "今天到期 2 人" in mine.body
    theirs = next(n for n in notices if n.recipient_id == b_worker)
    assert theirs.tenant_id == world.b.tenant_id and "已逾期 1 人" in theirs.body
    assert "今天到期" not in theirs.body

    with tenant_scope(world.a.tenant_id):  # the batch again: a retry, a second process
        async with services.db.unit() as session:
            assert await send_digests(session, workers, TODAY, MORNING) == 0
    assert len(await written(owner_db, "digest")) == 2


async def test_the_cron_job_queues_batches_the_worker_runs_them_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Through arq: the 07:30 job queues one batch per district, a worker runs them;
    a second tick queues nothing new and writes nothing new."""
    from arq.worker import Worker

    from workers.settings import WorkerSettings

    await arrange(services, world)
    ctx = {"services": services, "redis": services.redis}
    assert await send_morning_digests(ctx) == 2  # A and B, one batch each
    worker = Worker(
        functions=WorkerSettings.functions, redis_settings=WorkerSettings.redis_settings,
        on_startup=WorkerSettings.on_startup, on_shutdown=WorkerSettings.on_shutdown,
        burst=True, poll_delay=0.05, handle_signals=False,
    )  # fmt: skip
    try:
        await worker.main()
    finally:
        await worker.close()
    assert len(await written(owner_db, "digest")) == 2
    assert await send_morning_digests(ctx) == 0  # today's batches are known to arq
    batch = [str(world.a.users[Role.GRID_WORKER].id)]
    assert await send_digest_batch(ctx, str(world.a.tenant_id), TODAY.isoformat(), batch) == 0
    assert len(await written(owner_db, "digest")) == 2


async def test_a_batch_after_its_day_or_with_nothing_due_writes_nothing(
    services: AppServices, owner_db: Database, world: World
) -> None:
    arranged = await arrange(services, world)
    ctx = {"services": services, "redis": services.redis}
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    batch = [str(world.a.users[Role.GRID_WORKER].id)]
    assert await send_digest_batch(ctx, str(world.a.tenant_id), yesterday, batch) == 0
    alone = [str(arranged["second"])]
    assert await send_digest_batch(ctx, str(world.a.tenant_id), TODAY.isoformat(), alone) == 0
    assert await written(owner_db) == []
