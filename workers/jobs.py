"""Job plumbing shared by every capability: services per worker, tenant per job, and
one unit of work per job and tenant (as a request has one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.tenant import tenant_scope
from app.notifications.outbox import dispatch_queued
from app.state import AppServices
from tenants.models import Tenant, TenantStatus


def services_of(ctx: dict[str, Any]) -> AppServices:
    return ctx["services"]


@asynccontextmanager
async def job_tenant(ctx: dict[str, Any], tenant_id: UUID) -> AsyncIterator[AppServices]:
    """Run part of a job as one tenant: the same context var the web middleware sets."""
    structlog.contextvars.bind_contextvars(tenant=str(tenant_id))
    try:
        with tenant_scope(tenant_id):
            yield services_of(ctx)
    finally:
        structlog.contextvars.unbind_contextvars("tenant")


@asynccontextmanager
async def tenant_unit(ctx: dict[str, Any], tenant_id: UUID) -> AsyncIterator[AsyncSession]:
    """One unit of work of a job as one tenant: a session bound to the tenant whose
    transaction commits when the block ends without an error; then the deliveries of
    the notices it wrote are queued."""
    async with job_tenant(ctx, tenant_id) as services:
        async with services.db.unit() as session:
            yield session
        await dispatch_queued(session, services.redis)


async def active_tenant_ids(services: AppServices) -> list[UUID]:
    async with services.db.unit() as session:
        return list(
            await session.scalars(select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE))
        )
