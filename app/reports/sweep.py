"""The sweep, run by the worker every minute (and when it starts): reports that wait
with no one building them are queued again, and files past their keeping time are
deleted.

What the database says decides, not what the queue holds — a Valkey outage, a lost
enqueue or a killed worker loses no report:
- a *running* report whose claim is free has lost its builder (the claim is an
  advisory lock that dies with its connection): it is queued again at once;
- a *queued* report that has not moved for STALE may have lost its job (queued while
  Valkey was away, or Valkey lost it): it is queued again. Its old job, should it
  still come, finds the claim held or the report built and does nothing.
Each new attempt has a job id of its own, since arq keeps a finished job's id blocked.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import structlog
from arq.connections import ArqRedis
from sqlalchemy import select, update

from app.core import clock
from app.db import Database
from app.db.locks import is_claimed
from app.db.tenant import tenant_scope
from app.reports.models import WAITING, Report, ReportStatus
from app.reports.running import claim_key, enqueue
from app.reports.storage import Storage

log = structlog.get_logger("redstar.reports")

STALE = timedelta(seconds=30)


async def requeue(db: Database, redis: ArqRedis, tenant_id: UUID, report_id: UUID) -> bool:
    """A new attempt of a waiting report: back to queued, then a job with a new id."""
    async with db.unit() as session:
        attempt = await session.scalar(
            update(Report)
            .where(Report.id == report_id, Report.status.in_(WAITING))
            .values(status=ReportStatus.QUEUED, progress=0, attempt=Report.attempt + 1,
                    moved_at=clock.now())
            .returning(Report.attempt)
        )  # fmt: skip
    return attempt is not None and await enqueue(redis, tenant_id, report_id, attempt)


async def sweep_tenant(
    db: Database, redis: ArqRedis, storage: Storage, tenant_id: UUID
) -> dict[str, int]:
    now = clock.now()
    requeued = expired = 0
    with tenant_scope(tenant_id):
        async with db.unit() as session:
            waiting = (
                await session.execute(
                    select(Report.id, Report.status, Report.moved_at).where(
                        Report.status.in_(WAITING)
                    )
                )
            ).all()
            old_files = (
                await session.execute(
                    select(Report.id, Report.file_key).where(
                        Report.file_key.is_not(None), Report.expires_at <= now
                    )
                )
            ).all()
        for report_id, status, moved_at in waiting:
            if status == ReportStatus.QUEUED and now - moved_at < STALE:
                continue
            if await is_claimed(db, claim_key(report_id)):
                continue
            if await requeue(db, redis, tenant_id, report_id):
                requeued += 1
                log.info("report_requeued", report_id=str(report_id), was=status)
        for report_id, key in old_files:
            assert key is not None  # the query asked for rows with a file
            await storage.delete(key)
            async with db.unit() as session:
                await session.execute(
                    update(Report)
                    .where(Report.id == report_id, Report.file_key == key)
                    .values(status=ReportStatus.EXPIRED, file_key=None)
                )
            expired += 1
    return {"requeued": requeued, "expired": expired}


async def sweep(
    db: Database, redis: ArqRedis, storage: Storage, tenant_ids: list[UUID]
) -> dict[str, int]:
    totals = {"requeued": 0, "expired": 0}
    for tenant_id in tenant_ids:
        for name, count in (await sweep_tenant(db, redis, storage, tenant_id)).items():
            totals[name] += count
    return totals
