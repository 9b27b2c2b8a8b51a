"""Signup jobs run by the worker: the approvers of a signup that waits are told.

A signup's notices to the operators and the province's viewers are the platform's
(no tenant), so they are written in the transaction right after the signup's own;
this job writes any that a crash or a database error between the two left out.
Idempotent: a notice is written once per approver and signup (`signup:{tenant}`)."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import select

from app.db.tenant import tenant_scope
from app.notifications.outbox import dispatch_queued
from app.signup.notices import tell_approvers
from tenants.models import Tenant, TenantStatus
from workers.jobs import services_of

log = structlog.get_logger("redstar.jobs.signup")


async def remind_pending_signups(ctx: dict[str, Any]) -> int:
    """Every pending signup's approvers told (those already told are skipped)."""
    services = services_of(ctx)
    written = 0
    with tenant_scope(None):
        async with services.db.unit() as session:
            pending = await session.scalars(
                select(Tenant.id).where(Tenant.status == TenantStatus.PENDING)
            )
            for tenant_id in list(pending):
                written += await tell_approvers(session, tenant_id)
        await dispatch_queued(session, services.redis)
    if written:
        log.info("signup_notices_caught_up", written=written)
    return written
