"""After-care and the care card in a browser: a branch secretary prints the branch's care
cards as ONE PDF (a report: its page shows the progress, then the download; wallet
size, then A6: the file has the pages it should), records a
member's death and the help given; a member opens their own card on the phone and
finds the grid worker to call — on a desktop and a Pixel 7."""

from __future__ import annotations

import io
import re

from playwright.async_api import expect
from pypdf import PdfReader

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.factories import World, add_person, make_points_roster

BUILT_WITHIN = 90_000
"""ms: the worker's first PDF loads WeasyPrint and the fonts (seconds on a busy machine)."""


async def test_a_branch_prints_its_care_cards_as_one_pdf_and_records_a_death(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    points = await make_points_roster(services, district)
    for name in ("王德顺", "刘桂英", "陈志远", "赵淑珍"):
        await add_person(services, district, name, points.roster.branch_1, phone="13905310001")
    page = await (await new_context()).new_page()
    await log_in(page, district.users[Role.BRANCH_SECRETARY])
    await page.goto("/care/cards")
    await expect(page.get_by_role("heading", level=1, name="亲情服务卡")).to_be_visible()
    listed = await page.locator(".cc-member").count()
    assert listed == 8, listed  # 第一支部: 甲一号, 党员甲, 党员乙, 老党员丙 and the four added
    await page.get_by_role("link", name="钱包卡（银行卡大小），一张A4纸十张").click()
    await expect(page.locator(".chip--on")).to_have_text("钱包卡（银行卡大小），一张A4纸十张")
    await shoot(page, "care-cards-1-list")
    wallet = await print_the_branch(page, shoot, "wallet")
    sheets = PdfReader(io.BytesIO(wallet))
    assert len(sheets.pages) == 1  # up to ten cards a sheet
    text = "".join("".join(p.extract_text().split()) for p in sheets.pages)
    assert "王德顺" in text and "赵淑珍" in text and "亲情服务卡" in text

    await page.get_by_role("link", name="← 亲情服务卡").click()
    await page.get_by_role("link", name="A6大卡，一页一张").click()
    await expect(page.locator(".chip--on")).to_have_text("A6大卡，一页一张")
    a6 = PdfReader(io.BytesIO(await print_the_branch(page, shoot, "a6")))
    assert len(a6.pages) == listed  # one card a page
    await page.get_by_role("link", name="← 亲情服务卡").click()

    await page.get_by_role("link", name="党员甲").click()
    await expect(page.get_by_role("heading", level=1, name="党员甲的亲情服务卡")).to_be_visible()
    await expect(page.locator(".cc__call").first).to_have_attribute(
        "href", f"tel:{district.users[Role.GRID_WORKER].phone}"
    )
    await shoot(page, "care-cards-2-card")

    # A death: the form, the help, the year's list.
    await page.get_by_role("navigation", name="关怀").get_by_role("link", name="善后").click()
    await page.get_by_role("link", name="登记去世").click()
    await page.get_by_label("姓名、拼音或电话").fill("王德顺")
    await page.get_by_role("button", name="查找").click()
    await page.get_by_role("link", name="王德顺").click()
    await page.get_by_label("去世日期").fill(
        clock.today().replace(year=clock.today().year + 1).isoformat()
    )
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_text("去世日期不能晚于今天。").first).to_be_visible()
    await page.get_by_label("去世日期").fill(clock.today().isoformat())
    await page.get_by_label("去世原因（知道的话）").fill("心力衰竭")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_text("已登记去世")).to_be_visible()
    await page.get_by_label("给了什么、做了什么").fill("慰问金")
    await page.get_by_label("由谁给的").fill("区局")
    await page.get_by_label("慰问金（元，没有可不填）").fill("1300")
    await page.get_by_role("button", name="添加").click()
    await expect(page.get_by_text("已登记帮助。")).to_be_visible()
    await expect(page.locator("#help").get_by_text("1,300.00 元")).to_be_visible()
    await shoot(page, "care-after-1-case")
    await page.get_by_role("link", name="← 善后").click()
    await expect(page.get_by_role("link", name="王德顺")).to_be_visible()
    await shoot(page, "care-after-2-list")


async def print_the_branch(page, shoot, size: str) -> bytes:  # type: ignore[no-untyped-def]
    """The branch's button asks for a report: its page shows the progress, then the
    file (the live server's worker makes it)."""
    await page.get_by_role("button", name="打印第一支部全部（一个PDF）").click()
    await page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    title = page.get_by_role("heading", level=1, name="亲情服务卡（整个支部）")
    await expect(title).to_be_visible()
    await shoot(page, f"care-cards-{size}-report")
    download = page.locator("#progress").get_by_role("link", name="下载报表")
    await expect(download).to_be_visible(timeout=BUILT_WITHIN)
    await shoot(page, f"care-cards-{size}-ready")
    async with page.expect_download(timeout=30_000) as info:
        await download.click()
    assert (await info.value).suggested_filename == (
        f"亲情服务卡-第一支部-{'钱包卡' if size == 'wallet' else 'A6'}.pdf"
    )
    content = (await (await info.value).path()).read_bytes()
    assert content.startswith(b"%PDF")
    return content


async def test_a_member_sees_their_care_card_on_the_phone(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    await make_points_roster(services, district)  # the member is 党员甲, in the worker's grid
    worker = district.users[Role.GRID_WORKER]
    page = await (await new_context()).new_page()
    await log_in(page, district.users[Role.MEMBER])
    await open_from_menu(page, "我的亲情服务卡")
    await expect(page.get_by_role("heading", level=1, name="我的亲情服务卡")).to_be_visible()
    call = page.get_by_role("link", name=f"拨打 {worker.phone}")
    await expect(call).to_have_attribute("href", f"tel:{worker.phone}")
    box = await call.bounding_box()
    assert box is not None and box["height"] >= 48
    await expect(page.get_by_role("link", name="拨打 13700001111")).to_be_visible()  # the secretary
    await expect(page.get_by_role("img", name=f"扫码拨打{worker.name}的电话")).to_be_visible()
    await shoot(page, "care-cards-3-mine")
