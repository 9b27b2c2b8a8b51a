"""Engine and sessions. The one place where `app.tenant_id` is set.

Every transaction begins with `set_config('app.tenant_id', <tenant or ''>, true)`:
transaction-scoped, so a pooled connection never carries a tenant into the next
request. With no tenant in context the setting is '' and RLS shows nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
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
            # Pre-ping: a pooled connection is tested (one empty statement) when it is
            # checked out, and replaced if PostgreSQL restarted under it — else the
            # first request or job after a restart fails on a dead connection. It costs
            # one round trip per checkout (README, "Performance": about 0.1 ms beside
            # GET /grid's 15 ms); recycle still bounds a connection's age.
            pool_pre_ping=True,
            pool_recycle=1800,
            echo=echo,
            hide_parameters=True,  # errors and logs never carry phones or password hashes
        )
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
