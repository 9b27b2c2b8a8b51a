"""Claims that die with their holder: PostgreSQL session-level advisory locks.

A job that must not run twice at once (a report build, a roster check) holds the
claim on a connection of its own for as long as it works. If the worker is killed,
PostgreSQL closes the connection and the claim is free at once, so the sweep can
start the work again without waiting for arq's job timeout or a lease to expire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import Database

_TRY = text("select pg_try_advisory_lock(hashtextextended(:key, 0))")
_FREE = text("select pg_advisory_unlock(hashtextextended(:key, 0))")


@asynccontextmanager
async def claim(db: Database, key: str) -> AsyncIterator[bool]:
    """Yields True while this process holds `key`, False when another holder has it.

    `key` names the work, e.g. ``f"report:{report_id}"``. The lock lives on a
    connection outside any transaction (autocommit), so the work may commit as often
    as it likes on its own sessions while the claim is held."""
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(await conn.scalar(_TRY, {"key": key}))
        try:
            yield held
        finally:
            if held:
                await conn.execute(_FREE, {"key": key})


async def is_claimed(db: Database, key: str) -> bool:
    """True when some process holds `key` now (for a sweep deciding what to restart)."""
    async with claim(db, key) as held:
        return not held


_HELD_ELSEWHERE = text(
    "select case when pg_try_advisory_lock(hashtextextended(:key, 0))"
    " then not pg_advisory_unlock(hashtextextended(:key, 0)) else true end"
)


async def is_claimed_in(session: AsyncSession, key: str) -> bool:
    """`is_claimed` on a session's own connection, for a service that has no Database:
    one statement takes the lock and gives it back at once (CASE decides the order),
    so the pooled connection never keeps it."""
    return bool(await session.scalar(_HELD_ELSEWHERE, {"key": key}))
