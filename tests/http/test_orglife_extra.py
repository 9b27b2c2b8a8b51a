"""Organisational life over HTTP beside the meetings: the admin tunes the meeting kinds
and the cadence (bad input refused in Chinese, nothing written), the owed overview and
a branch's calendar, and recording a mobile member's thought report."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select, text

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.orglife.models import Meeting, MeetingKind, MeetingStatus, OrgLifeSettings, ThoughtReport
from app.state import AppServices
from tests.factories import District, PointsRoster, World, add_person, make_points_roster
from tests.http.conftest import Browser, shown


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def one(services: AppServices, district: District, query: Any) -> Any:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(query)


async def kinds_form(services: AppServices, district: District) -> dict[str, str]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            kinds = await session.scalars(select(MeetingKind).order_by(MeetingKind.position))
            form: dict[str, str] = {}
            for number, kind in enumerate(kinds, start=1):
                code = kind.code
                form |= {f"name_{code}": kind.name, f"frequency_{code}": kind.frequency,
                         f"order_{code}": str(number), f"enabled_{code}": "1"}  # fmt: skip
            return form


async def test_the_admin_tunes_a_kind_and_the_owed_page_follows(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/orglife/kinds")
    assert page.status_code == 200 and "党课" in page.text
    form = await kinds_form(services, world.a) | {"frequency_lecture": "monthly",
                                                  "name_lecture": "专题党课"}  # fmt: skip
    del form["enabled_study"]
    saved = await browser.post("/orglife/kinds", form)
    assert saved.status_code == 303
    lecture = await one(services, world.a, select(MeetingKind).where(MeetingKind.code == "lecture"))
    assert (lecture.name, lecture.frequency) == ("专题党课", "monthly")
    assert not await one(
        services, world.a, select(MeetingKind.enabled).where(MeetingKind.code == "study")
    )
    other = await one(services, world.b, select(MeetingKind).where(MeetingKind.code == "lecture"))
    assert (other.name, other.frequency) == ("党课", "quarterly")
    owed = await browser.get("/orglife/owed")
    assert owed.status_code == 200 and "第一支部" in owed.text and "专题党课" in owed.text
    log = await browser.get("/audit")
    assert shown("Meeting kind changed") in log.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name_lecture": ""}, "Please enter a name for the meeting kind."),
        ({"name_lecture": "党" * 21}, "A meeting kind's name can be at most 20 characters."),
        ({"frequency_lecture": "weekly"}, "Please choose how often from the list."),
        ({"order_lecture": "0"}, "Give the order as a whole number from 1 to 99."),
    ],
)
async def test_a_bad_kind_is_refused_in_chinese_and_writes_nothing(
    browser: Browser, services: AppServices, world: World, values: dict[str, str], message: str
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    form = await kinds_form(services, world.a) | {"name_theme_day": "新名字"} | values
    refused = await browser.post("/orglife/kinds", form)
    assert refused.status_code == 422 and shown(message) in refused.text
    assert shown(message) != message  # said in Chinese
    theme = await one(
        services, world.a, select(MeetingKind.name).where(MeetingKind.code == "theme_day")
    )
    assert theme == "主题党日"


async def test_the_cadence_is_1_to_12_months(
    browser: Browser, services: AppServices, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    message = "Give how often mobile members report as a whole number of months from 1 to 12."
    for bad in ("13", "0", "三"):
        refused = await browser.post("/orglife/kinds/cadence", {"thought_report_months": bad})
        assert refused.status_code == 422 and shown(message) in refused.text
    assert await one(services, world.a, select(OrgLifeSettings.thought_report_months)) == 3
    assert (
        await browser.post("/orglife/kinds/cadence", {"thought_report_months": "6"})
    ).status_code == 303
    assert await one(services, world.a, select(OrgLifeSettings.thought_report_months)) == 6
    assert await one(services, world.b, select(OrgLifeSettings.thought_report_months)) == 3


async def test_the_secretary_sees_their_branch_calendar_not_another(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    today = clock.today()
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            made = ((points.roster.branch_1, "学习新党章", MeetingStatus.HELD),
                    (points.roster.branch_2, "二支部会议", MeetingStatus.PLANNED))  # fmt: skip
            for branch, topic, status in made:
                session.add(Meeting(
                    tenant_id=world.a.tenant_id, branch_id=branch, kind="lecture", topic=topic,
                    starts_at=datetime.combine(today, time(9), clock.CHINA_TIME), status=status,
                    held_on=today if status == MeetingStatus.HELD else None,
                    planned_by=world.a.users[Role.BRANCH_SECRETARY].id, planned_by_name="书记",
                ))  # fmt: skip
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/orglife/calendar")
    assert page.status_code == 200 and "第一支部" in page.text and "学习新党章" in page.text
    assert "二支部会议" not in page.text
    assert (
        await browser.get(f"/orglife/calendar?branch={points.roster.branch_2}")
    ).status_code == 404
    assert (await browser.get("/orglife/owed")).status_code in (403, 404)
    next_month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    later = await browser.get(f"/orglife/calendar?month={next_month}")
    assert "学习新党章" not in later.text
    assert (await browser.get("/orglife/calendar?month=nonsense")).status_code == 200


async def test_recording_a_thought_report(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    mobile = await add_person(services, world.a, "流动党员甲", points.roster.branch_1,
                              party_member=True, mobile=True)  # fmt: skip
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listed = await browser.get("/orglife/thought-reports?all=1")
    assert "流动党员甲" in listed.text
    form = await browser.get(f"/orglife/thought-reports/{mobile}")
    assert form.status_code == 200
    future = (clock.today() + timedelta(days=1)).isoformat()
    refused = await browser.post(f"/orglife/thought-reports/{mobile}",
                                 {"report_id": str(uuid4()), "reported_on": future,
                                  "channel": "phone"})  # fmt: skip
    assert refused.status_code == 422
    assert shown("A thought report cannot be dated in the future.") in refused.text
    assert await one(services, world.a, select(func.count()).select_from(ThoughtReport)) == 0
    sent = {"report_id": str(uuid4()), "reported_on": clock.today().isoformat(),
            "channel": "phone", "note": "电话汇报近况"}  # fmt: skip
    saved = await browser.post(f"/orglife/thought-reports/{mobile}", sent)
    assert saved.status_code == 303
    again = await browser.post(f"/orglife/thought-reports/{mobile}", sent)  # a double tap
    assert again.status_code == 303
    assert await one(services, world.a, select(func.count()).select_from(ThoughtReport)) == 1
    report = await one(services, world.a, select(ThoughtReport))
    assert (report.person_id, report.channel, report.note) == (mobile, "phone", "电话汇报近况")
    assert report.event_id is not None
    not_mobile = await browser.get(f"/orglife/thought-reports/{points.member_a}")
    assert not_mobile.status_code == 303  # refused by name, back to the list


async def test_members_and_grid_workers_do_not_open_these_pages(
    browser: Browser, world: World
) -> None:
    for role in (Role.MEMBER, Role.GRID_WORKER):
        await browser.login(world.a.users[role])
        for path in (
            "/orglife/kinds",
            "/orglife/owed",
            "/orglife/calendar",
            "/orglife/thought-reports",
        ):
            assert (await browser.get(path)).status_code in (403, 404), (role, path)


async def test_another_districts_branch_is_not_found(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.b.users[Role.TENANT_ADMIN])
    branch = points.roster.branch_1
    assert (await browser.get(f"/orglife/calendar?branch={branch}")).status_code == 404
    assert (await browser.get(f"/orglife/thought-reports?branch={branch}")).status_code == 404


async def test_the_home_page_says_which_branches_are_behind(
    browser: Browser, services: AppServices, world: World, points: PointsRoster, owner_db: Any
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    # A district that started this month has nothing behind yet: no card.
    assert shown("Meetings behind this year") not in (await browser.get("/dashboard")).text
    async with owner_db.session() as session:
        await session.execute(
            text("update tenants set decided_at = now() - interval '2 years' where id = :t"),
            {"t": world.a.tenant_id},
        )
        await session.commit()
    home = await browser.get("/dashboard")
    assert shown("Meetings behind this year") in home.text and "第一支部" in home.text
    assert 'href="/orglife/owed?sort=overdue"' in home.text
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    home = await browser.get("/dashboard")
    assert "第一支部" in home.text and "第二支部" not in home.text
    assert 'href="/orglife/owed' not in home.text  # the overview is the admin's
