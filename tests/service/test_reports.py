"""Report rows and their builds against the real database and Valkey: the build claims,
records progress, stores the file and finishes once; failures say why; the sweep
queues again what lost its job or its builder, and deletes files past their time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from arq.jobs import Job
from sqlalchemy import select, update

from app.core import clock
from app.core.roles import Role
from app.db.locks import claim
from app.db.tenant import tenant_scope
from app.reports import running, sweep
from app.reports.models import Report, ReportStatus
from app.reports.settings.service import set_keep_days
from app.reports.storage import LocalStorage, storage_for
from app.state import AppServices
from tests.factories import District, World, identity_of
from tests.reports import build_now
from tests.slow_report import SLOW


async def add_report(
    services: AppServices, district: District, parameters: dict[str, Any] | None = None, **row: Any
) -> UUID:
    """A report row of the test-only slow kind, asked for by the district's admin."""
    now = clock.now()
    report = Report(
        tenant_id=district.tenant_id, id=uuid4(), kind=SLOW.name, parameters=parameters or {},
        subject=district.name, requested_by=district.users[Role.TENANT_ADMIN].id,
        status=ReportStatus.QUEUED, progress=0, attempt=1, created_at=now, moved_at=now,
        error_args={},
    )  # fmt: skip
    for name, value in row.items():
        setattr(report, name, value)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add(report)
    return report.id


async def row(services: AppServices, district: District, report_id: UUID) -> Report:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.get(Report, {"tenant_id": district.tenant_id, "id": report_id})
    assert found is not None
    return found


async def test_a_build_stores_the_file_once_and_says_when_it_expires(
    services: AppServices, world: World
) -> None:
    report_id = await add_report(services, world.a)
    assert await build_now(services, world.a.tenant_id, report_id) == ReportStatus.DONE
    done = await row(services, world.a, report_id)
    assert (done.status, done.progress, done.filename) == ("done", 100, "慢报表.txt")
    assert done.file_key == f"{world.a.tenant_id}/{report_id}-1.txt"
    assert await storage_for(services.settings).get(done.file_key) == b"people: 0"
    assert done.size == len(b"people: 0")
    assert done.finished_at and done.expires_at == done.finished_at + timedelta(days=7)
    # Idempotent: a second delivery of the job finds it done and does nothing.
    assert await build_now(services, world.a.tenant_id, report_id) == "skipped"
    assert (await row(services, world.a, report_id)).finished_at == done.finished_at


async def test_the_districts_keeping_time_sets_the_expiry(
    services: AppServices, world: World
) -> None:
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await set_keep_days(session, admin, 30)
    report_id = await add_report(services, world.a)
    other = await add_report(services, world.b)
    await build_now(services, world.a.tenant_id, report_id)
    await build_now(services, world.b.tenant_id, other)
    a, b = await row(services, world.a, report_id), await row(services, world.b, other)
    assert a.expires_at and a.finished_at and a.expires_at - a.finished_at == timedelta(days=30)
    assert b.expires_at and b.finished_at and b.expires_at - b.finished_at == timedelta(days=7)


async def test_two_builds_at_once_build_once(services: AppServices, world: World) -> None:
    report_id = await add_report(services, world.a, {"seconds": 1})
    outcomes = await asyncio.gather(
        build_now(services, world.a.tenant_id, report_id),
        build_now(services, world.a.tenant_id, report_id),
    )
    assert sorted(outcomes) == ["claimed", "done"]


async def test_progress_is_committed_while_the_build_runs(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0.2)
    report_id = await add_report(services, world.a, {"seconds": 3})
    build = asyncio.create_task(build_now(services, world.a.tenant_id, report_id))
    seen = set()
    while not build.done():
        found = await row(services, world.a, report_id)
        seen.add((found.status, found.progress))
        await asyncio.sleep(0.1)
    assert await build == "done"
    moving = sorted(p for status, p in seen if status == ReportStatus.RUNNING and 0 < p < 100)
    assert len(moving) >= 3, seen  # the bar moved, and no write said 100 before the end
    assert (await row(services, world.a, report_id)).progress == 100


@pytest.mark.parametrize(
    ("fail", "message"),
    [("refused", "This file could not be read."), ("bug", running.NOT_MADE)],
)
async def test_a_failed_build_says_why(
    services: AppServices, world: World, fail: str, message: str
) -> None:
    report_id = await add_report(services, world.a, {"fail": fail})
    assert await build_now(services, world.a.tenant_id, report_id) == ReportStatus.FAILED
    failed = await row(services, world.a, report_id)
    assert (failed.status, failed.error, failed.file_key) == ("failed", message, None)


