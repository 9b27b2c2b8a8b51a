"""Charts drawn in Chromium, on a desktop and a Pixel 7: the admin's and the branch
secretary's home, the coverage page and the compliance page each draw every chart
(a canvas inside each [data-chart]) — after a full load, after an htmx swap (the
boosted login and menu links) and after going back — with labels of 16px and more,
no sideways scrolling, no console error and no CSP violation; with the system asking
for less motion, no animation. A year of visits, requests and points is written first,
so every chart has something to draw. Screenshots: e2e/screenshots/*-charts-*.png."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from app.core import clock
from app.core.charts import last_months
from app.core.identity import Actor
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.people.models import Person
from app.points import ledger
from app.points.models import Claim, RuleItem, Source
from app.points.rules.versions import in_force
from app.service_requests.models import RequestCategory, ServiceRequest
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import PointsRoster, World, add_grid, make_points_roster

KINDS = ("routine", "holiday", "birthday", "hospital", "hardship")


async def a_year_of_work(services: AppServices, world: World) -> PointsRoster:
    """Visits of several kinds in each of the last twelve months, two requests a month
    (one resolved in time, one late), points earned this quarter by one member; and
    work waiting: a must-visit overdue, a claim to decide, a request due tonight."""
    district = world.a
    points = await make_points_roster(services, district)
    await add_grid(
        services, district, "第一支部网格", people=[points.member_b, points.roster.person_1],
        unit=points.roster.branch_1,
    )  # fmt: skip
    worker = district.users[Role.GRID_WORKER]
    today = clock.today()
    people = [points.member_a, points.member_b, points.roster.person_1, points.member_d]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            categories = list(await session.scalars(select(RequestCategory).limit(3)))
            for i, first in enumerate(last_months(today, 12)):
                for n in range(i % 5 + 2):
                    day = min(first + timedelta(days=n * 3), today)
                    session.add(
                        Visit(
                            tenant_id=district.tenant_id, person_id=people[n % len(people)],
                            visited_on=day, kind=KINDS[(i + n) % len(KINDS)], place="home",
                            visitor_id=worker.id, visitor_name=worker.name,
                        )
                    )  # fmt: skip
                logged = datetime.combine(min(first + timedelta(days=1), today), time(9),
                                          clock.CHINA_TIME)  # fmt: skip
                for late in (False, True) if i % 3 else (False, False, True):
                    due = logged + timedelta(hours=24)
                    done = due + timedelta(hours=5 if late else -20)
                    if done > clock.now():
                        continue
                    session.add(
                        ServiceRequest(
                            tenant_id=district.tenant_id, person_id=people[i % len(people)],
                            category_id=categories[(i + late) % len(categories)].id,
                            description="图表用的诉求", status="confirmed", created_at=logged,
                            created_by=worker.id, due_at=due, resolved_at=done,
                            confirmed_at=done, satisfaction=5,
                        )
                    )  # fmt: skip
            await session.commit()
            person = await session.get(
                Person, {"tenant_id": district.tenant_id, "id": points.member_a}
            )
            version = await in_force(session, today)
            assert person is not None and version is not None
            item = (
                await session.scalars(
                    select(RuleItem).where(
                        RuleItem.code == "FH-01", RuleItem.rule_set_id == version.id
                    )
                )
            ).one()
            entry = ledger.Entry(person, item, today, Decimal(1), Source.AWARD)
            await ledger.write(session, entry, Actor("user", "书记"))
            rule = await session.scalar(select(VisitRule.id).where(VisitRule.code == "birthday"))
            now = clock.now()
            session.add_all([
                VisitDueItem(
                    tenant_id=district.tenant_id, person_id=points.member_b, rule_id=rule,
                    occasion="e2e:overdue", opens_on=today - timedelta(days=9),
                    due_at=now - timedelta(days=2),
                ),
                Claim(
                    tenant_id=district.tenant_id, person_id=points.member_b, rule_item_id=item.id,
                    occurred_on=today, quantity=Decimal(1), claimed_by=worker.id,
                    claimed_by_name=worker.name,
                ),
                ServiceRequest(
                    tenant_id=district.tenant_id, person_id=points.member_b,
                    category_id=categories[0].id, description="图表用的诉求", status="new",
                    created_at=now - timedelta(hours=1), created_by=worker.id,
                    due_at=now + timedelta(hours=5),
                ),
            ])  # fmt: skip
            await session.commit()
    return points


async def charts_drawn(page: Page) -> int:
    """Every [data-chart] on the page has a canvas, drawn to the end of its animation;
    returns how many."""
    count = await page.locator("[data-chart]").count()
    assert count, f"no chart on {page.url}"
    await page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-chart]')).every(el => {
             const canvas = el.querySelector('canvas');
             return el.dataset.chartReady && canvas && canvas.width > 0 && canvas.height > 0;
           })"""
    )
    return count


