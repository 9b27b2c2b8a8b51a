"""The outbox's guarantees against real receivers: a notice written once per key, each
delivery sent once per channel, retried with backoff, failed after the last attempt,
and the same Message-ID / idempotency key on every attempt."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from uuid import UUID

import pytest
from sqlalchemy import func, select, update

from app.core import clock
from app.db.tenant import tenant_scope
from app.notifications.delivery import deliver, retry_failed
from app.notifications.kinds import Channel, Kind
from app.notifications.models import (
    Delivery,
    DeliveryState,
    NoticePreference,
    Notification,
)
from app.notifications.outbox import QUEUED, Notice, notify
from app.settings import NotifySettings
from app.state import AppServices
from tests.factories import District, World
from tests.notice_factories import GATEWAY_SECRET as SECRET
from tests.notice_factories import add_gateway
from tests.receivers import Webhook, smtp_server, webhook_server

# Messages by text or WeChat are sent at once only outside quiet hours.
pytestmark = pytest.mark.usefixtures("outside_quiet_hours")

NOTICE = Notice(
    Kind.CLAIM_DECIDED, "claim:1:approved", "积分申报已通过", "您申报的积分已通过。", "/points/me"
)


async def choose(
    services: AppServices, district: District, account: UUID, channels: list[str], **values: object
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add(
                NoticePreference(
                    account_id=account,
                    tenant_id=district.tenant_id,
                    channels={kind: channels for kind in Kind},
                    **values,
                )
            )


async def tell(services: AppServices, district: District, account: UUID, notice: Notice) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await notify(session, [account], notice)


async def deliveries(services: AppServices, district: District) -> list[Delivery]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return list(await session.scalars(select(Delivery).order_by(Delivery.created_at)))


async def send_all(
    services: AppServices, district: District, settings: NotifySettings
) -> list[str]:
    outcomes = []
    with tenant_scope(district.tenant_id):
        for row in await deliveries(services, district):
            outcome = await deliver(services.db, services.cipher, settings, row.id)
            outcomes.append(outcome.state)
    return outcomes


def settings_of(services: AppServices, **values: object) -> NotifySettings:
    return dataclasses.replace(services.settings.notify, **values)  # type: ignore[arg-type]


async def test_a_notice_is_written_once_per_key_and_recipient(services: AppServices, world: World):
    member = world.a.users["member"].id
    await add_gateway(services, world.a, "wechat", "http://127.0.0.1:9/hook")
    assert await tell(services, world.a, member, NOTICE) == 1
    assert await tell(services, world.a, member, NOTICE) == 0
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Notification)) == 1
    rows = await deliveries(services, world.a)
    assert [row.channel for row in rows] == [Channel.WECHAT]  # the kind's default
    # District B sees neither the notice nor its delivery.
    assert await deliveries(services, world.b) == []


async def test_no_delivery_without_a_gateway_or_an_address(services: AppServices, world: World):
    member = world.a.users["member"].id
    await choose(services, world.a, member, ["email", "sms", "wechat"])  # no email given
    await tell(services, world.a, member, NOTICE)
    assert await deliveries(services, world.a) == []  # the inbox has it; nothing else can


async def test_quiet_hours_hold_sms_until_they_end(
    services: AppServices, world: World, monkeypatch
):
    member = world.a.users["member"].id
    await add_gateway(services, world.a, "sms", "http://127.0.0.1:9/hook")
    await choose(services, world.a, member, ["sms"], quiet_start=time(21), quiet_end=time(6, 30))
    night = clock.now().replace(hour=23, minute=15, second=0, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: night)
    await tell(services, world.a, member, NOTICE)
    [row] = await deliveries(services, world.a)
    morning = (night + timedelta(days=1)).replace(hour=6, minute=30)
    assert row.due_at == morning
    # A job arriving in the night sends nothing.
    outcomes = await send_all(services, world.a, settings_of(services))
    assert outcomes == ["skipped"]


async def test_an_email_arrives_with_a_message_id_from_the_dedupe_key(
    services: AppServices, world: World
):
    member = world.a.users["member"].id
    await choose(services, world.a, member, ["email"], email="laozhang@example.cn")
    await tell(services, world.a, member, NOTICE)
    with smtp_server() as (inbox, port):
        settings = settings_of(
            services,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            public_url="https://redstar.example",
        )
        assert await send_all(services, world.a, settings) == ["sent"]
        [mail] = inbox.messages
        assert mail["To"] == "laozhang@example.cn"
        assert "积分申报已通过" in str(mail["Subject"]) or mail["Subject"]
        assert "https://redstar.example/points/me" in mail.get_payload(decode=True).decode()
        # A crash between "sent" and "recorded": the row is pending again and is resent
        # with the same Message-ID, which mail clients show as one message.
        with tenant_scope(world.a.tenant_id):
            async with services.db.unit() as session:
                await session.execute(update(Delivery).values(state=DeliveryState.PENDING))
        assert await send_all(services, world.a, settings) == ["sent"]
        assert len(inbox.messages) == 2
        assert inbox.messages[0]["Message-ID"] == inbox.messages[1]["Message-ID"]


async def test_a_webhook_answering_500_three_times_is_delivered_once_in_four_attempts(
    services: AppServices, world: World
):
    member = world.a.users["member"].id
    hook = Webhook(SECRET, statuses=[500, 500, 500])
    with webhook_server(hook) as url:
        await add_gateway(services, world.a, "wechat", url)
        await tell(services, world.a, member, NOTICE)
        settings = settings_of(services, retry_base_seconds=0)
        outcomes = [(await send_all(services, world.a, settings))[0] for _ in range(5)]
    assert outcomes == ["retry", "retry", "retry", "sent", "skipped"]
    [row] = await deliveries(services, world.a)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 4, None)
    assert [r["status"] for r in hook.requests] == [500, 500, 500, 200]
    assert len({r["key"] for r in hook.requests}) == 1  # one idempotency key throughout
    assert all(r["valid"] for r in hook.requests)  # signed every time
    assert list(hook.accepted.values()) == [1]
    body = hook.requests[-1]["json"]
    assert body["to"] == world.a.users["member"].phone and body["channel"] == "wechat"


async def test_backoff_doubles_and_the_last_failure_waits_for_an_admin(
    services: AppServices, world: World
):
    member = world.a.users["member"].id
    hook = Webhook(SECRET, statuses=[503] * 10)
    with webhook_server(hook) as url:
        await add_gateway(services, world.a, "sms", url)
        await choose(services, world.a, member, ["sms"], quiet_start=time(3), quiet_end=time(3, 1))
        await tell(services, world.a, member, NOTICE)
        settings = settings_of(services, retry_base_seconds=0, max_attempts=3)
        outcomes = [(await send_all(services, world.a, settings))[0] for _ in range(4)]
        assert outcomes == ["retry", "retry", "failed", "skipped"]
        [row] = await deliveries(services, world.a)
        assert row.state == DeliveryState.FAILED and "503" in (row.last_error or "")
        with tenant_scope(world.a.tenant_id):
            async with services.db.unit() as session:
                assert await retry_failed(session, row.id)
        hook.statuses.clear()
        assert await send_all(services, world.a, settings) == ["sent"]


def test_backoff_grows_twice_each_time_up_to_an_hour():
    from app.notifications.delivery import backoff

    assert [backoff(30, n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30, 20) == timedelta(hours=1)


async def test_a_refusing_gateway_fails_at_once(services: AppServices, world: World):
    member = world.a.users["member"].id
    hook = Webhook(SECRET, statuses=[400])
    with webhook_server(hook) as url:
        await add_gateway(services, world.a, "wechat", url)
        await tell(services, world.a, member, NOTICE)
        assert await send_all(services, world.a, settings_of(services)) == ["failed"]


async def test_a_notice_never_carries_an_id_number(services: AppServices, world: World):
    notice = dataclasses.replace(NOTICE, body="身份证号 370202195001011234 已登记")
    with pytest.raises(ValueError):
        await tell(services, world.a, world.a.users["member"].id, notice)


async def test_the_platform_s_notices_are_its_own(services: AppServices, world: World):
    """A notice to an operator has no tenant: no district sees it; with no tenant in
    context it is there."""
    with tenant_scope(None):
        async with services.db.unit() as session:
            await notify(session, [world.operator.id], NOTICE)
            assert session.info.get(QUEUED) is None  # no platform gateway configured
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Notification)) == 1
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Notification)) == 0
