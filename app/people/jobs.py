"""Roster jobs run by the worker: the dry run and the commit of an import, and the
sweep that queues again an import whose job was lost."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import structlog

from app.people.imports import worker
from app.people.imports.service import ImportService
from workers.jobs import active_tenant_ids, job_tenant, services_of, tenant_unit

log = structlog.get_logger("redstar.jobs.people")


async def check_roster_import(ctx: dict[str, Any], tenant_id: str, import_id: str) -> str:
    """Idempotent: only an import still waiting to be checked is claimed."""
    async with job_tenant(ctx, UUID(tenant_id)) as services:
        return await worker.check(
            services.db, services.cipher, UUID(import_id), redis=services.redis
        )


async def commit_roster_import(ctx: dict[str, Any], tenant_id: str, import_id: str) -> str:
    """Idempotent: only an import marked for commit is applied, once, under a row lock."""
    async with job_tenant(ctx, UUID(tenant_id)) as services:
        return await worker.apply(services.db, UUID(import_id), redis=services.redis)


async def recover_roster_imports(ctx: dict[str, Any]) -> int:
    """Every minute and when the worker starts: in every district, queue again each
    import that waits for a job nobody runs (the worker was killed mid-check, Valkey
    lost its queue). Returns how many were queued."""
    services = services_of(ctx)
    queued = 0
    for tenant_id in await active_tenant_ids(services):
        async with tenant_unit(ctx, tenant_id) as session:
            imports = ImportService(session, services.cipher, services.redis)
            queued += await imports.requeue_stuck()
    if queued:
        log.info("roster_imports_queued_again", count=queued)
    return queued
