"""Fixtures shared by tests/ and e2e/ (loaded with `-p tests.plugin`): session-wide
real servers; each test starts from empty tables and an empty Redis."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text

from app.db import Database
from app.state import AppServices, open_services
from tests.factories import World, make_world
from tests.servers import ServerPair

# Emptied between tests: every table but the migrations' reference data.
KEEP_TABLES = ("provinces", "alembic_version")


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id with minimal cost in tests; each hash records its own parameters."""
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "app.accounts.passwords._hasher",
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


@pytest.fixture(autouse=True)
async def _clean_slate(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    if "servers" not in request.fixturenames:
        yield
        return
    owner_db: Database = request.getfixturevalue("owner_db")
    servers: ServerPair = request.getfixturevalue("servers")
    async with owner_db.engine.begin() as conn:
        tables = (
            await conn.execute(text("select tablename from pg_tables where schemaname = 'public'"))
        ).scalars()
        data_tables = [t for t in tables if t not in KEEP_TABLES]
        await conn.execute(text(f"truncate {', '.join(data_tables)} cascade"))
    from redis.asyncio import Redis

    redis = Redis.from_url(servers.valkey.url)
    await redis.flushdb()
    await redis.aclose()
    yield


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)
