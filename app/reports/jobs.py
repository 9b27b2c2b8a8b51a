"""Report jobs run by the worker: a report's build, and the sweep every minute."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from arq import Retry

from app.reports import running, sweep
from app.reports.storage import storage_for
from workers.jobs import active_tenant_ids, job_tenant, services_of


async def build_report(ctx: dict[str, Any], tenant_id: str, report_id: str) -> str:
    """Idempotent (running.build). A database or network hiccup is tried again a few
    seconds later under the same job; past arq's tries the sweep takes over."""
    async with job_tenant(ctx, UUID(tenant_id)) as services:
        try:
            return await running.build(
                services.db, services.cipher, storage_for(services.settings), UUID(report_id)
            )
        except Exception as exc:
            if running.transient(exc):
                raise Retry(defer=5 * ctx.get("job_try", 1)) from exc
            raise


async def sweep_reports(ctx: dict[str, Any]) -> dict[str, int]:
    """Queue again what waits with no one building it; delete files past their time."""
    services = services_of(ctx)
    return await sweep.sweep(
        services.db, services.redis, storage_for(services.settings),
        await active_tenant_ids(services),
    )  # fmt: skip
