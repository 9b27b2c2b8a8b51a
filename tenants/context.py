"""The current tenant, for web requests and worker jobs alike.

The web middleware and `tenant_scope` set it; the database session reads it at the
start of every transaction (app.db.session). Nothing else may set `app.tenant_id`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

current_tenant_id: ContextVar[UUID | None] = ContextVar("current_tenant_id", default=None)


@contextmanager
def tenant_scope(tenant_id: UUID | None) -> Iterator[None]:
    """Run the block as `tenant_id` (None: as nobody, so tenant tables read empty)."""
    token = current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        current_tenant_id.reset(token)
