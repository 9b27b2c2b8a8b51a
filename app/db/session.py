"""Engine and sessions. The one place where `app.tenant_id` is set.

Every transaction begins with `set_config('app.tenant_id', <tenant or ''>, true)`:
transaction-scoped, so a pooled connection never carries a tenant into the next
request. With no tenant in context the setting is '' and RLS shows nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from app.db.tenant import current_tenant_id

_SET_TENANT = text("select set_config('app.tenant_id', :tenant_id, true)")


class TenantSession(Session):
    """A Session whose every transaction is bound to the tenant in context."""


@event.listens_for(TenantSession, "after_begin")
def _bind_tenant(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    tenant_id = current_tenant_id.get()
    connection.execute(_SET_TENANT, {"tenant_id": str(tenant_id) if tenant_id else ""})


def drop_closed_connections(engine: AsyncEngine) -> None:
    """Never hand out a pooled connection that the server has closed (a restart, a
    terminated backend): asyncpg has already seen the socket's end-of-file, so asking
    it costs no round trip, and DisconnectionError makes the pool connect afresh."""

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")


def async_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class Database:
    """Owns the engine and hands out tenant-bound sessions."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            # No pre-ping: SQLAlchemy's pings inside a transaction of its own, three
            # round trips per checkout (+0.6 ms of client CPU, +2.8 ms on a busy
            # machine: bench/pool_checkout.py). A connection the server closed (a
            # restart) is dropped at checkout for free instead; recycle bounds age.
            pool_pre_ping=False,
            pool_recycle=1800,
            echo=echo,
            hide_parameters=True,  # errors and logs never carry phones or password hashes
        )
        drop_closed_connections(self.engine)
        self.sessionmaker = async_sessionmaker(
            self.engine, sync_session_class=TenantSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits nothing by itself: for reads beside a unit of work
        (the what-if's second connection, tests looking at rows) — never a service's."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One unit of work outside a request — a job, a CLI command, a test: a session
        whose open transaction is committed when the block ends without an error.
        (A request's unit is opened by the middleware, app.web.identity.)"""
        async with self.sessionmaker() as session:
            yield session
            await session.commit()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
