"""Long-lived resources shared by the web app, workers and CLI commands.

It imports no capability (the ID cipher is app.core's), so a capability's jobs may
take these resources without importing upwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from arq.connections import ArqRedis

import app.orglife.home_study  # noqa: F401 — subscribes 送学上门 to grid's answered items
from app.core.crypto import IdCipher
from app.db import Database
from app.settings import Settings
from app.web.sessions import SessionStore


@dataclass
class AppServices:
    settings: Settings
    db: Database
    redis: ArqRedis
    """Sessions, throttles and the job queue (arq's client is a redis client)."""
    sessions: SessionStore
    cipher: IdCipher
    """Encrypts ID numbers (and uploaded rosters, which hold them)."""


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[AppServices]:
    """Connect to PostgreSQL and Redis; close both on exit."""
    db = Database(settings.db.url, pool_size=settings.db.pool_size, echo=settings.db.echo)
    redis = ArqRedis.from_url(settings.redis.url, socket_timeout=5, socket_connect_timeout=2)
    try:
        yield AppServices(
            settings=settings,
            db=db,
            redis=redis,
            sessions=SessionStore(redis, settings.auth.session_idle_seconds),
            cipher=IdCipher.from_config(
                settings.privacy.id_number_keys, settings.privacy.id_number_index_key
            ),
        )
    finally:
        await redis.aclose()
        await db.dispose()
