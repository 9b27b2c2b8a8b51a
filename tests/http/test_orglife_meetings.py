"""Meetings over HTTP: a secretary plans, changes, records with photos and attachments,
takes attendance; each bad input is a zh-CN message with nothing written; another
branch's meeting is not found; files download."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from uuid import UUID

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.meetings.attendance import NOT_EXPECTED
from app.orglife.meetings.service import FUTURE
from app.orglife.models import Attendance, Meeting, MeetingFile, MeetingStatus
from app.state import AppServices
from tests.factories import District, PointsRoster, make_points_roster, make_world
from tests.http.conftest import Browser, shown
from tests.orglife import held_meeting

MEETING_URL = re.compile(r"/orglife/meetings/([0-9a-f-]{36})$")


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(out, "PNG")
    return out.getvalue()


async def rows_of(services: AppServices, district: District, table: type) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(table)) or 0


async def test_a_secretary_plans_records_and_takes_attendance(
    browser: Browser, services: AppServices, district: District, points: PointsRoster
) -> None:
    await browser.login(district.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/orglife/meetings/new")
    assert page.status_code == 200 and "党课" in page.text and "第一党小组" in page.text
    day = clock.today() - timedelta(days=1)
    form = {"unit_id": str(points.roster.branch_1), "kind": "lecture", "topic": "学习党章",
            "day": day.isoformat(), "time": "9:30", "place": "活动室", "host_name": "王书记",
            "recorder_name": ""}  # fmt: skip
    refused = await browser.post("/orglife/meetings", {**form, "topic": ""})
    assert refused.status_code == 422 and shown("Please give the topic.") in refused.text
    planned = await browser.post("/orglife/meetings", form)
    assert planned.status_code == 303
    match = MEETING_URL.search(planned.headers["location"])
    assert match
    meeting = match.group(1)
    listed = await browser.get("/orglife/meetings")
    assert "学习党章" in listed.text and shown("To record") in listed.text
    changed = await browser.post(f"/orglife/meetings/{meeting}", {**form, "place": "会议室"})
    assert changed.status_code == 303
    assert "会议室" in (await browser.get(f"/orglife/meetings/{meeting}")).text

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    await browser.get(f"/orglife/meetings/{meeting}/record")
    future = await browser.post(f"/orglife/meetings/{meeting}/record",
                                {"held_on": tomorrow, "minutes": "纪要"})  # fmt: skip
    assert future.status_code == 422
    assert shown(FUTURE, date=tomorrow) in future.text
    bad_file = await browser.post(
        f"/orglife/meetings/{meeting}/record", {"held_on": day.isoformat(), "minutes": "纪要"},
        files=[("files", ("纪要.pdf", b"MZ not a pdf", "application/pdf"))],
    )  # fmt: skip
    assert bad_file.status_code == 422 and "纪要.pdf" in bad_file.text
    assert await rows_of(services, district, MeetingFile) == 0
    recorded = await browser.post(
        f"/orglife/meetings/{meeting}/record",
        {"held_on": day.isoformat(), "minutes": "学习了党章"},
        files=[("photos", ("现场.png", png(), "image/png")),
               ("files", ("签到表.pdf", b"%PDF-1.4 sign-in sheet", "application/pdf"))],
    )  # fmt: skip
    assert recorded.status_code == 303

    sheet = await browser.get(f"/orglife/meetings/{meeting}/attendance")
    assert sheet.status_code == 200
    assert "党员甲" in sheet.text and "老党员丙" in sheet.text and "党员丁" not in sheet.text
    marks = {f"p-{points.member_a}": "present", f"p-{points.member_b}": "absent",
             f"p-{points.exempt}": "excused", f"r-{points.exempt}": "", "taken": "0"}  # fmt: skip
    no_reason = await browser.post(f"/orglife/meetings/{meeting}/attendance", marks)
    assert no_reason.status_code == 422
    assert shown("Please give the reason for leave.") in no_reason.text
    assert await rows_of(services, district, Attendance) == 0
    forged = await browser.post(f"/orglife/meetings/{meeting}/attendance",
                                {**marks, f"r-{points.exempt}": "住院",
                                 f"p-{points.member_d}": "present"})  # fmt: skip
    assert forged.status_code == 422 and shown(NOT_EXPECTED) in forged.text
    assert await rows_of(services, district, Attendance) == 0
    marks[f"p-{points.exempt}"] = "present"
    saved = await browser.post(f"/orglife/meetings/{meeting}/attendance", marks)
    assert saved.status_code == 200
    assert shown("No points for these members") in saved.text and "老党员丙" in saved.text
    assert await rows_of(services, district, Attendance) == 3

    page = await browser.get(f"/orglife/meetings/{meeting}")
    files = re.findall(r'href="(/orglife/meetings/(?:files|photos)/[0-9a-f-]{36})"', page.text)
    assert len(set(files)) == 2
    downloads = [await browser.get(url) for url in dict.fromkeys(files)]
    assert {d.headers["content-type"].split(";")[0] for d in downloads} == {
        "image/jpeg", "application/pdf"}  # fmt: skip
    pdf = next(d for d in downloads if d.headers["content-type"].startswith("application/pdf"))
    assert "attachment" in pdf.headers["content-disposition"] and pdf.content.startswith(b"%PDF")
    photo = next(url for url in files if "/photos/" in url)
    assert "content-disposition" not in downloads[files.index(photo)].headers  # shown in place
    saved_photo = await browser.get(photo.replace("/photos/", "/files/"))
    assert saved_photo.headers["content-disposition"].startswith("attachment;")


async def test_cancel_and_other_branches(
    browser: Browser, services: AppServices, district: District, points: PointsRoster
) -> None:
    other = await held_meeting(services, district, points.roster.branch_2, role=Role.TENANT_ADMIN)
    await browser.login(district.users[Role.BRANCH_SECRETARY])
    assert (await browser.get(f"/orglife/meetings/{other}")).status_code == 404
    assert (await browser.get(f"/orglife/meetings/{other}/attendance")).status_code == 404
    assert "学习党的二十届" not in (await browser.get("/orglife/meetings?tab=past")).text
    day = (clock.today() + timedelta(days=3)).isoformat()
    form = {"unit_id": str(points.roster.branch_2), "kind": "lecture", "topic": "越权",
            "day": day, "time": "09:00"}  # fmt: skip
    await browser.get("/orglife/meetings/new")
    refused = await browser.post("/orglife/meetings", form)
    assert refused.status_code == 422
    assert shown("Please choose one of your branches or party groups.") in refused.text
    group = await browser.post("/orglife/meetings", {**form, "unit_id": str(points.roster.branch_1),
                                                     "kind": "group"})  # fmt: skip
    assert group.status_code == 422
    planned = await browser.post(
        "/orglife/meetings", {**form, "unit_id": str(points.roster.branch_1)}
    )
    meeting = UUID(planned.headers["location"].rsplit("/", 1)[1])
    assert (await browser.post(f"/orglife/meetings/{meeting}/cancel")).status_code == 303
    again = await browser.post(f"/orglife/meetings/{meeting}/cancel")
    assert again.status_code == 303
    page = await browser.get(again.headers["location"])
    assert shown("Only a planned meeting can be changed or cancelled.") in page.text
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.get(Meeting, {"tenant_id": district.tenant_id, "id": meeting})
    assert found is not None and found.status == MeetingStatus.CANCELLED


async def test_a_member_cannot_open_meetings(
    browser: Browser, district: District, points: PointsRoster
) -> None:
    await browser.login(district.users[Role.MEMBER])
    assert (await browser.get("/orglife/meetings")).status_code in (403, 404)
