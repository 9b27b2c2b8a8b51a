"""The notification issue's "done when" for the inbox, on a Pixel 7 (and the desktop
run as well): a grid worker sees the morning digest in the inbox with the unread count
in the header, opens it and lands on the due list, and the count drops; a notice that
arrives while the page is open shows in the header when htmx asks again. Then the
settings and, as the district admin, the gateways and the failed messages — each
screenshotted for a person to look at."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from app.core.roles import Role
from app.notifications.kinds import Channel, Kind
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import World
from tests.notice_factories import add_failed_delivery, add_gateway, add_notice


async def test_a_grid_worker_opens_the_morning_digest_from_the_inbox(
    new_context, shoot, world: World, services: AppServices, device: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    worker = district.users[Role.GRID_WORKER]
    await add_notice(services, district.tenant_id, worker.id, "诉求已超时，请尽快处理",
                     kind=Kind.SLA_BREACH, link="/requests")  # fmt: skip
    await add_notice(services, district.tenant_id, worker.id, "今天有3户到期要走访，1户已逾期",
                     link="/grid", body="逾期1户，今天到期3户。请查看待走访名单。")  # fmt: skip
    page = await (await new_context()).new_page()
    await log_in(page, worker)
    await expect(page).to_have_url(re.compile(r"/grid/?$"))
    header = page.locator("#unread")
    await expect(header).to_contain_text("通知")
    await expect(header.locator(".inbox-link__count")).to_have_text("2")
    await shoot(page, "inbox-0-count-in-the-header")

    await header.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/inbox$"))
    digest = page.locator(".inbox-item", has_text="今天有3户到期要走访")
    await expect(digest).to_contain_text("未读")
    await shoot(page, "inbox-1-the-list")

    await digest.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/grid$"))
    await expect(page.locator("#unread .inbox-link__count")).to_have_text("1")

    # A notice written while the page is open: htmx asks for the count again (every
    # minute, and at once when the page is shown again — as here).
    await add_notice(services, district.tenant_id, worker.id, "您的积分申报已通过",
                     kind=Kind.CLAIM_DECIDED, link="/points/claims")  # fmt: skip
    await page.evaluate("document.body.dispatchEvent(new CustomEvent('visible-again'))")
    await expect(page.locator("#unread .inbox-link__count")).to_have_text("2")

    await page.goto("/inbox")
    await page.get_by_role("button", name="全部标为已读").click()
    await expect(page.locator(".inbox-item__state")).to_have_count(0)
    await expect(page.locator("#unread .inbox-link__count")).to_have_count(0)
    await shoot(page, "inbox-2-all-read")

    await add_gateway(services, district, Channel.SMS)
    await page.goto("/inbox/settings")
    await expect(page.locator("h1")).to_have_text("通知设置")
    await page.locator("label.choice", has_text="短信").first.click()  # the morning list
    await page.locator("#f-quiet_start").fill("22:00")
    await page.locator("#f-quiet_end").fill("22:00")
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator("#e-quiet_end")).to_contain_text("开始和结束时间不能相同")
    await shoot(page, "inbox-3-settings-refused")
    await page.locator("#f-quiet_end").fill("07:30")
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator(".flash--success")).to_contain_text("通知设置已保存")
    await shoot(page, "inbox-4-settings")


async def test_the_admin_sets_a_gateway_and_sends_a_failed_message_again(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    admin = district.users[Role.TENANT_ADMIN]
    weekly = await add_notice(services, district.tenant_id, admin.id, "本周工作小结",
                              kind=Kind.WEEKLY_SUMMARY, link="/dashboard",
                              body="走访126次，逾期4户；诉求9件，按时办结8件。")  # fmt: skip
    await add_failed_delivery(services, district.tenant_id, weekly, channel=Channel.WECHAT,
                              error="网关无法连接：ConnectTimeout")  # fmt: skip
    page = await (await new_context()).new_page()
    await log_in(page, admin)
    await page.goto("/inbox")
    await page.get_by_role("link", name="短信和微信发送通道").click()
    wechat = page.locator("section", has=page.get_by_role("heading", name="微信"))
    await wechat.get_by_label("通道地址").fill("ftp://wx.example.com/")
    await wechat.get_by_label("密钥").fill("wx-secret-0123456789")
    await wechat.get_by_role("button", name="保存").click()
    await expect(wechat.locator(".field__error")).to_contain_text("https://")
    await shoot(page, "gateway-0-refused")
    await wechat.get_by_label("通道地址").fill("https://wx.example.com/send")
    await wechat.get_by_label("密钥").fill("wx-secret-0123456789")
    await wechat.get_by_role("button", name="保存").click()
    await expect(page.locator(".flash--success")).to_contain_text("微信通道已保存")
    await expect(page.locator("main")).not_to_contain_text("wx-secret-0123456789")
    await expect(wechat.locator(".tag--ok")).to_have_text("已设置")
    await shoot(page, "gateway-1-saved")

    await page.goto("/notifications/failed")
    row = page.locator("tr", has_text="本周工作小结")
    await expect(row).to_contain_text("连不上发送通道")
    await shoot(page, "failed-0-listed")
    await row.get_by_role("button", name="重新发送").click()
    await expect(page.locator(".flash--success")).to_contain_text("正在重新发送")
    await expect(page.locator("tr", has_text="本周工作小结")).to_have_count(0)
