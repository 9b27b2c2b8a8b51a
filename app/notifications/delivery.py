"""Sending a delivery, once: the worker's side of the outbox.

`deliver` locks the delivery's row (FOR UPDATE SKIP LOCKED) and keeps the lock while it
hands the message to its channel, then records the outcome in the same transaction.
Two workers given the same delivery cannot both send it: the second finds it locked
or already sent. A worker killed while sending drops its connection and with it the
lock, so the sweep's next job sends again at once — with the same idempotency key
and Message-ID, which is how the receiver tells a resend from a second message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.crypto import IdCipher
from app.db import Database
from app.db.tenant import current_tenant_id
from app.notifications.channels.base import DeliveryError, Message, Sender, idempotency_key
from app.notifications.channels.email import EmailSender
from app.notifications.channels.webhook import WebhookSender
from app.notifications.kinds import Channel
from app.notifications.models import ChannelEndpoint, Delivery, DeliveryState, Notification
from app.settings import NotifySettings

log = structlog.get_logger("redstar.notifications")

PLATFORM = UUID(int=0)
"""Stands for the platform where a tenant is needed (the secret's encryption context)."""
SWEEP_BATCH = 2000


@dataclass(frozen=True)
class Outcome:
    state: str
    """sent, retry, failed, or skipped (not pending, not due, or being sent elsewhere)."""
    retry_at: datetime | None = None
    attempts: int = 0


async def deliver(
    db: Database,
    cipher: IdCipher,
    settings: NotifySettings,
    delivery_id: UUID,
    http: httpx.AsyncClient | None = None,
) -> Outcome:
    """Send one delivery if it is pending and due; record what happened."""
    now = clock.now()
    async with db.unit() as session:
        found = (
            await session.execute(
                select(Delivery, Notification)
                .join(Notification, Notification.id == Delivery.notification_id)
                .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
                .with_for_update(of=Delivery, skip_locked=True)
            )
        ).first()
        if found is None:
            return Outcome("skipped")
        delivery, notice = found
        if delivery.due_at > now:
            return Outcome("skipped")  # quiet hours or a later retry: its own job comes then
        delivery.attempts += 1
        try:
            sender = await sender_for(session, cipher, settings, delivery.channel, http)
            await sender.send(
                Message(
                    to=delivery.address,
                    kind=notice.kind,
                    title=notice.title,
                    body=notice.body,
                    link=settings.public_url + notice.link if notice.link else settings.public_url,
                    idempotency_key=idempotency_key(
                        str(notice.recipient_id), notice.dedupe_key, delivery.channel
                    ),
                )
            )
        except DeliveryError as exc:
            return _failed(delivery, exc, settings, now)
        delivery.state = DeliveryState.SENT
        delivery.sent_at = clock.now()
        delivery.last_error = None
        log.info(
            "delivery_sent",
            delivery=str(delivery_id),
            channel=delivery.channel,
            attempt=delivery.attempts,
        )
        return Outcome("sent", attempts=delivery.attempts)


def _failed(
    delivery: Delivery, exc: DeliveryError, settings: NotifySettings, now: datetime
) -> Outcome:
    delivery.last_error = exc.reason
    log.warning(
        "delivery_attempt_failed",
        delivery=str(delivery.id),
        channel=delivery.channel,
        attempt=delivery.attempts,
        error=exc.reason,
    )
    if exc.permanent or delivery.attempts >= settings.max_attempts:
        delivery.state = DeliveryState.FAILED
        return Outcome("failed", attempts=delivery.attempts)
    delivery.due_at = now + backoff(settings.retry_base_seconds, delivery.attempts)
    return Outcome("retry", retry_at=delivery.due_at, attempts=delivery.attempts)


def backoff(base_seconds: float, attempts: int) -> timedelta:
    """base, 2×base, 4×base … after the 1st, 2nd, 3rd failure; at most an hour."""
    return timedelta(seconds=min(base_seconds * 2 ** (attempts - 1), 3600))


async def sender_for(
    session: AsyncSession,
    cipher: IdCipher,
    settings: NotifySettings,
    channel: str,
    http: httpx.AsyncClient | None = None,
) -> Sender:
    if channel == Channel.EMAIL:
        return EmailSender(settings)
    endpoint = await session.scalar(
        select(ChannelEndpoint).where(ChannelEndpoint.channel == channel)
    )
    if endpoint is None:
        raise DeliveryError("本区已不再配置这个发送渠道", permanent=True)
    secret = cipher.decrypt(current_tenant_id.get() or PLATFORM, endpoint.secret_enc)
    return WebhookSender(channel, endpoint.url, secret, http)


async def overdue(db: Database, grace_seconds: float) -> list[tuple[UUID, datetime]]:
    """Pending deliveries due `grace_seconds` ago or more that nobody is sending now
    (rows being sent are locked and skipped): the sweep queues them again."""
    async with db.unit() as session:
        rows = await session.execute(
            select(Delivery.id, Delivery.due_at)
            .where(
                Delivery.state == DeliveryState.PENDING,
                Delivery.due_at <= clock.now() - timedelta(seconds=grace_seconds),
            )
            .order_by(Delivery.due_at)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        return [(row.id, row.due_at) for row in rows]


async def retry_failed(session: AsyncSession, delivery_id: UUID) -> bool:
    """An admin's retry: the failed delivery is pending again, due now, attempts reset."""
    retried = await session.scalar(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.FAILED)
        .values(state=DeliveryState.PENDING, attempts=0, due_at=clock.now(), last_error=None)
        .returning(Delivery.id)
    )
    return retried is not None
