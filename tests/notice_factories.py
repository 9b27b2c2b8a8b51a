"""Notices and deliveries for the tests of the notification pages: written through
`notify` (the outbox), as the capabilities write them, and a delivery failed for good
as the worker leaves one after its last retry."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID, uuid4

from sqlalchemy import select, update

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.notifications.channels.forms import GatewayForm
from app.notifications.channels.service import GatewayService
from app.notifications.kinds import Channel, Kind
from app.notifications.models import Delivery, DeliveryState, Notification
from app.notifications.outbox import Notice, notify
from app.state import AppServices
from tests.factories import District, identity_of

_keys = itertools.count(1)


async def add_notice(
    services: AppServices,
    tenant_id: UUID | None,
    recipient: UUID,
    title: str,
    *,
    link: str = "",
    kind: Kind = Kind.DIGEST,
    body: str = "请及时处理。",
    read: bool = False,
    age: timedelta = timedelta(0),
) -> UUID:
    """One notice for `recipient` (a district's account, or the platform's with no
    tenant), written `age` ago; `read` marks it read."""
    with tenant_scope(tenant_id):
        async with services.db.unit() as session:
            key = f"test:{next(_keys)}"
            await notify(session, [recipient], Notice(kind, key, title, body, link))
            notice_id = await session.scalar(
                select(Notification.id).where(Notification.dedupe_key == key)
            )
            assert notice_id is not None
            await session.execute(
                update(Notification)
                .where(Notification.id == notice_id)
                .values(
                    created_at=clock.now() - age,
                    read_at=clock.now() if read else None,
                )
            )
    return notice_id


async def add_failed_delivery(
    services: AppServices,
    tenant_id: UUID | None,
    notice_id: UUID,
    *,
    channel: Channel = Channel.SMS,
    error: str = "网关答复 500：internal error",
) -> UUID:
    """A delivery of the notice that failed for good after six attempts."""
    delivery_id = uuid4()
    with tenant_scope(tenant_id):
        async with services.db.unit() as session:
            session.add(
                Delivery(
                    id=delivery_id, tenant_id=tenant_id, notification_id=notice_id,
                    channel=channel, address="13900001111", state=DeliveryState.FAILED,
                    attempts=6, due_at=clock.now() - timedelta(minutes=5), last_error=error,
                )
            )  # fmt: skip
    return delivery_id


GATEWAY_SECRET = "s" * 32


async def add_gateway(
    services: AppServices,
    district: District,
    channel: Channel | str,
    url: str = "https://gw.example.com/send",
) -> None:
    """The district's gateway for `channel`, set by its admin on the gateways page."""
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            form = GatewayForm(Channel(channel), url, GATEWAY_SECRET)
            await GatewayService(session, services.cipher).save(admin, form)
