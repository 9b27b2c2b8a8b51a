"""Alembic environment: runs as the owner role, never as the app's runtime role."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.session import async_url

config = context.config


def owner_url() -> str:
    url = config.attributes.get("owner_url") or os.environ.get("DATABASE_OWNER_URL", "")
    if not url:
        raise SystemExit("DATABASE_OWNER_URL is not set; use `redstar migrate`.")
    return async_url(url)


def do_run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_async_engine(owner_url())
    async with engine.connect() as connection:
        await connection.run_sync(do_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=owner_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
