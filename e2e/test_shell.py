"""The frame every page shares, as people use it on a phone (a Pixel 7) and a desktop:
a compact header and the menu within the thumb's reach, the language on the account
page, a form that shows it is sending on a slow network, a save that lands on the next
page (not inside the form), and downloads that download."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Page, expect

from app.core.roles import Role
from app.state import AppServices
from e2e.conftest import NETWORK_DROPPED
from e2e.test_pages import log_in, open_from_menu
from tests.factories import World, make_points_roster

BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.height]; }"


async def slow_network(page: Page) -> Any:
    """A phone inside WeChat on a weak 3G link."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 1500,
            "downloadThroughput": 50_000,
            "uploadThroughput": 50_000,
        },
    )
    return cdp


async def test_header_menu_language_sending_and_downloads(
    new_context,
    shoot,
    console_errors,
    device: dict[str, Any],
    world: World,
    services: AppServices,
) -> None:  # type: ignore[no-untyped-def]
    points = await make_points_roster(services, world.a)
    phone = device["name"] == "pixel7"

    # A grid worker's menu: six places (关怀 joined in issue 15) in one row; on a phone
    # four and 更多, at the foot of the screen.
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    menu = worker.get_by_role("navigation", name="主菜单")
    links = menu.locator("a:visible")
    await expect(links).to_have_count(4 if phone else 6)
    tops = {round((await link.evaluate(BOX))[0]) for link in await links.all()}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows"
    header_box = await worker.locator(".site-header__inner").evaluate(BOX)
    menu_box = await menu.evaluate(BOX)
    height = worker.viewport_size["height"]
    if phone:
        assert header_box[2] <= 64, f"the header takes {header_box[2]}px"
        assert menu_box[1] >= height - 1, "the menu is not at the foot of the screen"
        assert menu_box[2] <= 72
    else:
        assert header_box[2] + menu_box[2] <= 130
    # The page's main action: on a phone under the thumb, above the menu.
    action = worker.locator("main .button--main")
    await expect(action).to_have_text(re.compile("记录走访"))
    action_box = await action.evaluate(BOX)
    if phone:
        assert height * 2 / 3 <= action_box[0] and action_box[1] <= menu_box[0], action_box
    else:
        assert action_box[1] <= 300
    await shoot(worker, "shell-1-worker")

    # The request form on a link that drops: the worker is told, and nothing typed is lost.
    await worker.goto(f"/requests/new?person={points.member_b}")
    await worker.locator("label", has_text="水（漏水、停水）").click()
    await worker.locator("textarea[name='description']").fill("厨房水管漏水")
    await worker.context.set_offline(True)
    console_errors.forgive(*NETWORK_DROPPED)
    send = worker.locator("form[action='/requests'] button[type='submit']")
    await send.click()
    await expect(worker.get_by_text("网络没有响应")).to_be_visible()
    await expect(send).to_be_enabled()  # it can be sent again
    await shoot(worker, "shell-1b-request-offline")
    await worker.context.set_offline(False)
    await send.click()
    await expect(worker.locator("main")).to_contain_text("厨房水管漏水")
    await expect(worker.locator(".flash--success")).to_be_visible()
    # Back to the form: usable again, not frozen in the middle of sending.
    await worker.go_back()
    await expect(send).to_have_text("登记")
    await expect(send).to_be_enabled()

    # The administrator's eight places: on a phone four and 更多.
    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    menu = admin.get_by_role("navigation", name="主菜单")
    if phone:
        await expect(menu.locator("a:visible")).to_have_count(4)
        await menu.get_by_text("更多").click()
        await shoot(admin, "shell-2-admin-more")
    else:
        await expect(menu.get_by_text("更多")).to_be_hidden()
    await open_from_menu(admin, "操作记录")
    await expect(admin.get_by_role("heading", name="操作记录")).to_be_visible()

    # The language is chosen on the account page, reached through one's name; the
    # footer, where a thumb rests, has no switch.
    await expect(admin.locator("footer").get_by_role("button")).to_have_count(0)
    await (
        admin.locator(".site-header")
        .get_by_role("link", name=world.a.users[Role.TENANT_ADMIN].name)
        .click()
    )
    await expect(admin.get_by_role("heading", name="我的账号")).to_be_visible()
    await shoot(admin, "shell-3-account")
    await admin.get_by_role("button", name="English").click()
    await expect(admin.get_by_role("heading", name="My account")).to_be_visible()
    await admin.get_by_role("button", name="中文").click()
    await expect(admin.get_by_role("heading", name="我的账号")).to_be_visible()
    await admin.goto("/dashboard?lang=en")  # a link may carry the language
    await expect(admin.get_by_role("navigation", name="Main menu")).to_be_visible()
    await admin.goto("/dashboard")
    await expect(admin.get_by_role("navigation", name="Main menu")).to_be_visible()
    await admin.goto("/account?lang=zh_CN")

    # Saving on a weak link: the button says so at once and cannot be tapped twice;
    # then the person's page, not a page inside the form.
    await admin.goto(f"/people/{points.member_a}/edit")
    save = admin.locator("#person_form button[type='submit']")
    cdp = await slow_network(admin)
    await save.click()
    await expect(save).to_be_disabled()
    await expect(save).to_have_text("正在保存…")
    await shoot(admin, "shell-4-saving")
    await cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    })  # fmt: skip
    await expect(admin).to_have_url(re.compile(rf"/people/{points.member_a}$"))
    await expect(admin.locator(".flash--success")).to_contain_text("已保存")
    await expect(admin.locator(".site-header")).to_have_count(1)
    await expect(admin.locator("#person_form")).to_have_count(0)

    # The branch ledger's spreadsheet: asked for from the ledger, made by the worker,
    # downloaded from the report's page, which stays as it was.
    await admin.goto(f"/points/ledger/{points.roster.branch_1}")
    await admin.get_by_role("button", name="下载 Excel").click()
    ready = admin.locator("#progress").get_by_role("link", name=re.compile("^下载"))
    await expect(ready).to_be_visible(timeout=30_000)
    async with admin.expect_download() as download:
        await ready.click()
    assert (await download.value).suggested_filename.endswith(".xlsx")
    await expect(admin.locator("#progress")).to_be_visible()
