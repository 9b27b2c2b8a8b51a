"""The grid issue's "done when", on a phone (a Pixel 7 descriptor, and the desktop run
as well): a grid worker opens the due list, logs a hospital visit, opens a water-leak
request; the district admin sees the request overdue once the SLA has passed (the
live server's clock moved forward through the test clock file)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from app.accounts.models import Role
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import PointsRoster, World, make_points_roster


async def test_worker_visits_a_patient_and_opens_a_water_request_that_runs_late(
    new_context, shoot, move_clock, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    points: PointsRoster = await make_points_roster(services, world.a)
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    await expect(worker).to_have_url(re.compile(r"/grid/?$"))  # the due list is home

    # 党员甲 went into hospital: the worker notes it on the service card.
    await worker.goto(f"/grid/people/{points.member_a}")
    await worker.locator("label.chip", has_text="生病住院").click()
    await worker.locator("#concern-note").fill("心内科 12 床")
    await worker.get_by_role("button", name="登记", exact=True).click()
    await expect(worker.locator(".flash--success")).to_contain_text("已登记")
    await worker.goto("/grid")
    item = worker.locator("li.due", has_text="党员甲")
    await expect(item).to_contain_text("生病住院必访")
    await shoot(worker, "grid-1-due-list")

    # One tap from the list to the visit form, which already says hospital.
    await item.get_by_role("link", name=re.compile("记录走访")).click()
    await expect(worker.locator("input[name='kind'][value='hospital']")).to_be_checked()
    await expect(worker.locator("input[name='place'][value='hospital']")).to_be_checked()
    await worker.locator("#knows_where").fill("市第一医院心内科")
    await worker.locator("#knows_help").fill("出院后需要轮椅")
    await shoot(worker, "grid-2-visit-form")
    await worker.get_by_role("button", name="保存走访记录").click()
    await expect(worker.locator(".flash--success")).to_contain_text("生病住院必访")
    await expect(worker.locator("li.due", has_text="生病住院必访")).to_have_count(0)

    # The water leak: logged from the request form; due before 22:00 tonight.
    await worker.goto(f"/requests/new?person={points.member_b}")
    await worker.locator("label", has_text="水（漏水、停水）").click()
    await worker.locator("textarea[name='description']").fill("厨房水管漏水，地上有积水")
    await shoot(worker, "grid-3-request-form")
    await worker.locator("form[action='/requests'] button[type='submit']").click()
    await expect(worker.locator("main")).to_contain_text("厨房水管漏水")
    request_url = worker.url
    await shoot(worker, "grid-4-request")

    # A day and a half later, nobody fixed it: the admin sees it overdue, escalated.
    move_clock(hours=36)
    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await admin.goto("/requests")
    row = admin.locator("main li, main tr", has_text="厨房水管漏水").first
    await expect(row).to_contain_text("已超时")
    await shoot(admin, "grid-5-admin-overdue")
    await admin.goto(request_url)
    await expect(admin.locator("main")).to_contain_text("已超时")
