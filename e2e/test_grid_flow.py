"""The grid issue's "done when", on a phone (a Pixel 7 descriptor, and the desktop run
as well): a grid worker opens the due list, logs a hospital visit, opens a water-leak
request; the district admin sees the request overdue once the SLA has passed (the
live server's clock moved forward through the test clock file). Then the worker fixes
it and is told who calls back; the branch secretary, asked, records the person's answer
on a phone with JavaScript off. Before that, the worker is told that a visit now does
not count for a 春节 item whose time has not opened; and the admin reaches the grid
pages from the grid navigation, in a district with grids and in a new one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.async_api import Browser, expect
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import VisitDueItem, VisitRule
from app.grid.occasions import end_of_day
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import PointsRoster, World, make_points_roster


async def spring_festival_not_open_yet(services: AppServices, world: World, person: Any) -> None:
    """A 春节 item for `person` whose time opens in three days and runs two months, as a
    district that visits over the two months before 春节 has it."""
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(
                select(VisitRule).where(VisitRule.code == "spring_festival")
            )
            assert rule is not None
            session.add(
                VisitDueItem(
                    tenant_id=world.a.tenant_id, person_id=person, rule_id=rule.id,
                    occasion="spring_festival:e2e", opens_on=clock.today() + timedelta(days=3),
                    due_at=end_of_day(clock.today() + timedelta(days=60)),
                )
            )  # fmt: skip
            await session.commit()


async def test_worker_visits_a_patient_and_opens_a_water_request_that_runs_late(
    new_context,
    shoot,
    move_clock,
    world: World,
    services: AppServices,
    chromium: Browser,
    device: dict[str, Any],
    live_server: str,
) -> None:  # type: ignore[no-untyped-def]
    points: PointsRoster = await make_points_roster(services, world.a)
    await spring_festival_not_open_yet(services, world, points.member_b)
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    await expect(worker).to_have_url(re.compile(r"/grid/?$"))  # the due list is home

    # 春节 is not open yet: apart from this week's list, and the form says a visit now
    # does not count for it.
    await expect(worker.locator("#due-not-open")).to_contain_text("春节慰问")
    await expect(worker.locator("main")).not_to_contain_text("本周即将到期")
    await worker.goto(f"/grid/visits/new?person={points.member_b}")
    await expect(worker.locator(".visit-not-yet")).to_contain_text("这次走访不算“春节慰问”")
    await shoot(worker, "grid-0-visit-before-its-time")

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

    # The worker fixes it; they did the work, so they are told who will call back and
    # get no satisfaction form of their own.
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    await worker.goto(request_url)
    await worker.get_by_role("button", name="开始办理").click()
    await worker.locator("#resolve-note").fill("换了厨房水管的阀门")
    await worker.get_by_role("button", name="办结").click()
    await expect(worker.locator(".flash--success")).to_contain_text(f"将由{secretary.name}回访")
    await expect(worker.locator("input[name='satisfaction']")).to_have_count(0)
    await shoot(worker, "grid-6-resolved-who-calls-back")

    # The branch secretary is asked: on a phone with JavaScript off, the request waits
    # under 等待回访 and the form records the person's answer.
    options = {key: value for key, value in device.items() if key != "name"}
    plain = await chromium.new_context(base_url=live_server, java_script_enabled=False, **options)
    try:
        caller = await plain.new_page()
        await log_in(caller, secretary)
        await caller.goto("/requests")
        waiting = caller.locator("section", has_text="等待回访")
        await expect(waiting).to_contain_text("厨房水管漏水")
        await shoot(caller, "grid-7-to-call-back")
        await waiting.get_by_role("link", name="查看").first.click()
        await caller.locator("label.req-star", has_text="非常满意").click()
        await shoot(caller, "grid-8-call-back-form")
        await caller.get_by_role("button", name="记录回访结果").click()
        await expect(caller.locator(".flash--success")).to_contain_text("已确认")
    finally:
        await plain.close()

    # The admin reaches the grid pages from the grid navigation on every grid page.
    await admin.goto("/grid")
    nav = admin.locator("nav.grid-nav")
    await expect(nav).to_contain_text("网格")
    await shoot(admin, "grid-9-admin-visits")
    await nav.get_by_role("link", name="必访规则").click()
    await expect(admin).to_have_url(re.compile(r"/grid/rules/?$"))
    await admin.locator("nav.grid-nav").get_by_role("link", name="划入人员").click()
    await expect(admin).to_have_url(re.compile(r"/grid/assign/?$"))
    await shoot(admin, "grid-10-admin-assign")
    # A new district's admin opening 走访 is shown the first step, not a dead end.
    newcomer = await (await new_context()).new_page()
    await log_in(newcomer, world.b.users[Role.TENANT_ADMIN])
    await newcomer.goto("/grid")
    await expect(newcomer.locator("main")).to_contain_text("本区还没有网格")
    await shoot(newcomer, "grid-11-new-district")
    await newcomer.locator("main").get_by_role("link", name="新增网格").click()
    await expect(newcomer).to_have_url(re.compile(r"/grid/grids/new$"))