async def test_a_hiccup_leaves_the_report_for_the_sweep(
    services: AppServices, world: World
) -> None:
    """A dropped connection is not the user's failure: the job is tried again, and once
    it gives up the sweep queues the report with a new attempt (a new job id)."""
    from sqlalchemy.exc import InterfaceError

    report_id = await add_report(services, world.a, {"fail": "hiccup"})
    with pytest.raises(InterfaceError):
        await build_now(services, world.a.tenant_id, report_id)
    assert (await row(services, world.a, report_id)).status == ReportStatus.RUNNING
    storage = storage_for(services.settings)
    swept = await sweep.sweep(services.db, services.redis, storage, [world.a.tenant_id])
    assert swept == {"requeued": 1, "expired": 0}
    again = await row(services, world.a, report_id)
    assert (again.status, again.attempt) == (ReportStatus.QUEUED, 2)
    job = Job(running.job_id(report_id, 2), services.redis)
    assert (await job.info()) is not None  # queued under its new id


async def test_the_sweep_requeues_only_what_no_one_builds(
    services: AppServices, world: World
) -> None:
    now = clock.now()
    fresh = await add_report(services, world.a)  # just asked for: its job may yet come
    lost = await add_report(services, world.a, moved_at=now - timedelta(seconds=40))
    orphan = await add_report(services, world.a, status=ReportStatus.RUNNING)
    building = await add_report(services, world.b, status=ReportStatus.RUNNING)
    storage = storage_for(services.settings)
    async with claim(services.db, running.claim_key(building)) as held:
        assert held
        tenants = [world.a.tenant_id, world.b.tenant_id]
        assert (await sweep.sweep(services.db, services.redis, storage, tenants))["requeued"] == 2
    attempts = {
        name: (await row(services, district, report_id)).attempt
        for name, district, report_id in (
            ("fresh", world.a, fresh), ("lost", world.a, lost), ("orphan", world.a, orphan),
            ("building", world.b, building),
        )
    }  # fmt: skip
    assert attempts == {"fresh": 1, "lost": 2, "orphan": 2, "building": 1}
    assert await build_now(services, world.a.tenant_id, lost) == "done"


async def test_files_past_their_time_are_deleted_and_the_row_says_so(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = await add_report(services, world.a)
    kept_id = await add_report(services, world.b)
    for district, rid in ((world.a, report_id), (world.b, kept_id)):
        await build_now(services, district.tenant_id, rid)
    done = await row(services, world.a, report_id)
    assert done.file_key and done.expires_at
    with tenant_scope(world.b.tenant_id):  # B's has a day more to go
        async with services.db.unit() as session:
            await session.execute(
                update(Report).values(expires_at=done.expires_at + timedelta(days=1))
            )
    later = done.expires_at + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    storage = storage_for(services.settings)
    tenants = [world.a.tenant_id, world.b.tenant_id]
    assert await sweep.sweep(services.db, services.redis, storage, tenants) == {
        "requeued": 0, "expired": 1,
    }  # fmt: skip
    gone = await row(services, world.a, report_id)
    assert (gone.status, gone.file_key) == (ReportStatus.EXPIRED, None)
    with pytest.raises(FileNotFoundError):
        await storage.get(done.file_key)
    assert (await row(services, world.b, kept_id)).status == ReportStatus.DONE


async def test_only_the_newest_attempt_finishes_the_row(
    services: AppServices, world: World
) -> None:
    """A build that lost its claim and went on (its connection dropped) finds a newer
    attempt owning the row: it keeps nothing."""
    report_id = await add_report(services, world.a, {"seconds": 1})
    build = asyncio.create_task(build_now(services, world.a.tenant_id, report_id))
    for _ in range(200):  # until it is running
        if (await row(services, world.a, report_id)).status == ReportStatus.RUNNING:
            break
        await asyncio.sleep(0.05)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await session.execute(update(Report).values(attempt=Report.attempt + 1))
    assert await build == "superseded"
    found = await row(services, world.a, report_id)
    assert (found.status, found.file_key) == (ReportStatus.RUNNING, None)
    folder = storage_for(services.settings)
    assert isinstance(folder, LocalStorage)
    assert not list(folder.root.glob(f"{world.a.tenant_id}/{report_id}-*"))


async def test_a_report_that_keeps_dying_fails_in_the_end(
    services: AppServices, world: World
) -> None:
    report_id = await add_report(services, world.a, attempt=running.MAX_ATTEMPTS + 1)
    assert await build_now(services, world.a.tenant_id, report_id) == ReportStatus.FAILED
    found = await row(services, world.a, report_id)
    assert (found.error, found.error_args) == (running.TRIED_TOO_OFTEN, {"count": 5})


async def test_reports_are_the_districts_own(services: AppServices, world: World) -> None:
    await add_report(services, world.a)
    with tenant_scope(world.b.tenant_id):
        async with services.db.session() as session:
            assert (await session.scalars(select(Report))).all() == []
