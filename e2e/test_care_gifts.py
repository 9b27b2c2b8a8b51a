"""Political birthdays in a browser (desktop and Pixel 7): a grid worker finds this
week's political birthdays, ticks a member's five gifts one tap each (htmx swaps only
the gifts), is told a gift cannot be ticked twice, takes a tick back, records a mobile
member's parcel (refused without its tracking number), and sees the year's figures —
and, with JavaScript off, a tick still saves."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.state import AppServices
from e2e.test_pages import log_in
from tests.care_gifts import make_gifts_roster
from tests.factories import World

GIFTS = ("贺卡", "党徽", "红色书籍", "光荣牌", "祝福微信/短信")


async def test_a_grid_worker_ticks_political_birthday_gifts(
    new_context, shoot, chromium, live_server: str, world: World, services: AppServices,
    owner_db: Database, device: dict[str, Any],
) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    roster = await make_gifts_roster(services, world.a)
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    await worker.goto("/care/political-birthdays")
    years = clock.today().year - 1975
    row = worker.locator("li.pb-row", has_text="王建国")
    await expect(row).to_contain_text(f"入党 {years} 周年")
    await expect(row).to_contain_text("已送 0 件，共 5 件")
    await expect(worker.locator("li.pb-row", has_text="孙立")).to_have_count(0)  # another grid
    await shoot(worker, "gifts-1-list")

    await row.locator("a").click()
    await expect(worker.locator("h1")).to_contain_text("王建国的政治生日")
    await shoot(worker, "gifts-2-member")
    gifts = worker.locator("#gifts")
    for number, gift in enumerate(GIFTS, start=1):
        await gifts.get_by_role("button", name=gift).click()
        await expect(gifts).to_contain_text(f"已给王建国送达{gift}")
        await expect(gifts.locator(".pb-count")).to_contain_text(f"已送 {number} 件")
    await expect(gifts.locator("li.pb-gift--done")).to_have_count(5)
    await shoot(worker, "gifts-3-all-five")

    # A correction: the plate's tick taken back, then ticked again.
    plate = gifts.locator("li.pb-gift", has_text="光荣牌")
    await plate.get_by_role("button", name=re.compile("撤销")).click()
    await expect(gifts).to_contain_text("已撤销光荣牌的送达记录")
    await expect(gifts.locator("li.pb-gift--done")).to_have_count(4)
    await gifts.get_by_role("button", name=re.compile("光荣牌")).click()
    await expect(gifts.locator("li.pb-gift--done")).to_have_count(5)

    # A gift ticked twice: a second phone still shows the card as not given.
    stale = await (await new_context()).new_page()
    await log_in(stale, world.a.users[Role.GRID_WORKER])
    await stale.goto(f"/care/political-birthdays/{roster.zhao}")
    await worker.goto(f"/care/political-birthdays/{roster.zhao}")
    await worker.locator("#gifts").get_by_role("button", name=re.compile("贺卡")).click()
    await expect(worker.locator("#gifts")).to_contain_text("已给赵志刚送达贺卡")
    await stale.locator("#gifts").get_by_role("button", name=re.compile("贺卡")).click()
    await expect(stale.locator("#gifts .form-error")).to_contain_text("贺卡已经送给赵志刚了")
    await expect(stale.locator("#gifts li.pb-gift--done")).to_have_count(1)
    await shoot(stale, "gifts-3b-twice")

    # A mobile member's parcel: the tracking number is required.
    await worker.goto(f"/care/political-birthdays/{roster.zhao}")
    post = worker.locator("section.pb-post")
    await post.get_by_label("党徽").check()
    await post.get_by_label("红色书籍").check()
    await post.get_by_role("button", name="登记邮寄").click()
    await expect(worker.locator(".field__error")).to_contain_text("请填写快递单号")
    await shoot(worker, "gifts-4-parcel-refused")
    await worker.locator("section.pb-post").get_by_label("快递单号").fill("SF 1402 3668 5792")
    await worker.locator("section.pb-post").get_by_role("button", name="登记邮寄").click()
    await expect(worker.locator(".flash--success")).to_contain_text("已登记寄给赵志刚的包裹")
    await expect(worker.locator("#gifts")).to_contain_text("快递单号 SF140236685792")
    await expect(worker.locator("#gifts li.pb-gift--done")).to_have_count(3)
    await shoot(worker, "gifts-5-parcel")

    await worker.goto("/care/political-birthdays")
    await expect(worker.locator("li.pb-row", has_text="王建国")).to_contain_text("已送 5 件")
    figures = worker.locator(".pb-figures")
    await expect(figures.locator(".tile", has_text="五件都已送")).to_contain_text("1")
    await expect(figures.locator(".tile", has_text="送了一部分")).to_contain_text("1")

    # Without JavaScript (a locked-down WeChat): the form posts and the page comes back.
    options = {k: v for k, v in device.items() if k != "name"}
    plain = await chromium.new_context(base_url=live_server, java_script_enabled=False,
                                       **options)  # fmt: skip
    page = await plain.new_page()
    await log_in(page, world.a.users[Role.GRID_WORKER])
    await page.goto(f"/care/political-birthdays/{roster.zhao}")
    await page.locator("#gifts").get_by_role("button", name="祝福微信").click()
    await expect(page.locator(".flash--success")).to_contain_text("已给赵志刚送达祝福微信/短信")
    await expect(page.locator("#gifts li.pb-gift--done")).to_have_count(4)
    await shoot(page, "gifts-6-no-javascript")
    await plain.close()
