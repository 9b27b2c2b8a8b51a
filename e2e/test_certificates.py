"""The certificate's "done when": a volunteer (a member account) opens their record from
the menu, issues a certificate for a period and downloads its PDF; someone else, not
logged in, types its number into the public check and sees it is genuine; the admin
revokes it from the person's page and the public check then says so — on a desktop
and a phone."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any
from uuid import UUID

from playwright.async_api import expect
from pypdf import PdfReader

from app.core import clock
from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.certificates import add_activity, add_team, issue
from tests.factories import District, World, identity_of, make_points_roster

START = clock.today() - timedelta(days=45)


async def volunteer_hours(services: AppServices, district: District, person: UUID) -> None:
    """Two activities of a team with the person's hours (5.5 in all)."""
    team = await add_team(services, district, "幸福社区志愿服务队")
    await add_activity(services, district, team, START + timedelta(days=3), {person: "3.5"})
    await add_activity(services, district, team, START + timedelta(days=10), {person: "2"},
                       description="为独居老人打扫卫生", place="和平里小区")  # fmt: skip


async def certificate_pages(
    services: AppServices, district: District, person: UUID
) -> dict[str, Any]:
    """For the page tour: the person's hours and a certificate the admin issued them."""
    await volunteer_hours(services, district, person)
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    return {"code": (await issue(services, admin, person, START, clock.today())).code}


async def test_a_volunteer_downloads_a_certificate_and_anyone_checks_it(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    points = await make_points_roster(services, district)  # the member is 党员甲
    await volunteer_hours(services, district, points.member_a)

    page = await (await new_context()).new_page()
    await log_in(page, district.users[Role.MEMBER])
    await open_from_menu(page, "我的志愿")
    await expect(page.get_by_role("heading", level=1, name="我的志愿服务")).to_be_visible()
    await expect(page.get_by_text("为独居老人打扫卫生")).to_be_visible()
    await shoot(page, "certificates-1-record")
    form = page.locator("#issue")
    await form.get_by_label("开始日期").fill(START.isoformat())
    await form.get_by_label("结束日期").fill(clock.today().isoformat())
    await form.get_by_role("button", name="开具证明").click()
    await expect(page.get_by_text("证明已开具")).to_be_visible()
    code = (await page.locator("#certificates .vc-code").first.inner_text()).strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    await shoot(page, "certificates-2-issued")

    async with page.expect_download() as info:
        await page.get_by_role("link", name="下载证明（PDF）").click()
    download = await info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO((await download.path()).read_bytes()))
    text = "".join("".join(p.extract_text().split()) for p in pdf.pages)
    for wanted in ("志愿服务记录证明", "党员甲", "5.5", code, district.name, "/verify/"):
        assert wanted in text, wanted

    # Anyone, not logged in (a fresh browser: the QR scanned in WeChat lands here).
    public = await (await new_context()).new_page()
    await public.goto("/verify")
    await expect(public.get_by_role("navigation", name="主菜单")).to_have_count(0)
    await public.get_by_label("证明编号").fill(code.lower().replace("-", " "))
    await public.get_by_role("button", name="查验").click()
    await expect(public.get_by_text("这份证明真实有效")).to_be_visible()
    await expect(public.get_by_text("党*甲")).to_be_visible()
    await expect(public.get_by_text(district.name)).to_be_visible()
    assert await public.get_by_text("党员甲").count() == 0
    await shoot(public, "certificates-3-check")
    checked = public.url

    # The admin revokes it from the person's page.
    admin = await (await new_context()).new_page()
    await log_in(admin, district.users[Role.TENANT_ADMIN])
    await admin.goto(f"/people/{points.member_a}")
    await admin.locator("#main").get_by_role("link", name="志愿服务", exact=True).click()
    await expect(admin.get_by_role("heading", level=1, name="党员甲的志愿服务")).to_be_visible()
    await admin.get_by_text("作废这份证明").click()
    await admin.get_by_role("button", name="作废", exact=True).click()
    await expect(admin.get_by_text("请填写作废的原因")).to_be_visible()  # nothing typed
    await admin.get_by_text("作废这份证明").click()
    await admin.get_by_label("作废原因").fill("时段开错，重新开具")
    await admin.get_by_role("button", name="作废", exact=True).click()
    await expect(admin.get_by_text("证明已作废。")).to_be_visible()
    await expect(admin.locator("#certificates").get_by_text("已作废", exact=True)).to_be_visible()
    await shoot(admin, "certificates-4-revoked")

    await public.goto(checked)
    await expect(public.get_by_text("这份证明已于")).to_be_visible()
    await expect(public.get_by_text("不再有效")).to_be_visible()
    await shoot(public, "certificates-5-check-revoked")
