"""The gateways of a district (or of the platform, for its own accounts) and the
deliveries that failed for good, for the admin who looks after them.

A gateway's secret is encrypted like ID numbers, bound to its district (the platform's
to app.notifications.delivery.PLATFORM), and never leaves this module again: the page
only learns that one is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog
from arq.connections import ArqRedis
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import PlatformUser, User
from app.audit.service import record
from app.core import clock
from app.core.crypto import IdCipher
from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.pagination import Page, paginate
from app.i18n import N_
from app.notifications.channels.forms import GatewayForm
from app.notifications.delivery import PLATFORM, retry_failed
from app.notifications.kinds import Channel
from app.notifications.models import ChannelEndpoint, Delivery, DeliveryState, Notification
from app.notifications.outbox import enqueue_delivery

log = structlog.get_logger("redstar.notifications")
PAGE_SIZE = 20


@dataclass(frozen=True)
class Gateway:
    channel: Channel
    url: str
    updated_at: datetime


@dataclass(frozen=True)
class FailedDelivery:
    id: UUID
    recipient: str
    """The account's name (empty if the account is gone)."""
    kind: str
    title: str
    channel: str
    attempts: int
    error: str
    last_tried: datetime


class GatewayService:
    def __init__(self, session: AsyncSession, cipher: IdCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def gateways(self) -> dict[Channel, Gateway]:
        found = await self.session.execute(
            select(ChannelEndpoint.channel, ChannelEndpoint.url, ChannelEndpoint.updated_at)
        )
        return {Channel(row.channel): Gateway(Channel(row.channel), row.url, row.updated_at)
                for row in found}  # fmt: skip

    async def save(self, identity: Identity, form: GatewayForm) -> None:
        """Set the channel's URL and, when given, its secret (a first setting has one:
        the form asks for it)."""
        values: dict[str, object] = {
            "url": form.url, "updated_by": identity.user_id, "updated_at": clock.now(),
        }  # fmt: skip
        if form.secret is not None:
            values["secret_enc"] = self.cipher.encrypt(identity.tenant_id or PLATFORM, form.secret)
        existing = await self.session.scalar(
            select(ChannelEndpoint).where(ChannelEndpoint.channel == form.channel)
        )
        if existing is None:
            self.session.add(
                ChannelEndpoint(tenant_id=identity.tenant_id, channel=form.channel, **values)
            )
        else:
            for name, value in values.items():
                setattr(existing, name, value)
        await self._audit(identity, "notify.gateway_set", form.channel)

    async def remove(self, identity: Identity, channel: Channel) -> bool:
        """No more messages by `channel` here; pending ones fail with that reason."""
        removed = await self.session.scalar(
            delete(ChannelEndpoint)
            .where(ChannelEndpoint.channel == channel)
            .returning(ChannelEndpoint.id)
        )
        if removed is not None:
            await self._audit(identity, "notify.gateway_removed", channel)
        return removed is not None

    async def _audit(self, identity: Identity, action: str, channel: Channel) -> None:
        """A district's change goes in its change log (the platform has none)."""
        if identity.tenant_id is not None:
            await record(
                self.session, identity.actor, action, subject_type="gateway",
                changes={"channel": str(channel)},
            )  # fmt: skip


class FailedDeliveries:
    """Deliveries that gave up (after the last retry, or refused for good)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, identity: Identity, number: int) -> Page[FailedDelivery]:
        """Newest first, with the recipient's name (a district's accounts, or the
        platform's for its operators)."""
        account = PlatformUser if identity.is_platform else User
        found = await paginate(
            self.session,
            select(
                Delivery.id, account.name, Notification.kind, Notification.title,
                Delivery.channel, Delivery.attempts, Delivery.last_error, Delivery.due_at,
            )
            .join(Notification, Notification.id == Delivery.notification_id)
            .outerjoin(account, account.id == Notification.recipient_id)
            .where(Delivery.state == DeliveryState.FAILED)
            .order_by(Delivery.created_at.desc(), Delivery.id),
            number,
            PAGE_SIZE,
        )  # fmt: skip
        items = [
            FailedDelivery(
                id=row[0], recipient=row[1] or "", kind=row[2], title=row[3], channel=row[4],
                attempts=row[5], error=row[6] or "", last_tried=row[7],
            )
            for row in found.items
        ]  # fmt: skip
        return Page(items, found.number, found.pages, found.total)

    async def retry(self, delivery_id: UUID, redis: ArqRedis) -> bool:
        """Send a failed delivery again now; False if it is no longer failed (someone
        retried it already). Commits before queueing the job, which reads the row;
        should the queue be away, the sweep sends it within a minute."""
        found = (
            await self.session.execute(select(Delivery.tenant_id).where(Delivery.id == delivery_id))
        ).first()
        if found is None:
            raise NotFound()
        if not await retry_failed(self.session, delivery_id):
            return False
        await self.session.commit()
        try:
            # A new job id: arq still remembers the failed attempts' ids for an hour.
            await enqueue_delivery(
                redis,
                found.tenant_id,
                delivery_id,
                clock.now(),
                f"retry{int(clock.now().timestamp())}",
            )
        except Exception as exc:  # Valkey away: the sweep finds the pending row
            log.warning("retry_not_queued", delivery=str(delivery_id), error=str(exc))
        return True


ERROR_WORDS: tuple[tuple[str, str], ...] = (
    ("网关无法连接", N_("The gateway could not be reached.")),
    ("网关答复 5", N_("The gateway had a fault and did not take the message.")),
    ("网关答复 ", N_("The gateway refused the message: check its address and secret.")),
    ("邮箱地址被拒收", N_("The mail server refused this email address.")),
    ("邮件服务器未接收", N_("The mail server did not take the email.")),
    ("没有配置邮件服务器", N_("This site has no mail server set up.")),
    ("本区已不再配置", N_("The gateway for this channel was removed.")),
)
"""What a delivery's recorded error means, by how the senders begin it
(channels/webhook.py, channels/email.py, delivery.sender_for); the error itself is
kept as the details."""


def error_words(error: str) -> str:
    """The msgid that says in plain words why a delivery failed."""
    for start, words in ERROR_WORDS:
        if error.startswith(start):
            return words
    return N_("The message could not be sent.")
