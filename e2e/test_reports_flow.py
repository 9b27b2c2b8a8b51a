"""The reports' "done when": a district admin asks for the quarterly points report as
.xlsx from the reports page, watches its progress on the report's page (htmx asks
again every 2 seconds; the worker builds it), downloads it, and the test reads the
file back and checks its figures against the ledger — on a desktop and a phone."""

from __future__ import annotations

import re

from playwright.async_api import expect
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import select, text

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.models import RuleItem
from app.points.periods import quarter_of
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.factories import World, identity_of, make_points_roster, unit_per_call

WORKER_TIMEOUT = 30_000  # ms: the worker polls its queue every half second


async def test_admin_makes_and_downloads_the_quarterly_points_report(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    points = await make_points_roster(services, district)
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            items = {i.code: i.id for i in (await session.scalars(select(RuleItem))).all()}
        claims = unit_per_call(services.db, ClaimService)
        for person, code in ((points.member_a, "XX-01"), (points.member_a, "FH-01"),
                             (points.member_b, "XX-01"), (points.member_d, "FH-01")):  # fmt: skip
            await claims.award(admin, ClaimForm(person, items[code], clock.today(), "1", "学习"))

    page = await (await new_context()).new_page()
    await log_in(page, district.users[Role.TENANT_ADMIN])
    await open_from_menu(page, "报表")
    await expect(page.get_by_role("heading", name="报表", exact=True)).to_be_visible()
    await shoot(page, "reports-1-ask")
    card = page.locator("form", has=page.get_by_role("heading", name="全区季度积分报表"))
    await expect(card.get_by_label("季度")).to_have_value(quarter_of(clock.today()).key)
    await card.get_by_role("button", name="生成Excel表格").click()

    # The report's page: waiting or being made, then ready — without reloading.
    await page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    await expect(page.get_by_role("heading", level=1, name="全区季度积分报表")).to_be_visible()
    address = page.url
    progress = page.locator("#progress")
    await expect(progress).to_be_visible()
    await shoot(page, "reports-2-progress")
    download_link = progress.get_by_role("link", name="下载报表")
    await expect(download_link).to_be_visible(timeout=WORKER_TIMEOUT)
    assert page.url == address  # the block replaced itself; the page stayed
    await expect(progress).not_to_have_attribute("hx-trigger", re.compile("."))
    await shoot(page, "reports-3-ready")

    async with page.expect_download() as info:
        await download_link.click()
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert district.name in download.suggested_filename
    book = CalamineWorkbook.from_path(str(await download.path()))
    assert book.sheet_names == ["汇总", "第一支部", "第二支部"]

    period = quarter_of(clock.today())
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            ledger = dict(
                (
                    await session.execute(
                        text(
                            "select p.name, sum(e.points)::float from point_events e"
                            " join people p on p.tenant_id = e.tenant_id and p.id = e.person_id"
                            " where e.occurred_on between :first and :last group by p.name"
                        ),
                        {"first": period.start, "last": period.end},
                    )
                ).all()
            )
    first = book.get_sheet_by_name("第一支部").to_python()
    ranked = {row[1]: row[-1] for row in first if isinstance(row[0], float)}
    assert ranked == {"党员甲": ledger["党员甲"], "党员乙": ledger["党员乙"]}
    summary = {row[0]: row for row in book.get_sheet_by_name("汇总").to_python() if row[0]}
    assert summary["第一支部"][1] == 2 and summary["第一支部"][-1] == 1  # 老党员丙 apart
    assert summary["第二支部"][5] == ledger["党员丁"]  # the highest score
    assert summary["合计"][1] == 3

    # Back to the list; the branch's report as PDF; the keeping time.
    await page.get_by_role("link", name="全部报表").click()
    listed = page.get_by_role("link", name=re.compile("全区季度积分报表"))
    await expect(listed).to_be_visible()
    await expect(page.locator(".report-list")).to_contain_text("已生成")
    await shoot(page, "reports-4-list")
    card = page.locator("form", has=page.get_by_role("heading", name="支部季度积分报表"))
    await card.get_by_label("支部").select_option(label="第一支部")
    await card.get_by_role("button", name="生成PDF打印版").click()
    await page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    pdf_link = page.locator("#progress").get_by_role("link", name="下载报表")
    await expect(pdf_link).to_be_visible(timeout=WORKER_TIMEOUT)
    await shoot(page, "reports-5-pdf-ready")
    async with page.expect_download() as info:
        await pdf_link.click()
    pdf = PdfReader(str(await (await info.value).path()))
    words = "".join(p.extract_text() for p in pdf.pages)
    assert "第一支部 党员积分季度报表" in words and "老党员丙" in words
    member_a = next(line for line in words.splitlines() if "党员甲" in line)
    assert member_a.endswith(f" {ledger['党员甲']:g}")

    await page.get_by_role("link", name="全部报表").click()
    await page.get_by_role("link", name="文件保存多久").click()
    await page.get_by_label("文件保存天数").fill("14")
    await shoot(page, "reports-6-keeping")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_text("已保存：报表文件保存14天。")).to_be_visible()
    await expect(page.get_by_text("报表文件生成后保存14天，到期自动删除。")).to_be_visible()


async def test_admin_makes_and_downloads_the_annual_summary(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    """The annual work summary (PDF): asked for, its progress watched, downloaded, and
    its text read back — the year's visit count is the database's."""
    import io
    from datetime import date

    from pypdf import PdfReader

    from app.grid.models import Visit

    district = world.a
    points = await make_points_roster(services, district)
    worker = district.users[Role.GRID_WORKER]
    year = clock.today().year
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            for person, day, kind in ((points.member_a, 3, "hospital"),
                                      (points.member_b, 4, "routine"),
                                      (points.member_d, 5, "birthday")):  # fmt: skip
                session.add(
                    Visit(
                        tenant_id=district.tenant_id,
                        person_id=person,
                        visited_on=date(year, 1, day),
                        kind=kind,
                        place="home",
                        visitor_id=worker.id,
                        visitor_name=worker.name,
                    )
                )

    page = await (await new_context()).new_page()
    await log_in(page, district.users[Role.TENANT_ADMIN])
    await open_from_menu(page, "报表")
    card = page.locator("form", has=page.get_by_role("heading", name="全区年度工作总结"))
    await card.get_by_label("年份").select_option(str(year))
    await card.get_by_role("button", name="生成PDF打印版").click()
    await expect(page.get_by_role("heading", name="全区年度工作总结")).to_be_visible()
    progress = page.locator("#progress")
    await expect(progress).to_be_visible()
    await shoot(page, "reports-summary-1-progress")
    download_link = progress.get_by_role("link", name=re.compile("^下载"))
    await expect(download_link).to_be_visible(timeout=WORKER_TIMEOUT * 2)
    await shoot(page, "reports-summary-2-ready")
    async with page.expect_download() as info:
        await download_link.click()
    download = await info.value
    assert download.suggested_filename == f"{year}年度工作总结-{district.name}.pdf"
    content = (await download.path()).read_bytes()
    words = "".join(
        "".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            visits = await session.scalar(
                text("select count(*) from visits where extract(year from visited_on) = :y"),
                {"y": year},
            )
    assert visits == 3
    assert f"全年走访慰问{visits}人次" in words
