"""Fixtures shared by tests/ and e2e/ (loaded with `-p tests.plugin`): session-wide
real servers; each test starts from empty tables and an empty Redis."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings
from redis.asyncio import Redis

from app.db import Database
from app.state import AppServices, open_services
from tests.factories import World, make_world
from tests.servers import ServerPair
from tests.world_copies import KEEP_TABLES, WORLD_COPIES

# Property tests judge what a function returns, never how fast: a 2-core machine running
# the suite in parallel (and the browser tests beside it) is no place for a deadline.
hypothesis_settings.register_profile("redstar", deadline=None)
hypothesis_settings.load_profile("redstar")

# Emptied between tests: every table but the migrations' reference data (KEEP_TABLES).


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id with minimal cost in tests; each hash records its own parameters."""
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "app.accounts.hashing._hasher",
            PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        )
        yield


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerPair]:
    servers = ServerPair.start()
    os.environ.update(servers.environment())
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
async def owner_db(servers: ServerPair) -> AsyncIterator[Database]:
    """The migrating owner: for arranging and inspecting data behind the app's back."""
    db = Database(servers.owner_url, pool_size=2)
    yield db
    await db.dispose()


@pytest.fixture
async def services(servers: ServerPair) -> AsyncIterator[AppServices]:
    async with open_services(servers.settings()) as services:
        yield services


@pytest.fixture(scope="session")
async def _empty_tables(servers: ServerPair) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Empties every data table: DELETE as the cluster's superuser with triggers and
    foreign keys off (session_replication_role = replica) takes about 5 ms for these
    small tables, where TRUNCATE takes a third of a second (new files for every table
    and index), which over a thousand tests was the suite's largest single cost."""
    conn = await asyncpg.connect(servers.superuser_url)
    tables = [
        name
        for (name,) in await conn.fetch(
            "select tablename from pg_tables where schemaname = 'public' order by 1"
        )
        if name not in KEEP_TABLES
    ]
    statement = "set local session_replication_role = replica; " + "; ".join(
        f'delete from "{name}"' for name in tables
    )

    async def empty() -> None:
        async with conn.transaction():
            await conn.execute(statement)

    # make_world copies the first world it builds (tests/world_copies.py) as the
    # superuser, who alone may insert with triggers and foreign keys off.
    WORLD_COPIES.superuser_url = servers.superuser_url
    yield empty
    await WORLD_COPIES.close()
    await conn.close()


@pytest.fixture(autouse=True)
def _clean_slate(request: pytest.FixtureRequest) -> None:
    """Each test that uses the servers starts from empty tables and an empty Redis.
    (Synchronous, so that the session's async fixtures can be set up from here.)"""
    if "servers" in request.fixturenames:
        request.getfixturevalue("_emptied")


@pytest.fixture
async def _emptied(servers: ServerPair, _empty_tables: Callable[[], Awaitable[None]]) -> None:
    await _empty_tables()
    redis = Redis.from_url(servers.valkey.url)
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
def outside_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text and WeChat messages wait out the default quiet hours (22:00–07:00 China
    time): a test that expects one sent at once would fail whenever the suite runs at
    night. Inside the window, the app's clock is moved on to just after it ends."""
    from datetime import timedelta

    from app.core import clock
    from app.notifications.outbox import after_quiet_hours
    from app.notifications.preferences.service import DEFAULT_QUIET

    real = clock.now
    moment = real()
    ends = after_quiet_hours(moment, *DEFAULT_QUIET)
    if ends != moment:
        shift = ends - moment + timedelta(minutes=5)
        monkeypatch.setattr(clock, "now", lambda: real() + shift)
