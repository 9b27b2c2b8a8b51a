"""A roster import whose job was lost is queued again — by the worker's sweep or from
its page — without waiting for arq's keys to expire, and never twice at once."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update

from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.db.locks import claim
from app.db.tenant import tenant_scope
from app.people.imports.service import ImportService, claim_key
from app.people.jobs import recover_roster_imports
from app.people.models import ImportStatus, RosterImport
from app.state import AppServices
from tests.factories import World
from tests.service.test_roster_import import check, id_number, small_roster

ROWS = [[1, "张建国", "男", "1949.10", id_number("370102", "19491001", "123"), "13800138000",
         "第一支部", "军休干部"]]  # fmt: skip


async def upload(services: AppServices, world: World, data: bytes) -> UUID:
    """District A's admin uploads `data`: the import is stored and its check queued."""
    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            imports = ImportService(session, services.cipher, services.redis)
            actor = Actor("user", admin.name, admin.id)
            return await imports.upload("花名册.xlsx", data, "", actor)


async def uploaded(services: AppServices, world: World, *, checked: bool = False) -> UUID:
    import_id = await upload(services, world, small_roster(ROWS))
    if checked:
        with tenant_scope(world.a.tenant_id):
            assert await check(services, import_id) == ImportStatus.CHECKED
    return import_id


async def queued(services: AppServices) -> list[str]:
    return sorted(job.function for job in await services.redis.queued_jobs())


async def sweep(services: AppServices) -> int:
    return await recover_roster_imports({"services": services})


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moved = clock.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moved)


async def set_status(services: AppServices, world: World, import_id: UUID, status: str) -> None:
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await session.execute(
                update(RosterImport).where(RosterImport.id == import_id).values(status=status)
            )


async def test_a_lost_upload_is_queued_again_after_a_minute_once(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = await uploaded(services, world)
    assert await queued(services) == ["check_roster_import"]
    await services.redis.flushdb()  # Valkey restarted without its queue
    assert await sweep(services) == 0  # queued under a minute ago: maybe just waiting
    later(monkeypatch, 61)
    assert await sweep(services) == 1
    assert await sweep(services) == 0  # the sweep just queued it: not again
    assert await queued(services) == ["check_roster_import"]
    with tenant_scope(world.a.tenant_id):
        assert await check(services, import_id) == ImportStatus.CHECKED


async def test_each_attempt_has_its_own_job_id(services: AppServices, world: World) -> None:
    """arq refuses a job id while its job or its result is kept (an hour): the upload's
    job and the retry must not share one."""
    import_id = await uploaded(services, world)
    await set_status(services, world, import_id, ImportStatus.CHECKING)  # its job died
    assert await sweep(services) == 1
    jobs = await services.redis.queued_jobs()
    assert len(jobs) == 2 and len({job.job_id for job in jobs}) == 2
    assert all(str(import_id) in (job.job_id or "") for job in jobs)


async def test_a_check_in_progress_is_left_alone_and_a_dead_one_restarts_at_once(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = await uploaded(services, world)
    await services.redis.flushdb()
    await set_status(services, world, import_id, ImportStatus.CHECKING)
    later(monkeypatch, 600)
    async with claim(services.db, claim_key(import_id, ImportStatus.CHECKING)) as held:
        assert held
        assert await sweep(services) == 0  # a live job holds the claim
        with tenant_scope(world.a.tenant_id):
            assert await check(services, import_id) == "skipped"  # a duplicate backs off
    assert await sweep(services) == 1  # the holder died: at once, no minute to wait
    with tenant_scope(world.a.tenant_id):
        assert await check(services, import_id) == ImportStatus.CHECKED
    assert await sweep(services) == 0


async def test_a_lost_commit_is_queued_again(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = await uploaded(services, world, checked=True)
    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            imports = ImportService(session, services.cipher, services.redis)
            await imports.commit(import_id, "all", None, Actor("user", admin.name, admin.id))
    await services.redis.flushdb()
    later(monkeypatch, 61)
    async with claim(services.db, claim_key(import_id, ImportStatus.COMMITTING)):
        assert await sweep(services) == 0
    assert await sweep(services) == 1
    assert await queued(services) == ["commit_roster_import"]


async def test_a_finished_import_is_never_queued_again(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await uploaded(services, world, checked=True)
    await services.redis.flushdb()
    later(monkeypatch, 3600)
    assert await sweep(services) == 0
    assert await queued(services) == []
