"""Escalation, run by the worker: records the level the SLA clock has reached.

The pages read the level from the clock already; this job writes it down (the
request's `level` and an 'escalated' event), which the notifications of a later issue
will follow. Idempotent: a request is raised only when the clock is above what is
recorded, so a second run at the same moment changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select

from app.core import clock
from app.db import Database
from app.db.tenant import tenant_scope
from app.service_requests.models import OPEN_STATUSES, RequestEvent, ServiceRequest
from app.service_requests.queries import chain, reading
from tenants.models import Tenant, TenantStatus
from workers.jobs import services_of

log = structlog.get_logger("redstar.jobs.service_requests")


async def escalate(db: Database, now: datetime) -> int:
    """Raise the recorded level of every open request whose clock has passed it, in
    every active district. Returns how many were raised."""
    async with db.unit() as session:
        tenants = list(
            await session.scalars(select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE))
        )
    raised = 0
    for tenant_id in tenants:
        with tenant_scope(tenant_id):
            async with db.unit() as session:  # one district's raises, committed together
                levels = await chain(session)
                requests = await session.scalars(
                    select(ServiceRequest)
                    .where(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.due_at < now)
                    .order_by(ServiceRequest.due_at)
                    .with_for_update(skip_locked=True)  # one being worked on waits a round
                )
                for request in requests:
                    level = reading(request, levels, now).level
                    if level <= request.level:
                        continue
                    request.level = level
                    session.add(
                        RequestEvent(
                            tenant_id=tenant_id, request_id=request.id, at=now, kind="escalated",
                            status=request.status, level=level,
                        )
                    )  # fmt: skip
                    raised += 1
    log.info("requests_escalated", raised=raised)
    return raised


async def escalate_service_requests(ctx: dict[str, Any]) -> int:
    """The cron job: escalate as of now."""
    return await escalate(services_of(ctx).db, clock.now())
