"""Grid jobs run by the worker: write the coming week's must-visit items every night,
and tell each grid worker in the morning what is due (app.grid.digest)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import structlog

from app.core import clock
from app.grid import due
from app.grid.digest import BATCH, digest_recipients, send_digests
from workers.jobs import active_tenant_ids, job_tenant, services_of, tenant_unit

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


async def send_morning_digests(ctx: dict[str, Any]) -> int:
    """The 07:30 cron job: every district's grid workers, in batches of BATCH, each
    batch a job of its own (so every worker process takes a share). Returns how many
    batches were queued; a batch already queued today is not queued again."""
    day = clock.today()
    queued = 0
    for tenant_id in await active_tenant_ids(services_of(ctx)):
        async with tenant_unit(ctx, tenant_id) as session:
            workers = await digest_recipients(session)
        for start in range(0, len(workers), BATCH):
            batch = [str(worker) for worker in workers[start : start + BATCH]]
            job = await ctx["redis"].enqueue_job(
                "send_digest_batch", str(tenant_id), day.isoformat(), batch,
                _job_id=f"digest:{tenant_id}:{day.isoformat()}:{start // BATCH}",
            )  # fmt: skip
            queued += job is not None
    log.info("digest_batches_queued", batches=queued)
    return queued


async def send_digest_batch(
    ctx: dict[str, Any], tenant_id: str, day: str, workers: list[str]
) -> int:
    """One batch's morning notices, counted now. A batch that runs after its day is
    over writes nothing: yesterday's counts would be wrong today."""
    on = date.fromisoformat(day)
    if clock.today() != on:
        return 0
    async with tenant_unit(ctx, UUID(tenant_id)) as session:
        written = await send_digests(session, [UUID(w) for w in workers], on, clock.now())
    log.info("digests_sent", written=written, workers=len(workers))
    return written
