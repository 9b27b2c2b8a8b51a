"""Issue 14's "done when" for meetings: a branch secretary plans a meeting, records it
as held with a photo, and takes attendance — everyone present by default, one member
marked absent and one excused with a reason; the member then opens their points page
and sees the attendance points. Run on a desktop and on a Pixel 7 (the attendance
sheet is screenshotted on both)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image
from playwright.async_api import expect
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.orglife.models import Attendance
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import PointsRoster, World, add_person, make_points_roster

EXTRA = 24
"""Party members added to 第一支部 so the sheet looks like a branch's."""


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


async def test_a_secretary_takes_attendance_and_the_member_sees_the_points(
    new_context, shoot, device, world: World, services: AppServices
) -> None:  # type: ignore[no-untyped-def]
    points: PointsRoster = await make_points_roster(services, world.a)
    party = {"party_member": True, "party_joined_on": date(1975, 7, 1)}
    for n in range(EXTRA):
        await add_person(services, world.a, f"老战士{n + 1:02d}号", points.roster.branch_1,
                         infirm=n == 3, mobile=n == 5, **party)  # fmt: skip
    day = clock.today() - timedelta(days=1)

    page = await (await new_context()).new_page()
    await log_in(page, world.a.users[Role.BRANCH_SECRETARY])
    await page.goto("/orglife/meetings")
    await page.get_by_role("link", name="安排会议").click()
    await page.get_by_label("支部或党小组").select_option(label="第一支部")
    await page.get_by_label("会议类型").select_option(label="党课")
    await page.get_by_label("主题").fill("学习新修订的党章")
    await page.get_by_label("日期").fill(day.isoformat())
    await page.get_by_label("时间").fill("09:30")
    await page.get_by_label("地点").fill("老干部活动中心三楼")
    await shoot(page, "orglife-1-plan")
    await page.get_by_role("button", name="安排这次会议").click()
    await expect(page.locator("h1")).to_contain_text("学习新修订的党章")

    await page.get_by_role("link", name="登记已召开").click()
    await page.get_by_label("会议记录").fill("书记讲党课，大家交流学习体会。")
    await page.get_by_label("照片（可不传）").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator("h1")).to_have_text("考勤")

    sheet = page.locator("form[data-attendance]")
    await expect(sheet.locator(".att-row")).to_have_count(3 + EXTRA)
    await expect(sheet.locator("[data-count='present'] strong")).to_have_text(str(3 + EXTRA))
    await sheet.locator(".att-row", has_text="党员乙").get_by_text("缺席", exact=True).click()
    await page.get_by_placeholder("输入姓名或拼音查找").fill("丙")
    await expect(sheet.locator(".att-row:visible")).to_have_count(1)
    excused = sheet.locator(".att-row", has_text="老党员丙")
    await excused.get_by_text("请假", exact=True).click()
    await excused.get_by_label("请假原因").fill("住院治疗")
    await expect(sheet.locator("[data-count='present'] strong")).to_have_text(str(1 + EXTRA))
    await shoot(page, "orglife-2-attendance-filtered")
    await page.get_by_placeholder("输入姓名或拼音查找").fill("")
    await shoot(page, "orglife-3-attendance")
    await page.get_by_role("button", name="保存考勤").click()
    await expect(page.locator("h1")).to_have_text("考勤已保存")
    await expect(page.locator("main")).to_contain_text("以下党员这次不计分")
    await expect(page.locator("main")).to_contain_text("老战士04号")
    await shoot(page, "orglife-4-saved")
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rows = {r.person_id: r for r in await session.scalars(select(Attendance))}
    assert len(rows) == 3 + EXTRA
    assert rows[points.member_b].presence == "absent"
    assert rows[points.exempt].reason == "住院治疗"

    await page.get_by_role("link", name="回到会议").click()
    await expect(page.locator(".ol-photos img")).to_have_count(1)
    await shoot(page, "orglife-5-meeting")

    member = await (await new_context()).new_page()
    await log_in(member, world.a.users[Role.MEMBER])
    await member.goto(f"/points/people/{points.member_a}")
    await expect(member.locator("main")).to_contain_text("参加“三会一课”")
    await shoot(member, "orglife-6-member-points")
