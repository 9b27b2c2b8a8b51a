"""The survey over HTTP: the admin makes one, adds questions (bad ones refused in
Chinese), opens it and gets its QR code; a member answers on the phone form once, a
wrong form and a second answer are refused with nothing written, someone of another
branch is told why; the results show from the fifth answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.care.surveys.models import Participant, Survey
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.care_surveys import answer, answers, branch_members, open_survey
from tests.factories import PointsRoster, World, make_points_roster
from tests.http.conftest import Browser, shown


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def count(services: AppServices, world: World, model: type) -> int:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_admin_makes_and_opens_a_survey(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    listed = await browser.get("/care/surveys")
    assert listed.status_code == 200 and "新建调查" in listed.text
    form = await browser.get("/care/surveys/new")
    assert "全区" in form.text and "第一支部" in form.text and "第一党小组" not in form.text
    refused = await browser.post("/care/surveys", {"title": "", "scope": "nowhere"})
    assert refused.status_code == 422
    assert "请填写调查标题。" in refused.text and "请选择调查对象。" in refused.text
    assert await count(services, world, Survey) == 0
    made = await browser.post("/care/surveys", {"title": "服务满意度调查", "scope": "district"})
    assert made.status_code == 303
    page_url = made.headers["location"]
    survey_id = page_url.rsplit("/", 1)[1]
    bad = await browser.post(f"{page_url}/questions",
                             {"kind": "choice", "text": "及时吗？", "options": "及时"})  # fmt: skip
    assert bad.status_code == 422 and "请填写 2 到 8 个选项，每行一个。" in bad.text
    empty = await browser.post(f"{page_url}/open")
    assert empty.status_code == 303
    assert "请至少添加一道题，再开始调查。" in (await browser.get(page_url)).text
    for question in ({"kind": "rating", "text": "您对服务满意吗？"},
                     {"kind": "choice", "text": "走访及时吗？", "options": "及时\n不及时"},
                     {"kind": "text", "text": "意见建议"}):  # fmt: skip
        assert (await browser.post(f"{page_url}/questions", question)).status_code == 303
    removed = await browser.post(f"{page_url}/questions/remove", {"position": "3"})
    assert removed.status_code == 303
    assert (await browser.post(f"{page_url}/open")).status_code == 303
    page = await browser.get(page_url)
    assert "进行中" in page.text and "data:image/svg+xml" in page.text
    assert f"/care/my-surveys/{survey_id}" in page.text
    assert "已有 0 人作答，满 5 人后显示结果。" in page.text
    assert "意见建议" not in page.text  # removed
    poster = await browser.get(f"{page_url}/poster")
    assert poster.status_code == 200 and "data:image/svg+xml" in poster.text
    late = await browser.post(f"{page_url}/questions", {"kind": "text", "text": "再加一题"})
    assert late.status_code == 422 and "调查开始后不能再修改题目。" in late.text


async def test_a_member_answers_once_and_others_are_told_why(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    survey = await open_survey(services, world.a, points.roster.branch_1)
    elsewhere = await open_survey(services, world.a, points.roster.branch_2, title="二支部调查")
    await browser.login(world.a.users[Role.MEMBER])  # 党员甲 of 第一支部
    mine = await browser.get("/care/my-surveys")
    assert "为老服务满意度调查" in mine.text and "二支部调查" not in mine.text
    form = await browser.get(f"/care/my-surveys/{survey}")
    assert form.status_code == 200 and "本调查不记名" in form.text
    assert form.text.count('type="radio" name="q1"') == 5
    missing = await browser.post(f"/care/my-surveys/{survey}", {"q1": "5", "q3": "很好"})
    assert missing.status_code == 422 and "请选择这道题的答案。" in missing.text
    assert "很好" in missing.text  # what was typed comes back
    assert await count(services, world, Participant) == 0
    sent = await browser.post(f"/care/my-surveys/{survey}", answers(5, 1, "很好"))
    assert sent.status_code == 303 and sent.headers["location"] == "/care/my-surveys"
    again = await browser.post(f"/care/my-surveys/{survey}", answers(1))
    assert again.status_code == 422
    assert "您已经填过这份调查了，每人只能填一次。谢谢您！" in again.text
    assert await count(services, world, Participant) == 1
    assert "已作答，谢谢您" in (await browser.get("/care/my-surveys")).text
    outside = await browser.get(f"/care/my-surveys/{elsewhere}")
    assert outside.status_code == 403
    assert "这份调查只请第二支部的党员填写，您不在其中，不能作答。" in outside.text
    posted = await browser.post(f"/care/my-surveys/{elsewhere}", answers(5))
    assert posted.status_code == 403 and "您不在其中" in posted.text
    assert await count(services, world, Participant) == 1


async def test_results_show_from_the_fifth_answer(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    survey = await open_survey(services, world.a, points.roster.branch_1)
    people = await branch_members(services, world.a, points.roster.branch_1, 6)
    for person in people[:3]:
        await answer(services, world.a, person, survey, answers(5, 0, "服务周到"))
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])  # leads 第一支部
    page = await browser.get(f"/care/surveys/{survey}")
    assert "已有 3 人作答，满 5 人后显示结果。" in page.text and "满意率" not in page.text
    assert "服务周到" not in page.text
    for person in people[3:5]:
        await answer(services, world.a, person, survey, answers(2, 1, "服务周到"))
    page = await browser.get(f"/care/surveys/{survey}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "满意率 60.0%" in text and "平均 3.8 分" in text
    assert "（打分题，1 到 5 分）" in text  # one pair of brackets, not two
    assert text.count("服务周到") == 5
    await answer(services, world.a, people[5], survey, answers(1, 2, "服务周到"))
    assert "还有 1 份答卷待计入" in (await browser.get(f"/care/surveys/{survey}")).text
    # One tap without ticking "I am sure" closes nothing.
    unsure = await browser.post(f"/care/surveys/{survey}/close")
    assert unsure.status_code == 303
    page = await browser.get(f"/care/surveys/{survey}")
    assert shown("To close the survey, tick the box that says you are sure.") in page.text
    assert shown("Print the QR code") in page.text
    closed = await browser.post(f"/care/surveys/{survey}/close", {"confirm": "yes"})
    assert closed.status_code == 303
    page = await browser.get(f"/care/surveys/{survey}")
    assert "已结束" in page.text and "最后 1 份答卷没有计入" in page.text
    assert page.text.count("服务周到") == 5  # the sixth answer is not shown
    # Closed: no QR code, no link to answer, no poster to print.
    assert shown("Print the QR code") not in page.text and "survey-qr" not in page.text
    poster = await browser.get(f"/care/surveys/{survey}/poster")
    assert shown("The survey is closed. No more answers are taken.") in poster.text
    assert "survey-poster__qr" not in poster.text
