"""Organisational life beside the meetings, in a browser (desktop and Pixel 7): the
district admin makes 党课 monthly and sees each branch's shortfall in words; a grid
worker finds the 送学上门 item of an infirm member who missed a held meeting on the
due list, logs the visit, and the meeting's attendance becomes "studied at home" with
the date. The held meeting and its attendance are written directly here (the meetings
pages are another part's), with the hook the meetings service calls after saving."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

from playwright.async_api import expect
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.home_study import after_attendance
from app.orglife.models import Attendance, Meeting, MeetingStatus, Presence
from app.state import AppServices
from e2e.test_pages import log_in
from tests.factories import PointsRoster, World, add_person, make_points_roster


async def held_lecture(services: AppServices, world: World, points: PointsRoster) -> Any:
    """第一支部's 党课 held today: 党员甲 present, 老党员丙 (infirm) absent."""
    today, tenant = clock.today(), world.a.tenant_id
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    with tenant_scope(tenant):
        async with services.db.unit() as session:
            meeting = Meeting(
                tenant_id=tenant, branch_id=points.roster.branch_1, kind="lecture",
                topic="学习党章第一章",
                starts_at=datetime.combine(today, time(9), clock.CHINA_TIME),
                status=MeetingStatus.HELD, held_on=today, planned_by=secretary.id,
                planned_by_name=secretary.name,
            )  # fmt: skip
            session.add(meeting)
            await session.flush()
            rows = [
                Attendance(tenant_id=tenant, meeting_id=meeting.id, person_id=person,
                           presence=presence, recorded_by=secretary.id,
                           recorded_by_name=secretary.name)
                for person, presence in ((points.member_a, Presence.PRESENT),
                                         (points.exempt, Presence.ABSENT))
            ]  # fmt: skip
            session.add_all(rows)
            await session.flush()
            await after_attendance(session, meeting, rows)
            return meeting.id


async def test_the_admin_sees_the_shortfall_and_a_worker_delivers_the_study(
    new_context, shoot, world: World, services: AppServices, owner_db: Database,
    device: dict[str, Any],
) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    points = await make_points_roster(services, world.a)
    async with owner_db.session() as session:  # in service since 1 January
        start = datetime(clock.today().year, 1, 1, tzinfo=UTC)
        await session.execute(
            text("update tenants set decided_at = :d where id = :t"),
            {"d": start, "t": world.a.tenant_id},
        )
        await session.commit()
    meeting = await held_lecture(services, world, points)
    await add_person(services, world.a, "流动党员甲", points.roster.branch_1,
                     party_member=True, mobile=True)  # fmt: skip
    async with owner_db.session() as session:  # on the roster for half a year, never reported
        await session.execute(
            text("update people set created_at = now() - interval '6 months' where name = :n"),
            {"n": "流动党员甲"},
        )
        await session.commit()

    # The admin makes 党课 monthly: twelve a year, one held.
    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await admin.goto("/orglife/kinds")
    await shoot(admin, "orglife-1-kinds")
    await admin.locator("select[name='frequency_lecture']").select_option("monthly")
    await admin.get_by_role("button", name="保存会议种类").click()
    await expect(admin.locator(".flash--success")).to_contain_text("会议种类已保存")
    await admin.goto("/orglife/owed")
    row = admin.locator("tr", has_text="第一支部")
    await expect(row).to_contain_text("今年还差 11 次党课")
    await expect(admin.locator("tr", has_text="第二支部")).to_contain_text("今年还差 12 次党课")
    await shoot(admin, "orglife-2-owed")
    await admin.goto("/dashboard")  # behind since January: the home page says so
    await expect(admin.locator(".ol-home")).to_contain_text("今年还差 11 次党课")
    await shoot(admin, "orglife-2b-home-card")
    await admin.goto("/orglife/owed")
    await row.get_by_role("link", name="第一支部").click()
    await expect(admin.locator("main")).to_contain_text("学习党章第一章")
    await shoot(admin, "orglife-3-calendar")

    # A mobile member's thought report, recorded from the overdue list.
    await admin.goto("/orglife/thought-reports")
    await admin.locator("tr", has_text="流动党员甲").get_by_role("link", name="登记汇报").click()
    await admin.locator("label.chip", has_text="电话").click()
    await admin.locator("input[name='note']").fill("电话汇报近况")
    await shoot(admin, "orglife-3b-thought-report")
    await admin.get_by_role("button", name="登记这次汇报").click()
    await expect(admin.locator(".flash--success")).to_contain_text("流动党员甲")
    await expect(admin.locator("tr", has_text="流动党员甲")).to_have_count(0)  # not overdue now

    # The grid worker finds the 送学上门 item of 老党员丙 and logs the visit.
    worker = await (await new_context()).new_page()
    await log_in(worker, world.a.users[Role.GRID_WORKER])
    await expect(worker).to_have_url(re.compile(r"/grid/?$"))
    item = worker.locator("li.due", has_text="老党员丙")
    await expect(item).to_contain_text("送学上门")
    await shoot(worker, "orglife-4-due-home-study")
    await item.get_by_role("link", name=re.compile("记录走访")).click()
    await expect(worker.locator("input[name='kind'][value='home_study']")).to_be_checked()
    await worker.locator("#knows_doing").fill("送去党章学习材料，一起读了第一章")
    await shoot(worker, "orglife-5-visit-form")
    await worker.get_by_role("button", name="保存走访记录").click()
    await expect(worker.locator(".flash--success")).to_contain_text("送学上门")
    await expect(worker.locator("li.due", has_text="老党员丙")).to_have_count(0)

    # The meeting's attendance now says: studied at home, on the visit's day, by the worker.
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            row_saved = await session.get(
                Attendance, {"tenant_id": world.a.tenant_id, "meeting_id": meeting,
                             "person_id": points.exempt},
            )  # fmt: skip
    assert row_saved is not None
    assert (row_saved.presence, row_saved.home_study_on, row_saved.home_study_by_name) == (
        Presence.HOME_STUDY, clock.today(), world.a.users[Role.GRID_WORKER].name,
    )  # fmt: skip
