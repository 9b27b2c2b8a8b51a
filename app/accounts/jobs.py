"""Account housekeeping run by the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete

from app.accounts.models import Invitation
from app.core import clock
from workers.jobs import active_tenant_ids, services_of, tenant_unit

log = structlog.get_logger("redstar.jobs.accounts")

KEEP_EXPIRED = timedelta(days=30)


async def prune_stale_invitations(ctx: dict[str, Any]) -> int:
    """Delete unused invitations that expired more than 30 days ago, tenant by tenant.

    Idempotent: a second run finds nothing left to delete.
    """
    removed = 0
    for tenant_id in await active_tenant_ids(services_of(ctx)):
        async with tenant_unit(ctx, tenant_id) as session:
            deleted = await session.scalars(
                delete(Invitation)
                .where(
                    Invitation.accepted_at.is_(None),
                    Invitation.expires_at < clock.now() - KEEP_EXPIRED,
                )
                .returning(Invitation.id)
            )
            removed += len(deleted.all())
    log.info("pruned_invitations", removed=removed)
    return removed