async def options(page: Page) -> list[dict[str, Any]]:
    """What each chart was drawn with (the fonts and the motion)."""
    found: list[dict[str, Any]] = await page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
             const o = echarts.getInstanceByDom(el).getOption();
             const axes = [].concat(o.xAxis || [], o.yAxis || []);
             return {
               animation: o.animation,
               text: o.textStyle.fontSize,
               axes: axes.map(a => a.axisLabel.fontSize),
               labels: o.series.filter(s => s.label && s.label.show).map(s => s.label.fontSize),
               width: el.getBoundingClientRect().width,
               canvas: el.querySelector('canvas').getBoundingClientRect().width,
             };
           })"""
    )
    return found


async def no_sideways_scrolling(page: Page) -> None:
    wide = await page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - Math.min(window.innerWidth, document.documentElement.clientWidth)"
    )
    assert wide <= 1, f"{page.url} scrolls sideways by {wide}px"


async def look(page: Page, shoot: Any, name: str) -> None:
    await charts_drawn(page)
    for drawn in await options(page):
        assert drawn["text"] >= 16 and all(size >= 16 for size in drawn["axes"]), drawn
        assert all(size >= 16 for size in drawn["labels"]), drawn
        assert drawn["canvas"] <= drawn["width"] + 1, drawn  # the picture fits its card
    await no_sideways_scrolling(page)
    await shoot(page, f"charts-{name}")


async def test_every_chart_draws_for_each_role_that_sees_it(
    new_context, shoot, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    await a_year_of_work(services, world)

    # The admin logs in (a boosted form: the home arrives by an htmx swap, and the
    # chart library is fetched then), then goes by the menu to the compliance page.
    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await expect(admin).to_have_url(re.compile(r"/dashboard$"))
    assert await charts_drawn(admin) == 3
    await look(admin, shoot, "admin-home")
    await expect(admin.locator("a.work__item.is-urgent")).to_have_count(3)
    await admin.get_by_role("link", name="24小时内到期的诉求").click()  # to the list of them
    await expect(admin).to_have_url(re.compile(r"/requests\?due=soon#listed$"))
    await expect(admin.locator("#listed")).to_contain_text("图表用的诉求")
    await admin.get_by_role("link", name="按时办结情况").click()
    await expect(admin).to_have_url(re.compile(r"/requests/sla$"))
    assert await charts_drawn(admin) == 2
    await look(admin, shoot, "admin-sla")
    await admin.go_back()  # htmx restores the list of requests, then the home
    await admin.go_back()
    await expect(admin).to_have_url(re.compile(r"/dashboard$"))
    assert await charts_drawn(admin) == 3
    await admin.goto("/grid/coverage")
    await look(admin, shoot, "admin-coverage")

    secretary = await (await new_context()).new_page()
    await log_in(secretary, world.a.users[Role.BRANCH_SECRETARY])
    await look(secretary, shoot, "secretary-home")
    await expect(secretary.locator("#chart-participation")).not_to_contain_text("第二支部")
    for path, name in (("/grid/coverage", "coverage"), ("/requests/sla", "sla")):
        await secretary.goto(path)
        await look(secretary, shoot, f"secretary-{name}")

    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    assert await worker.locator("[data-chart]").count() == 0  # the due list draws nothing
    await worker.goto("/grid/coverage")
    await look(worker, shoot, "worker-coverage")


async def test_no_animation_for_less_motion_and_words_without_javascript(
    new_context,
    world: World,
    services: AppServices,
    chromium: Browser,
    device: dict[str, Any],
    live_server: str,
) -> None:  # type: ignore[no-untyped-def]
    await a_year_of_work(services, world)
    page = await (await new_context()).new_page()
    await page.emulate_media(reduced_motion="reduce")
    await log_in(page, world.a.users[Role.TENANT_ADMIN])
    await charts_drawn(page)
    assert {drawn["animation"] for drawn in await options(page)} == {False}

    # Without a script the sentence and the table say it all, and no empty box shows.
    settings = {key: value for key, value in device.items() if key != "name"}
    plain = await chromium.new_context(base_url=live_server, java_script_enabled=False, **settings)
    try:
        page = await plain.new_page()
        await log_in(page, world.a.users[Role.TENANT_ADMIN])
        visits = page.locator("#chart-visits-by-month")
        await expect(visits.locator(".chart__summary")).to_contain_text("走访")
        await visits.locator("summary").click()
        await expect(visits.locator("table")).to_be_visible()
        assert await page.locator("[data-chart] canvas").count() == 0
        box = await visits.locator("[data-chart]").bounding_box()
        assert box is not None and box["height"] == 0
    finally:
        await plain.close()
