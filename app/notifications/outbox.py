"""Writing a notice: `notify(session, recipients, Notice(...))` in the transaction of
the change that caused it (the transactional outbox).

The notice's row is the recipient's inbox item, so the inbox needs no delivery: it
is there exactly when the change is. Each outside channel the recipient has chosen
(and can be reached by) gets a delivery row the worker sends; after the unit of work
commits, `dispatch_queued` puts their jobs on the queue, and the sweep puts back any
that never made it there. A notice is written once per recipient and dedupe key: a
second `notify` with the same key writes nothing and sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import structlog
from arq.connections import ArqRedis
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import PlatformUser, User
from app.core import clock
from app.db.tenant import current_tenant_id
from app.notifications.kinds import KINDS, QUIET_CHANNELS, Channel, Kind
from app.notifications.models import (
    ChannelEndpoint,
    Delivery,
    DeliveryState,
    NoticePreference,
    Notification,
)

log = structlog.get_logger("redstar.notifications")

QUEUED = "notifications.queued"
"""session.info key: the deliveries written in this unit of work, to queue after it."""
FAN_OUT = 20
"""More deliveries than this are queued by one job that queues them (a request that
tells a 300-member branch spends one round trip on Valkey, not 300)."""
CHANNEL_VALUES = frozenset(channel.value for channel in Channel)
_ID_NUMBER = re.compile(r"\d{17}[\dXx]")


@dataclass(frozen=True)
class Notice:
    """What to tell: short, plain Chinese, never an ID number."""

    kind: Kind
    key: str
    """The dedupe key, e.g. ``sla:{request}:{level}`` — the same key, the same notice."""
    title: str
    body: str
    link: str = ""
    """The path of the thing the notice is about."""


@dataclass(frozen=True)
class Queued:
    tenant_id: UUID | None
    delivery_id: UUID
    due_at: datetime


async def notify(session: AsyncSession, recipients: Iterable[UUID], notice: Notice) -> int:
    """Write `notice` for each recipient (accounts of the tenant in context, or of the
    platform when there is none); returns how many were new."""
    return await notify_each(session, [(recipient, notice) for recipient in recipients])


async def notify_each(session: AsyncSession, notices: Iterable[tuple[UUID, Notice]]) -> int:
    """Write each recipient's own notice, all in the statements one notice takes — the
    morning digest tells 200 workers their own counts at once. Returns how many were
    new; a pair whose recipient and key were written before writes nothing."""
    pairs = list(dict.fromkeys(notices))
    for _recipient, notice in pairs:
        if _ID_NUMBER.search(notice.title + notice.body):
            raise ValueError("a notice must never carry an ID number")
    if not pairs:
        return 0
    tenant_id = current_tenant_id.get()
    now = clock.now()
    rows = [
        {
            "id": uuid4(),
            "tenant_id": tenant_id,
            "recipient_id": recipient,
            "kind": notice.kind,
            "dedupe_key": notice.key,
            "title": notice.title,
            "body": notice.body,
            "link": notice.link,
            "created_at": now,
        }
        for recipient, notice in pairs
    ]
    written = (
        await session.execute(
            pg_insert(Notification)
            .on_conflict_do_nothing(constraint="uq_notifications_dedupe")
            .returning(Notification.id, Notification.recipient_id, Notification.kind),
            rows,
        )
    ).all()
    if written:
        new = {row.id: (row.recipient_id, Kind(row.kind)) for row in written}
        await _add_deliveries(session, tenant_id, new, now)
    return len(written)


async def _add_deliveries(
    session: AsyncSession,
    tenant_id: UUID | None,
    notices: dict[UUID, tuple[UUID, Kind]],
    now: datetime,
) -> None:
    """A delivery row per outside channel each new notice's recipient chose and can be
    reached by. One statement each for endpoints, preferences and phones."""
    gateways = set(await session.scalars(select(ChannelEndpoint.channel)))
    recipients = list({recipient for recipient, _kind in notices.values()})
    choices = {
        row.account_id: row
        for row in await session.scalars(
            select(NoticePreference).where(NoticePreference.account_id.in_(recipients))
        )
    }
    account = User if tenant_id else PlatformUser
    phones = {
        account_id: phone
        for account_id, phone in await session.execute(
            select(account.id, account.phone).where(account.id.in_(recipients))
        )
    }
    deliveries: list[dict[str, Any]] = []
    for notification_id, (recipient, kind) in notices.items():
        choice = choices.get(recipient)
        for channel in chosen_channels(choice, kind):
            address = choice.email if channel == Channel.EMAIL and choice else phones.get(recipient)
            if not address or (channel != Channel.EMAIL and channel not in gateways):
                continue  # no email given, or the district has no such gateway
            due = now
            if channel in QUIET_CHANNELS:
                due = after_quiet_hours(now, *_quiet(choice))
            deliveries.append(
                {
                    "id": uuid4(),
                    "tenant_id": tenant_id,
                    "notification_id": notification_id,
                    "channel": channel,
                    "address": address,
                    "due_at": due,
                    "state": DeliveryState.PENDING,
                }
            )
    if deliveries:
        await session.execute(insert(Delivery), deliveries)
        queued = session.info.setdefault(QUEUED, [])
        queued.extend(Queued(tenant_id, row["id"], row["due_at"]) for row in deliveries)


def chosen_channels(choice: NoticePreference | None, kind: Kind) -> frozenset[Channel]:
    """The outside channels for `kind`: the person's choice, else the kind's default."""
    if choice is not None and kind in choice.channels:
        # `c in Channel` is False for any plain string before Python 3.12: by value.
        return frozenset(Channel(c) for c in choice.channels[kind] if c in CHANNEL_VALUES)
    return KINDS[kind].defaults


def _quiet(choice: NoticePreference | None) -> tuple[time, time]:
    return (choice.quiet_start, choice.quiet_end) if choice else (time(22), time(7))


def after_quiet_hours(moment: datetime, start: time, end: time) -> datetime:
    """`moment` if it is outside the quiet window (China time), else the window's end.
    A window may span midnight (22:00–07:00) or not (12:00–14:00)."""
    local = moment.astimezone(clock.CHINA_TIME)
    at = local.time()
    quiet = start <= at < end if start < end else (at >= start or at < end)
    if not quiet:
        return moment
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


async def dispatch_queued(session: AsyncSession, redis: ArqRedis) -> None:
    """Queue the jobs of the deliveries this unit of work wrote — call it after the
    commit. A queue that cannot be reached is logged and left to the sweep."""
    queued: list[Queued] = session.info.pop(QUEUED, [])
    if not queued:
        return
    try:
        if len(queued) > FAN_OUT:
            await redis.enqueue_job(
                "queue_deliveries",
                [(str(q.tenant_id) if q.tenant_id else None, str(q.delivery_id)) for q in queued],
            )
            return
        for item in queued:
            await enqueue_delivery(redis, item.tenant_id, item.delivery_id, item.due_at, "0")
    except Exception as exc:  # Valkey away: the deliveries are safe in the database
        log.warning("notifications_not_queued", deliveries=len(queued), error=str(exc))


async def enqueue_delivery(
    redis: ArqRedis, tenant_id: UUID | None, delivery_id: UUID, due_at: datetime, attempt: str
) -> None:
    """One delivery's job. The job id names the delivery and the attempt: arq refuses
    a second job under an id it still remembers, and a retry is a new attempt."""
    await redis.enqueue_job(
        "deliver_notification",
        str(tenant_id) if tenant_id else None,
        str(delivery_id),
        _job_id=f"deliver:{delivery_id}:{attempt}",
        _defer_until=due_at if due_at > clock.now() else None,
    )
