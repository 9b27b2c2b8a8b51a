"""通知设置: each account's outside channels per kind, quiet hours and email. Only the
kinds that can reach the account are offered, channels without a gateway are said to
be unavailable, and a bad window or address is refused with nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.i18n import _
from app.main import create_app
from app.notifications.channels.service import GatewayService
from app.notifications.kinds import KINDS, Channel, Kind
from app.notifications.models import NoticePreference
from app.settings import NotifySettings
from app.state import AppServices
from tests.factories import District, World, identity_of
from tests.http.conftest import Browser, shown
from tests.notice_factories import add_gateway
from tests.servers import ServerPair


def label(kind: Kind) -> str:
    return _(KINDS[kind].label)


async def stored(services: AppServices, district: District | None, account: Any) -> Any:
    with tenant_scope(district.tenant_id if district else None):
        async with services.db.session() as session:
            return await session.scalar(
                select(NoticePreference).where(NoticePreference.account_id == account.id)
            )


@pytest.fixture
async def mail_browser(servers: ServerPair) -> AsyncIterator[Browser]:
    """A site with a mail server set up: email is offered."""
    settings = servers.settings()
    app: Litestar = create_app(replace(settings, notify=NotifySettings(smtp_host="127.0.0.1")))
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        yield Browser(client)


def settings_form(**values: str) -> dict[str, str]:
    return {"quiet_start": "22:00", "quiet_end": "07:00"} | values


async def test_each_role_is_offered_the_kinds_that_reach_it(
    browser: Browser, other_browser: Browser, services: AppServices, world: World
) -> None:
    await add_gateway(services, world.a, Channel.WECHAT)
    expected = {
        Role.GRID_WORKER: ({Kind.DIGEST, Kind.SLA_BREACH}, {Kind.WEEKLY_SUMMARY, Kind.SIGNUP}),
        Role.MEMBER: ({Kind.PUBLICATION, Kind.CLAIM_DECIDED}, {Kind.DIGEST, Kind.ROSTER_IMPORT}),
        Role.TENANT_ADMIN: ({Kind.WEEKLY_SUMMARY, Kind.ROSTER_IMPORT}, {Kind.DIGEST}),
    }
    for role, (offered, not_offered) in expected.items():
        async with AsyncTestClient(app=browser.client.app) as client:
            client.follow_redirects = False
            person = Browser(client)
            await person.login(world.a.users[role])
            page = (await person.get("/inbox/settings")).text
        assert all(label(kind) in page for kind in offered), role
        assert not any(label(kind) in page for kind in not_offered), role
        assert shown("WeChat") in page
        missing = f"{_('Text message')}、{_('Email')}"  # no SMS gateway, no mail server
        assert shown("Not available here yet: %(channels)s.", channels=missing) in page
    await other_browser.login(world.operator)
    page = (await other_browser.get("/inbox/settings")).text
    assert (
        shown(
            "Every notice always appears among your notices on this site: nothing to set for "
            "that. Below you choose how else you are told."
        )
        in page
    )
    assert label(Kind.DIGEST) not in page  # the platform has no gateway: nothing to tick
    assert (
        shown(
            "Text messages, WeChat and email are not available here yet: for now your "
            "notices are only on this site."
        )
        in page
        and "<form" not in page.split("<main")[1]
    )


async def test_a_grid_worker_chooses_channels_and_quiet_hours(
    browser: Browser, services: AppServices, world: World
) -> None:
    await add_gateway(services, world.a, Channel.SMS)
    await add_gateway(services, world.a, Channel.WECHAT)
    worker = world.a.users[Role.GRID_WORKER]
    await browser.login(worker)
    page = (await browser.get("/inbox/settings")).text
    assert 'name="digest.wechat" value="1" checked' in page  # the kind's default
    assert 'name="digest.sms" value="1">' in page
    assert 'value="22:00"' in page and 'value="07:00"' in page
    assert 'name="email"' not in page  # no mail server on this site

    saved = await browser.post("/inbox/settings", settings_form(
        **{"digest.sms": "1", "sla_breach.wechat": "1"}, quiet_start="21:30", quiet_end="6:30"
    ))  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == "/inbox/settings"
    choice = await stored(services, world.a, worker)
    assert choice.channels["digest"] == ["sms"] and choice.channels["sla_breach"] == ["wechat"]
    assert (choice.quiet_start, choice.quiet_end) == (time(21, 30), time(6, 30))
    assert "weekly_summary" not in choice.channels  # not offered: keeps its default
    page = (await browser.get("/inbox/settings")).text
    assert 'name="digest.sms" value="1" checked' in page and 'value="21:30"' in page
    assert shown("Notice settings saved.") in page


async def test_a_channel_without_a_gateway_keeps_its_choice(
    browser: Browser, services: AppServices, world: World
) -> None:
    """SMS was chosen while the district had a gateway; with it gone, saving the page
    (where SMS cannot be ticked) leaves SMS chosen for when it comes back."""
    await add_gateway(services, world.a, Channel.SMS)
    admin = world.a.users[Role.TENANT_ADMIN]
    await browser.login(admin)
    await browser.post("/inbox/settings", settings_form(**{"weekly_summary.sms": "1"}))
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await GatewayService(session, services.cipher).remove(
                await identity_of(services, world.a.tenant_id, admin.id), Channel.SMS
            )
    await browser.post("/inbox/settings", settings_form())
    # Email, the kind's default, could not be ticked either (no mail server): kept too.
    assert (await stored(services, world.a, admin)).channels["weekly_summary"] == ["email", "sms"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end",
         "Quiet hours must end at another time than they start."),
        ({"quiet_start": "25:00"}, "quiet_start",
         "Give the time of day as hours:minutes, for example 22:00."),
        ({"quiet_end": "早上七点"}, "quiet_end",
         "Give the time of day as hours:minutes, for example 22:00."),
        ({"quiet_start": ""}, "quiet_start",
         "Give the time of day as hours:minutes, for example 22:00."),
    ],
)  # fmt: skip
async def test_quiet_hours_that_are_not_a_time_range_are_refused(
    browser: Browser,
    services: AppServices,
    world: World,
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    await add_gateway(services, world.a, Channel.SMS)  # quiet hours matter
    member = world.a.users[Role.MEMBER]
    await browser.login(member)
    refused = await browser.post("/inbox/settings", settings_form(**values))
    assert refused.status_code == 422
    assert shown("Please correct the marked fields.") in refused.text
    assert f'id="e-{field}">{shown(message)}<' in refused.text
    assert await stored(services, world.a, member) is None


async def test_email_is_offered_with_a_mail_server_and_checked(
    mail_browser: Browser, services: AppServices, world: World
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    await mail_browser.login(admin)
    page = (await mail_browser.get("/inbox/settings")).text
    assert 'name="email"' in page and 'name="weekly_summary.email" value="1" checked' in page
    for email, message in (
        ("", "Please enter your email address, or untick email."),
        ("not-an-address", "Please enter an email address like name@example.com."),
        ("a@b", "Please enter an email address like name@example.com."),
    ):
        refused = await mail_browser.post(
            "/inbox/settings", settings_form(email=email, **{"weekly_summary.email": "1"})
        )
        assert refused.status_code == 422 and shown(message) in refused.text, email
        assert await stored(services, world.a, admin) is None
    saved = await mail_browser.post(
        "/inbox/settings",
        settings_form(email="ｗａｎｇ＠example.com", **{"weekly_summary.email": "1"}),
    )
    assert saved.status_code == 303
    assert (await stored(services, world.a, admin)).email == "wang@example.com"


async def test_a_provincial_viewer_saves_platform_settings(
    browser: Browser, services: AppServices, world: World
) -> None:
    viewer = world.viewer_37
    await browser.login(viewer)
    assert (
        await browser.post("/inbox/settings", settings_form(quiet_end="08:00"))
    ).status_code == 303
    choice = await stored(services, None, viewer)
    assert choice.tenant_id is None and choice.quiet_end == time(8)
