"""The current tenant, for web requests and worker jobs alike.

The web middleware and `tenant_scope` set it; the database session reads it at the
start of every transaction (app.db.session). Nothing else may set `app.tenant_id`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

current_tenant_id: ContextVar[UUID | None] = ContextVar("current_tenant_id", default=None)


@contextmanager
def tenant_scope(tenant_id: UUID | None) -> Iterator[None]:
    """Run the block as `tenant_id` (None: as nobody, so tenant tables read empty)."""
    token = current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        current_tenant_id.reset(token)


@asynccontextmanager
async def tenant_transaction(session: AsyncSession, tenant_id: UUID | None) -> AsyncIterator[None]:
    """Run the block's statements on `session` in a transaction of their own, as
    `tenant_id`: for the few flows that act in a district other than the request's —
    a login reading each matching account under its district, a link opened by anyone,
    a signup creating its district, an approval installing its first rules.

    A transaction's tenant is fixed when it begins, so what the session has open is
    committed first (these flows have only read by then); the block's transaction is
    committed when it ends, or rolled back on an error, and what follows runs as before.
    """
    if session.in_transaction():
        await session.commit()
    with tenant_scope(tenant_id):
        try:
            yield
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


def require_tenant() -> UUID:
    """The current tenant, for code that writes tenant rows: none is a bug, not an
    empty result, so it fails loudly instead of writing nothing."""
    tenant_id = current_tenant_id.get()
    if tenant_id is None:
        raise RuntimeError("no tenant in context")
    return tenant_id
