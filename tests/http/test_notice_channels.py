"""The admin's sending pages: a district admin (and the operator, for the platform's
accounts) sets the SMS and WeChat gateways — the secret stored encrypted and never
shown again, a URL that is not http(s) or points at this site refused — and sees the
deliveries that failed for good, in plain words, and sends them again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.main import create_app
from app.notifications.channels.service import error_words
from app.notifications.delivery import PLATFORM
from app.notifications.kinds import Channel, Kind
from app.notifications.models import ChannelEndpoint, Delivery, DeliveryState
from app.settings import NotifySettings
from app.state import AppServices
from tests.factories import District, World
from tests.http.conftest import Browser, shown
from tests.notice_factories import add_failed_delivery, add_notice
from tests.servers import ServerPair

# Messages by text or WeChat are sent at once only outside quiet hours.
pytestmark = pytest.mark.usefixtures("outside_quiet_hours")

SECRET = "gw-secret-0123456789abcdef"
PUBLIC = "https://redstar.example.cn"


@pytest.fixture
async def site(servers: ServerPair) -> AsyncIterator[Browser]:
    """The site as deployed at PUBLIC."""
    settings = servers.settings()
    app = create_app(replace(settings, notify=NotifySettings(public_url=PUBLIC)))
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        yield Browser(client)


async def endpoints(services: AppServices, district: District | None) -> list[Any]:
    with tenant_scope(district.tenant_id if district else None):
        async with services.db.session() as session:
            return list(await session.scalars(select(ChannelEndpoint)))


async def test_a_district_admin_sets_a_gateway_whose_secret_is_never_shown(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    await browser.login(a.users[Role.TENANT_ADMIN])
    page = (await browser.get("/notifications/channels")).text
    assert page.count(shown("Not set up")) == 2
    saved = await browser.post(
        "/notifications/channels",
        {"channel": "sms", "url": "https://sms.example.com/send", "secret": SECRET},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/notifications/channels"
    [endpoint] = await endpoints(services, a)
    assert endpoint.channel == "sms" and endpoint.url == "https://sms.example.com/send"
    assert SECRET.encode() not in endpoint.secret_enc
    assert services.cipher.decrypt(a.tenant_id, endpoint.secret_enc) == SECRET
    page = (await browser.get("/notifications/channels")).text
    assert SECRET not in page and shown("Set up") in page
    assert 'value="https://sms.example.com/send"' in page

    # A new address with the secret left empty keeps the secret.
    kept = await browser.post(
        "/notifications/channels",
        {"channel": "sms", "url": "https://sms2.example.com/send", "secret": ""},
    )
    assert kept.status_code == 303
    [endpoint] = await endpoints(services, a)
    assert endpoint.url == "https://sms2.example.com/send"
    assert services.cipher.decrypt(a.tenant_id, endpoint.secret_enc) == SECRET
    assert await endpoints(services, world.b) == []

    removed = await browser.post("/notifications/channels/remove", {"channel": "sms"})
    assert removed.status_code == 303 and await endpoints(services, a) == []
    with tenant_scope(a.tenant_id):
        async with services.db.session() as session:
            actions = list(await session.scalars(select(AuditEvent.action)))
    assert actions.count("notify.gateway_set") == 2 and "notify.gateway_removed" in actions


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"url": "ftp://sms.example.com/"}, "url",
         "The address must start with https:// or http:// and name a server."),
        ({"url": "sms.example.com/send"}, "url",
         "The address must start with https:// or http:// and name a server."),
        ({"url": "javascript:alert(1)"}, "url",
         "The address must start with https:// or http:// and name a server."),
        ({"url": "https://"}, "url",
         "The address must start with https:// or http:// and name a server."),
        ({"url": "https://sms.example.com:99999/"}, "url",
         "The address must start with https:// or http:// and name a server."),
        ({"url": ""}, "url", "Please enter the address of the gateway."),
        ({"url": "https://sms.example.com/a b"}, "url",
         "Please enter a web address like https://sms.example.com/send."),
        ({"url": "http://testserver.local/inbox"}, "url",
         "That address is this site itself. Please enter the address of the gateway."),
        ({"url": "http://TESTSERVER.local:80/hook"}, "url",
         "That address is this site itself. Please enter the address of the gateway."),
        ({"url": "https://redstar.example.cn:443/sms"}, "url",
         "That address is this site itself. Please enter the address of the gateway."),
        ({"secret": "short"}, "secret",
         "The secret must be %(low)s to %(high)s characters, without spaces."),
        ({"secret": ""}, "secret",
         "The secret must be %(low)s to %(high)s characters, without spaces."),
        ({"channel": "telegram"}, "channel", "Please choose text message or WeChat."),
    ],
)  # fmt: skip
async def test_a_bad_gateway_is_refused_and_writes_nothing(
    site: Browser,
    services: AppServices,
    world: World,
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    await site.login(world.a.users[Role.TENANT_ADMIN])
    form = {"channel": "wechat", "url": "https://wx.example.com/t", "secret": SECRET} | values
    refused = await site.post("/notifications/channels", form)
    assert refused.status_code == 422
    args = {"low": 16, "high": 200} if field == "secret" else {}
    assert shown(message, **args) in refused.text
    assert SECRET not in refused.text  # not even when sent back
    assert await endpoints(services, world.a) == []


async def test_the_operator_sets_the_platforms_gateway(
    browser: Browser, services: AppServices, world: World
) -> None:
    await browser.login(world.operator)
    saved = await browser.post(
        "/notifications/channels",
        {"channel": "wechat", "url": "https://wx.example.com/t", "secret": SECRET},
    )
    assert saved.status_code == 303
    [endpoint] = await endpoints(services, None)
    assert endpoint.tenant_id is None
    assert services.cipher.decrypt(PLATFORM, endpoint.secret_enc) == SECRET
    assert await endpoints(services, world.a) == []


@pytest.mark.parametrize("role", [Role.BRANCH_SECRETARY, Role.GRID_WORKER, Role.MEMBER])
async def test_only_admins_see_the_sending_pages(
    browser: Browser, world: World, role: Role
) -> None:
    await browser.login(world.a.users[role])
    for path in ("/notifications/channels", "/notifications/failed"):
        assert (await browser.get(path)).status_code == 403
    inbox = (await browser.get("/inbox")).text
    assert "/notifications/channels" not in inbox and "/notifications/failed" not in inbox


async def test_failed_deliveries_are_listed_in_words_and_sent_again(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    worker = a.users[Role.GRID_WORKER]
    notice = await add_notice(services, a.tenant_id, worker.id, "今天有3户要走访")
    delivery = await add_failed_delivery(services, a.tenant_id, notice)
    other = await add_notice(services, world.b.tenant_id, world.b.users[Role.MEMBER].id, "乙区")
    await add_failed_delivery(services, world.b.tenant_id, other, channel=Channel.WECHAT)
    await browser.login(a.users[Role.TENANT_ADMIN])
    inbox = (await browser.get("/inbox")).text
    assert 'href="/notifications/failed"' in inbox and 'href="/notifications/channels"' in inbox

    page = (await browser.get("/notifications/failed")).text
    assert worker.name in page and "今天有3户要走访" in page and "乙区" not in page
    assert shown("Morning list of visits due") in page and shown("Text message") in page
    assert shown("The gateway had a fault and did not take the message.") in page
    assert "网关答复 500：internal error" in page  # the details, for whoever fixes it

    retried = await browser.post(f"/notifications/failed/{delivery}/retry")
    assert retried.status_code == 303 and retried.headers["location"] == "/notifications/failed"
    with tenant_scope(a.tenant_id):
        async with services.db.session() as session:
            row = await session.get(Delivery, delivery)
    assert row is not None and (row.state, row.attempts) == (DeliveryState.PENDING, 0)
    jobs = await services.redis.queued_jobs()
    assert any(str(delivery) in (job.args or ()) for job in jobs)
    page = (await browser.get("/notifications/failed")).text
    assert shown("Sending it again now.") in page and "今天有3户要走访" not in page

    again = await browser.post(f"/notifications/failed/{delivery}/retry")
    assert again.status_code == 303
    assert shown("It is already being sent again.") in (await browser.get("/inbox")).text


async def test_failed_deliveries_page_through(
    browser: Browser, services: AppServices, world: World
) -> None:
    a = world.a
    for n in range(23):
        notice = await add_notice(services, a.tenant_id, a.users[Role.MEMBER].id, f"第{n}条",
                                  kind=Kind.PUBLICATION)  # fmt: skip
        await add_failed_delivery(services, a.tenant_id, notice, error="网关无法连接：ConnectError")
    await browser.login(a.users[Role.TENANT_ADMIN])
    first = (await browser.get("/notifications/failed")).text
    assert first.count(shown("The gateway could not be reached.")) == 20
    assert 'href="/notifications/failed?page=2"' in first
    second = (await browser.get("/notifications/failed?page=2")).text
    assert second.count(shown("The gateway could not be reached.")) == 3


def test_every_recorded_error_reads_in_plain_words() -> None:
    generic = "The message could not be sent."
    for error in (
        "网关无法连接：ConnectTimeout", "网关答复 503：busy", "网关答复 401：bad signature",
        "邮箱地址被拒收：x", "邮件服务器未接收：y", "没有配置邮件服务器（SMTP_HOST）",
        "本区已不再配置这个发送渠道",
    ):  # fmt: skip
        assert error_words(error) != generic, error
    assert error_words("网关答复 401：x") != error_words("网关答复 503：x")
    assert error_words("something new") == generic
