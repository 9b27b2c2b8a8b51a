"""Hardship aid's "done when", on a Pixel 7 and a desktop: the district admin opens an
application, is told a mistyped amount in words, approves it, pays it from the fund,
and the fund's ledger shows the payment and the new balance; the branch secretary sees
the outcome but no buttons. Also the tour's aid pages (care_aid_pages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from playwright.async_api import expect
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from app.care.aid.models import AidApplication, AidStatus
from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.demo.care_aid import seed_demo_care_aid
from app.grid.models import Visit
from app.state import AppServices
from e2e.test_pages import log_in
from tests.care_aid import make_aid
from tests.factories import District, World, make_points_roster


async def care_aid_pages(services: AppServices, district: District) -> dict[str, UUID]:
    """For the page tour: the demo's aid (a waiting and an approved application)."""
    with tenant_scope(district.tenant_id):
        await seed_demo_care_aid(services, district.tenant_id)
        async with services.db.session() as session:
            found = {
                status: await session.scalar(
                    select(AidApplication.id).where(AidApplication.status == status).limit(1)
                )
                for status in (AidStatus.PENDING, AidStatus.APPROVED)
            }
            person = await session.scalar(select(AidApplication.person_id).limit(1))
    assert all(found.values()) and person
    return {"aid_waiting": found[AidStatus.PENDING], "aid_approved": found[AidStatus.APPROVED],
            "aid_person": person}  # fmt: skip


async def condolence_visits(services: AppServices, district: District, people: list[UUID]) -> None:
    """Two visits of this year that gave condolence money (500 and 300 yuan), one gifts."""
    today = clock.today()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            for person, money, gifts in zip(people, ("500", "300"), ("米、油", None), strict=True):
                session.add(Visit(
                    tenant_id=district.tenant_id, person_id=person, visited_on=today,
                    kind="holiday", place="home", condolence_money=Decimal(money),
                    condolence_gifts=gifts, visitor_id=district.users[Role.GRID_WORKER].id,
                    visitor_name="网格员",
                ))  # fmt: skip


async def test_an_admin_approves_and_pays_aid(
    new_context, shoot, world: World, services: AppServices, device: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    district = world.a
    points = await make_points_roster(services, district)
    aid = await make_aid(services, district, points)  # the fund holds 10,000 yuan

    admin = await (await new_context()).new_page()
    await log_in(admin, district.users[Role.TENANT_ADMIN])
    await admin.goto("/care/aid")
    await expect(admin.locator("h1")).to_have_text("帮扶")
    await shoot(admin, "care-aid-1-list")
    await admin.get_by_role("link", name="党员甲").click()
    await expect(admin.locator("h1")).to_contain_text("党员甲")
    await expect(admin.get_by_role("link", name="诊断书.pdf")).to_be_visible()
    await admin.get_by_label("批准金额（元）").fill("两千五")
    await admin.locator("#f-approve-reason").fill("住院属实，按规定补助")
    await admin.get_by_role("button", name="通过").click()
    await expect(admin.locator(".field__error")).to_contain_text("请用数字填写金额")
    await admin.get_by_label("批准金额（元）").fill("2500")
    await shoot(admin, "care-aid-2-approve")
    await admin.get_by_role("button", name="通过").click()
    await expect(admin.locator(".flash--success")).to_contain_text("已批准")
    await expect(admin.locator(".aid-status")).to_have_text("已批准，待发放")
    await expect(admin.get_by_label("发放金额（元）")).to_have_value("2500.00")
    await shoot(admin, "care-aid-3-approved")
    await admin.get_by_role("button", name="发放", exact=True).click()
    await expect(admin.locator(".flash--success")).to_contain_text("已从基金发放 2,500.00 元")
    await expect(admin.locator(".aid-status")).to_have_text("已发放")
    await shoot(admin, "care-aid-4-paid")

    await admin.goto("/care/aid")
    await admin.get_by_role("link", name="帮扶基金").click()
    await expect(admin.locator(".tile").first).to_contain_text("7,500.00 元")
    await expect(admin.locator("table")).to_contain_text("党员甲")
    await shoot(admin, "care-aid-5-fund")

    await admin.goto(f"/grid/visits/new?person={points.member_b}")
    await admin.get_by_label("慰问金（元，可不填）").fill("12.345")
    await admin.get_by_label("慰问品（可不填）").fill("米、油")
    await admin.get_by_role("button", name="保存走访记录").click()
    await expect(admin.locator("#e-condolence_money")).to_contain_text("小数点后最多两位")
    await shoot(admin, "care-visit-money")
    await condolence_visits(services, district, [points.member_a, points.member_d])
    await admin.goto("/care/condolence")
    await expect(admin.locator(".tile").nth(2)).to_contain_text("800.00 元")
    await shoot(admin, "care-condolence")
    async with admin.expect_download() as download:
        await admin.get_by_role("link", name="下载全年数据（Excel）").click()
    saved = await (await download.value).path()
    months = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert months[-1][1:] == [2, 2, 800.0, 1]

    secretary = await (await new_context()).new_page()
    await log_in(secretary, district.users[Role.BRANCH_SECRETARY])
    await secretary.goto(f"/care/aid/{aid.mine}")
    await expect(secretary.locator(".aid-status")).to_have_text("已发放")
    await expect(secretary.get_by_role("button", name="通过")).to_have_count(0)
    await shoot(secretary, "care-aid-6-secretary")
    await secretary.goto("/care/aid/new?q=党员")
    await secretary.get_by_role("link", name="党员乙").click()
    await expect(secretary.get_by_label("申请金额（元）")).to_be_visible()
    await shoot(secretary, "care-aid-7-new")
