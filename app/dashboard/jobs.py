"""Dashboard jobs run by the worker: the administrators' weekly summary (Monday 08:00
China time, app.dashboard.weekly)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog

from app.core import clock
from app.dashboard.weekly import send_weekly_summary
from workers.jobs import active_tenant_ids, services_of, tenant_unit

log = structlog.get_logger("redstar.jobs.dashboard")


async def send_weekly_summaries(ctx: dict[str, Any]) -> int:
    """Every active district's summary of the week that ended last Sunday. Idempotent:
    a summary is written once per administrator and week (`weekly:{monday}`)."""
    now = clock.now()
    monday = now.date() - timedelta(days=now.weekday())
    written = 0
    for tenant_id in await active_tenant_ids(services_of(ctx)):
        async with tenant_unit(ctx, tenant_id) as session:
            written += await send_weekly_summary(session, monday, now)
    log.info("weekly_summaries_sent", written=written)
    return written
