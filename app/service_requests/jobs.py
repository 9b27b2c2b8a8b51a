"""Escalation, run by the worker: records the level the SLA clock has reached and
tells that level's holders (app.service_requests.notices.sla_breached).

The pages read the level from the clock already; this job writes it down (the
request's `level` and an 'escalated' event) and, in the same transaction, the notice
to whoever now holds the request for its person — the first level from the one reached
that has someone (`first_holders`). Idempotent: a request is raised only when the
clock is above what is recorded, so a second run at the same moment changes nothing,
and the notice's key (`sla:{request}:{level}`) is written once per level.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from arq.connections import ArqRedis
from sqlalchemy import and_, select

from app.core import clock
from app.db import Database
from app.db.tenant import tenant_scope
from app.notifications.outbox import dispatch_queued, notify
from app.people.models import Person
from app.service_requests.models import (
    OPEN_STATUSES,
    RequestCategory,
    RequestEvent,
    ServiceRequest,
)
from app.service_requests.notices import sla_breached
from app.service_requests.queries import chain, first_holders, reading
from tenants.models import Tenant, TenantStatus
from workers.jobs import services_of

log = structlog.get_logger("redstar.jobs.service_requests")


async def escalate(db: Database, now: datetime, redis: ArqRedis | None = None) -> int:
    """Raise the recorded level of every open request whose clock has passed it, in
    every active district, and tell the level it reached. Returns how many were raised.
    With `redis`, the notices' outside deliveries are queued after each commit (else
    the sweep queues them)."""
    async with db.unit() as session:
        tenants = list(
            await session.scalars(select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE))
        )
    raised = 0
    for tenant_id in tenants:
        with tenant_scope(tenant_id):
            async with db.unit() as session:  # one district's raises, committed together
                levels = await chain(session)
                rows = await session.execute(
                    select(ServiceRequest, Person, RequestCategory.name)
                    .join(Person, and_(Person.tenant_id == ServiceRequest.tenant_id,
                                       Person.id == ServiceRequest.person_id))
                    .join(RequestCategory,
                          and_(RequestCategory.tenant_id == ServiceRequest.tenant_id,
                               RequestCategory.id == ServiceRequest.category_id))
                    .where(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.due_at < now)
                    .order_by(ServiceRequest.due_at)
                    # one being worked on waits a round
                    .with_for_update(of=ServiceRequest, skip_locked=True)
                )  # fmt: skip
                for request, person, category in rows:
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
                    told, holders = await first_holders(session, person, levels, level)
                    await notify(
                        session, holders, sla_breached(request.id, told, person.name, category)
                    )
                    raised += 1
            if redis is not None:
                await dispatch_queued(session, redis)
    log.info("requests_escalated", raised=raised)
    return raised


async def escalate_service_requests(ctx: dict[str, Any]) -> int:
    """The cron job: escalate as of now."""
    return await escalate(services_of(ctx).db, clock.now(), ctx["redis"])
