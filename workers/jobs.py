"""Job plumbing shared by every capability: services per worker, tenant per job, one
unit of work per job and tenant (as a request has one), and retries while a server
is away."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import structlog
from arq import Retry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.outages import backoff, server_away
from app.db.tenant import tenant_scope
from app.notifications.outbox import dispatch_queued
from app.state import AppServices
from tenants.models import Tenant, TenantStatus

log = structlog.get_logger("redstar.jobs")

Job = Callable[..., Awaitable[Any]]

JOB_TRIES = 10
"""Tries of a job whose server stays away: 1 s, 2 s, 4 s … 60 s apart, about four
minutes in all. A job that still fails leaves its rows as they were, for the sweeps
(and the pages) to queue again."""
RETRY_CAP = 60.0


def retried(job: Job) -> Job:
    """`job`, tried again later when PostgreSQL or Valkey is away (a restart, a lost
    pooled connection) instead of failing: the error becomes arq's `Retry` with
    exponential backoff. Any other error fails the job as before. Jobs are idempotent,
    so running one again after a half-done try is safe."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await job(ctx, *args, **kwargs)
        except Exception as exc:
            if not server_away(exc):
                raise
            attempt = int(ctx.get("job_try") or 1)
            delay = backoff(attempt, cap=RETRY_CAP)
            log.warning(
                "job_retried", job=job.__name__, attempt=attempt, error=type(exc).__name__,
                retry_in_s=delay,
            )  # fmt: skip
            raise Retry(defer=delay) from exc

    return run


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
