"""Job plumbing shared by every capability: services per worker, tenant per job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import select

from app.state import AppServices
from tenants.context import tenant_scope
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


async def active_tenant_ids(services: AppServices) -> list[UUID]:
    async with services.db.session() as session:
        return list(
            await session.scalars(select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE))
        )
