"""Long-lived resources shared by the web app, workers and CLI commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis

from app.db import Database
from app.settings import Settings
from app.web.sessions import SessionStore


@dataclass
class AppServices:
    settings: Settings
    db: Database
    redis: Redis
    sessions: SessionStore


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[AppServices]:
    """Connect to PostgreSQL and Redis; close both on exit."""
    db = Database(settings.db.url, pool_size=settings.db.pool_size, echo=settings.db.echo)
    redis = Redis.from_url(settings.redis.url, socket_timeout=5, socket_connect_timeout=2)
    try:
        yield AppServices(
            settings=settings,
            db=db,
            redis=redis,
            sessions=SessionStore(redis, settings.auth.session_idle_seconds),
        )
    finally:
        await redis.aclose()
        await db.dispose()
