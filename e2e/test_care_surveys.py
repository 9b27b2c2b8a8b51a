"""The survey's "done when", on a Pixel 7 and a desktop: four members have answered a
survey of their branch (through the service, as their phones would), the fifth answers
on the phone from the menu, and the district admin then sees the results and the
satisfaction rate; the admin also makes a survey from its form."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests.care_surveys import answer, answers, branch_members, open_survey
from tests.factories import World, make_points_roster


async def test_a_member_answers_on_a_phone_and_the_admin_sees_the_result(
    new_context, shoot, world: World, services: AppServices, device: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    points = await make_points_roster(services, world.a)
    survey = await open_survey(services, world.a, points.roster.branch_1)
    for person, mark in zip(
        await branch_members(services, world.a, points.roster.branch_1, 4), (5, 4, 5, 3),
        strict=True,
    ):  # fmt: skip
        await answer(services, world.a, person, survey, answers(mark, 0, "服务周到"))

    member = await (await new_context()).new_page()
    await log_in(member, world.a.users[Role.MEMBER])  # 党员甲 of 第一支部
    await open_from_menu(member, "待填的调查")
    await expect(member.locator("h1")).to_have_text("待填的调查")
    await member.get_by_role("link", name="为老服务满意度调查 · 去作答").click()
    await expect(member.locator("h1")).to_have_text("为老服务满意度调查")
    await expect(member.locator(".survey-anonymous")).to_contain_text("不记名")
    await member.get_by_role("button", name="提交答卷").click()  # nothing chosen
    await expect(member.locator(".form-error")).to_be_visible()
    await expect(member.locator(".field__error").first).to_have_text("请选择这道题的答案。")
    await member.locator("label.chip", has_text="5 · 非常满意").click()
    await member.locator("label.chip", has_text="比较及时").click()
    await member.locator("textarea[name=q3]").fill("希望多组织健康讲座")
    await shoot(member, "care-survey-1-answer")
    await member.get_by_role("button", name="提交答卷").click()
    await expect(member.locator(".flash--success")).to_contain_text("谢谢您")
    await expect(member.locator("main")).to_contain_text("已作答，谢谢您")
    await shoot(member, "care-survey-2-answered")

    admin = await (await new_context()).new_page()
    await log_in(admin, world.a.users[Role.TENANT_ADMIN])
    await admin.goto("/care/surveys")
    await admin.get_by_role("link", name="为老服务满意度调查").click()
    results = admin.locator("#results")
    await expect(results).to_contain_text("满意率")
    await expect(results).to_contain_text("80.0%")  # 5, 4, 5, 3 and the member's 5
    await expect(results).to_contain_text("希望多组织健康讲座")
    await expect(admin.locator(".survey-qr")).to_be_visible()
    await shoot(admin, "care-survey-3-results")
    await admin.get_by_role("link", name="打印二维码").click()
    await expect(admin.locator(".survey-poster__qr")).to_be_visible()
    await shoot(admin, "care-survey-4-poster")

    await admin.goto("/care/surveys/new")
    await admin.get_by_label("调查标题").fill("重阳节活动满意度调查")
    await admin.locator("label.chip", has_text="第一支部").click()
    await admin.get_by_role("button", name="创建调查").click()
    await expect(admin.locator(".flash--success")).to_contain_text("请添加题目")
    await admin.locator("label.chip", has_text="单选题").click()
    await admin.get_by_label("题目", exact=True).fill("活动安排得好吗？")
    await admin.get_by_label("选项（仅“单选题”填写），每行一个").fill("很好\n一般\n不好")
    await admin.get_by_role("button", name="添加这道题").click()
    await expect(admin.locator(".survey-questions")).to_contain_text("活动安排得好吗？")
    await shoot(admin, "care-survey-5-draft")
    await admin.get_by_role("button", name="开始调查").click()
    await expect(admin.locator(".flash--success")).to_contain_text("调查已开始")
    await expect(admin.locator("#results")).to_contain_text("已有 0 人作答，满 5 人后显示结果")
