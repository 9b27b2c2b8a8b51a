"""A bureau signs up, its province approves, its admin logs in: on a desktop and a phone."""

from __future__ import annotations

from playwright.async_api import expect

from tests.factories import PASSWORD, World


async def test_signup_approval_login_dashboard(new_context, shoot, world: World) -> None:  # type: ignore[no-untyped-def]
    bureau = await (await new_context()).new_page()
    await bureau.goto("/")
    await bureau.get_by_role("link", name="区局注册").click()
    await expect(bureau.get_by_role("heading", name="区局注册")).to_be_visible()

    await bureau.get_by_label("区局全称").fill("济南市历下区退役军人事务局")
    await bureau.get_by_label("网址简称").fill("lixia")
    await bureau.get_by_label("省份").select_option(label="山东省")
    await bureau.get_by_label("行政区划代码").fill("110101")  # a Beijing code: wrong
    await bureau.get_by_text("亮化记分（兖州模式）").click()
    await bureau.get_by_label("姓名").fill("王建国")
    await bureau.get_by_label("手机号码").fill("138 0013 8000")
    await bureau.get_by_label("密码", exact=True).fill("Lixia-2026")
    await bureau.get_by_label("再次输入密码").fill("Lixia-2026")
    await bureau.get_by_role("button", name="提交申请").click()

    error = bureau.locator("#e-region_code")
    await expect(error).to_have_text("⚠ 前两位必须与所选省份一致。".removeprefix("⚠ "))
    await expect(bureau.get_by_label("区局全称")).to_have_value("济南市历下区退役军人事务局")
    await shoot(bureau, "signup-error")
    await bureau.get_by_label("行政区划代码").fill("370102")
    await bureau.get_by_label("密码", exact=True).fill("Lixia-2026")
    await bureau.get_by_label("再次输入密码").fill("Lixia-2026")
    await bureau.get_by_role("button", name="提交申请").click()
    await expect(bureau.get_by_role("heading", name="申请已提交")).to_be_visible()
    await shoot(bureau, "signup-submitted")

    province = await (await new_context()).new_page()
    await province.goto("/login")
    await province.get_by_label("手机号码").fill(world.viewer_37.phone)
    await province.get_by_label("密码").fill(PASSWORD)
    await province.get_by_role("button", name="登录").click()
    await province.get_by_role("link", name="注册审批").click()
    item = province.locator("li", has_text="济南市历下区退役军人事务局")
    await expect(item).to_be_visible()
    await shoot(province, "approvals")
    await item.get_by_role("button", name="通过", exact=True).click()
    await expect(province.get_by_text("已通过。该区局管理员现在可以登录了。")).to_be_visible()

    await bureau.goto("/login")
    await bureau.get_by_label("手机号码").fill("13800138000")
    await bureau.get_by_label("密码").fill("Lixia-2026")
    await bureau.get_by_role("button", name="登录").click()
    await expect(bureau.get_by_role("heading", name="您好，王建国")).to_be_visible()
    await expect(bureau.locator(".brand__tenant")).to_have_text("济南市历下区退役军人事务局")
    await shoot(bureau, "dashboard")
    await bureau.get_by_role("link", name="操作记录").click()
    await expect(bureau.get_by_text("通过了注册申请")).to_be_visible()
    await expect(bureau.get_by_text("提交了注册申请")).to_be_visible()
    await shoot(bureau, "audit")
