"""The volunteering "done when", on a Pixel 7 and a desktop: a team leader records an
activity from the phone form — everyone ticked, one hours value, one person's own —
well inside a minute, is told who got no points, and the figures page counts it; the
district admin adds a specialist team under a sub-station."""

from __future__ import annotations

import time
from typing import Any

from playwright.async_api import expect

from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.factories import World
from tests.volunteering import make_teams


async def test_a_leader_records_an_activity_and_the_admin_adds_a_team(
    new_context, shoot, world: World, services: AppServices, device: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    await make_teams(services, world.a)
    leader = await (await new_context()).new_page()
    await log_in(leader, world.a.users[Role.BRANCH_SECRETARY])
    started = time.monotonic()
    await open_from_menu(leader, "志愿服务")
    await leader.get_by_role("link", name="记录活动").first.click()
    await expect(leader.locator("h1")).to_have_text("记录活动")
    ticks = leader.locator("input[name=person]")
    await expect(ticks).to_have_count(5)
    for i in range(5):
        await expect(ticks.nth(i)).to_be_checked()  # everyone ticked
    await leader.locator("label.chip", has_text="进社区").click()
    await leader.get_by_label("活动地点").fill("甸柳社区活动室")
    await leader.get_by_label("每人时数").fill("2")
    await leader.get_by_label("甲二号 的时数").fill("3")
    await leader.get_by_label("服务人数").fill("40")
    await shoot(leader, "volunteering-1-record")
    await leader.get_by_role("button", name="保存活动").click()
    flash = leader.locator(".flash--success")
    await expect(flash).to_contain_text("已保存")
    assert time.monotonic() - started < 60
    await expect(flash).to_contain_text("甲二号 不计积分")  # not a party member
    await expect(flash).to_contain_text("老党员丙 不计积分")  # exempt
    await expect(leader.locator("main")).to_contain_text("已计积分")
    await shoot(leader, "volunteering-2-recorded")

    await leader.goto("/volunteering/totals")
    tiles = leader.locator(".vol-tiles .tile")
    await expect(tiles.nth(2)).to_contain_text("1")  # one activity
    await expect(tiles.nth(3)).to_contain_text("11")  # 4 × 2 hours + 3
    await expect(tiles.nth(5)).to_contain_text("40")
    await shoot(leader, "volunteering-3-figures")

    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await admin.goto("/volunteering")
    await admin.get_by_role("link", name="新建服务队").click()
    await admin.locator("label.chip", has_text="专业化服务队").click()
    sub = await admin.locator("#f-parent_id option", has_text="第一分站").get_attribute("value")
    await admin.get_by_label("上级单位").select_option(sub)
    await admin.get_by_label("队名").fill("理论宣讲队")
    await admin.locator("label.chip", has_text="宣讲").first.click()
    await shoot(admin, "volunteering-4-new-team")
    await admin.get_by_role("button", name="建立服务队").click()
    await expect(admin.locator(".flash--success")).to_contain_text("已建立 理论宣讲队")
    await expect(admin.locator("h1")).to_contain_text("理论宣讲队")
    await shoot(admin, "volunteering-5-team")
