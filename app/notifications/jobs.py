"""Notification jobs run by the worker: send one delivery, queue a batch, and the
sweep that queues again whatever is due and was never sent (a lost enqueue, Valkey
away, a worker killed mid-send)."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import structlog

from app.core import clock
from app.db.tenant import tenant_scope
from app.notifications.delivery import deliver, overdue
from app.notifications.outbox import enqueue_delivery
from workers.jobs import active_tenant_ids, services_of

log = structlog.get_logger("redstar.jobs.notifications")


def _tenant(text: str | None) -> UUID | None:
    return UUID(text) if text else None


async def deliver_notification(ctx: dict[str, Any], tenant_id: str | None, delivery_id: str) -> str:
    """Idempotent: only a pending, due, unlocked delivery is sent, once."""
    services = services_of(ctx)
    tenant = _tenant(tenant_id)
    with tenant_scope(tenant):
        outcome = await deliver(
            services.db, services.cipher, services.settings.notify, UUID(delivery_id),
            ctx.get("http"),
        )  # fmt: skip
    if outcome.retry_at is not None:
        await enqueue_delivery(
            ctx["redis"], tenant, UUID(delivery_id), outcome.retry_at, str(outcome.attempts)
        )
    return outcome.state


async def queue_deliveries(ctx: dict[str, Any], items: list[tuple[str | None, str]]) -> int:
    """The jobs of many deliveries written by one request (a branch told at once)."""
    for tenant_id, delivery_id in items:
        await enqueue_delivery(
            ctx["redis"], _tenant(tenant_id), UUID(delivery_id), clock.now(), "0"
        )
    return len(items)


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    """Queue again every delivery due for a while and not being sent, in the platform
    and every active district. Safe to run any time: a delivery is sent once however
    many of its jobs arrive."""
    services = services_of(ctx)
    grace = services.settings.notify.sweep_grace_seconds
    sweep = f"s{int(time.time())}"
    queued = 0
    for tenant in [None, *await active_tenant_ids(services)]:
        with tenant_scope(tenant):
            for delivery_id, due_at in await overdue(services.db, grace):
                await enqueue_delivery(ctx["redis"], tenant, delivery_id, due_at, sweep)
                queued += 1
    if queued:
        log.info("deliveries_swept", queued=queued)
    return queued
