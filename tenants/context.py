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


def require_tenant() -> UUID:
    """The current tenant, for code that writes tenant rows: none is a bug, not an
    empty result, so it fails loudly instead of writing nothing."""
    tenant_id = current_tenant_id.get()
    if tenant_id is None:
        raise RuntimeError("no tenant in context")
    return tenant_id
