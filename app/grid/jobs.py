"""Grid jobs run by the worker: write the coming week's must-visit items every night."""

from __future__ import annotations

from typing import Any

import structlog

from app.core import clock
from app.grid import due
from workers.jobs import active_tenant_ids, job_tenant, services_of

log = structlog.get_logger("redstar.jobs.grid")


async def refresh_due_items(ctx: dict[str, Any]) -> int:
    """Every district's birthday and holiday items for the coming week, and answers by
    visits already made. Idempotent: one row per person, rule and occasion."""
    written = 0
    today = clock.today()
    for tenant_id in await active_tenant_ids(services_of(ctx)):
        async with job_tenant(ctx, tenant_id) as services, services.db.unit() as session:
            written += await due.refresh(session, today)
    log.info("due_items_refreshed", written=written)
    return written
