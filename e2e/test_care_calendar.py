"""The care calendar's "done when": a branch secretary opens care from the menu, sees
the month's political birthdays, round birthdays and golden weddings, then prints the
collective birthday party list of their branch and downloads it as an A4 PDF — on a
desktop and a phone."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from playwright.async_api import expect
from pypdf import PdfReader

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.factories import District, add_person, make_points_roster


def this_month_day(day: int, years_ago: int) -> date:
    today = clock.today()
    return date(today.year - years_ago, today.month, day)


async def care_people(services: AppServices, district: District) -> dict[str, Any]:
    """The secretary's branch (第一支部) with this month's occasions; for the tour too."""
    points = await make_points_roster(services, district)
    branch = points.roster.branch_1
    await add_person(services, district, "寿星周", branch, birth_date=this_month_day(9, 90))
    await add_person(services, district, "寿星吴", branch, birth_date=this_month_day(20, 77))
    other = date(1931, clock.today().month % 12 + 1, 3)  # born in another month
    await add_person(services, district, "老党员郑", branch, birth_date=other,
                     party_member=True, party_joined_on=this_month_day(26, 60))  # fmt: skip
    await add_person(services, district, "金婚王", branch, birth_date=other.replace(year=1950),
                     married_on=this_month_day(12, 50))  # fmt: skip
    return {"branch": points.roster.branch_1}


async def test_a_secretary_prints_the_birthday_party_list(
    new_context, shoot, world: Any, services: AppServices, device: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    await care_people(services, district)
    context = await new_context()
    # The print dialog is the browser's: counted here instead of opened.
    await context.add_init_script("window.print = () => { window.__printed = true; };")
    page = await context.new_page()
    await log_in(page, district.users[Role.BRANCH_SECRETARY])
    await open_from_menu(page, "关怀")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("关怀日历")
    await expect(page.get_by_text("90 岁整寿")).to_be_visible()
    await expect(page.get_by_text("入党 60 周年")).to_be_visible()
    await expect(page.get_by_text("金婚", exact=False).first).to_be_visible()
    await shoot(page, "care-1-calendar")

    await page.get_by_role("navigation", name="关怀").get_by_role("link", name="集体生日会").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("集体生日会")
    rows = page.locator(".care-party tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("寿星周")
    await expect(rows.first).to_contain_text("整寿")
    await expect(page.get_by_text("老党员郑")).to_have_count(0)
    await shoot(page, "care-2-birthday-party")

    await page.get_by_role("button", name="打印").click()
    assert await page.evaluate("window.__printed === true")
    await page.emulate_media(media="print")
    await expect(page.get_by_role("button", name="打印")).to_be_hidden()
    await expect(rows.first).to_be_visible()
    await shoot(page, "care-3-printed")
    await page.emulate_media(media="screen")

    async with page.expect_download(timeout=30_000) as info:  # a PDF set on a busy machine
        await page.get_by_role("link", name="下载 PDF（A4 纸）").click()
    download = await info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO((await download.path()).read_bytes()))
    text = "".join("".join(p.extract_text().split()) for p in pdf.pages)
    for wanted in ("集体生日会名单", "寿星周", "寿星吴", "整寿", "第一支部", district.name):
        assert wanted in text, wanted
    assert "老党员郑" not in text
    # The page is still there after the download (htmx did not swallow the file).
    await expect(page.get_by_role("heading", level=1)).to_contain_text("集体生日会")
