"""Roster jobs run by the worker: the dry run and the commit of an import."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.people.imports import worker
from workers.jobs import job_tenant


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
