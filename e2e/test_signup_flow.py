"""A bureau signs up, its province approves, its admin logs in: on a desktop and a phone."""

from __future__ import annotations

from playwright.async_api import expect

from e2e.test_pages import open_from_menu
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

    # The first steps a new district takes, none done yet; each links to its page.
    card = bureau.locator("#setup")
    await expect(card.locator(".setup-step")).to_have_count(5)
    await expect(card.locator(".setup-step.is-done")).to_have_count(0)
    rules = card.locator('[data-step="point_rules"]')
    await rules.get_by_role("button", name="规则合适，不用改").click()
    await expect(bureau.get_by_text("已标记为完成。")).to_be_visible()
    await expect(rules).to_have_class("setup-step is-done")

    # The admin invites a grid worker from the card; the link logs them straight in.
    await card.get_by_role("link", name="邀请支部书记和网格员").click()
    await bureau.get_by_label("姓名").fill("李网格")
    await bureau.get_by_label("手机号码").fill("13800138001")
    await bureau.get_by_label("角色").select_option(label="网格员")
    await bureau.get_by_role("button", name="生成邀请链接").click()
    link = await bureau.locator("#one-time-link").input_value()
    worker = await (await new_context()).new_page()
    await worker.goto(link)
    await worker.get_by_label("密码", exact=True).fill("Wangge-2026")
    await worker.get_by_label("再次输入密码").fill("Wangge-2026")
    await shoot(worker, "invitation")
    await worker.get_by_role("button", name="创建我的账号").click()
    await worker.wait_for_url("**/grid")  # a grid worker's home: the due list
    await expect(worker.get_by_text("账号已创建，欢迎使用！")).to_be_visible()
    await expect(worker.locator(".whoami")).to_have_text("李网格")
    await shoot(worker, "invited-worker-home")
    # The link, opened again, says it was used and where to log in — nothing more.
    reused = await (await new_context()).new_page()
    await reused.goto(link)
    await expect(reused.get_by_role("heading", name="此链接已使用，请直接登录。")).to_be_visible()
    await expect(reused.get_by_text("李网格")).to_have_count(0)
    await shoot(reused, "invitation-used")
    await reused.locator(".card").get_by_role("link", name="登录").click()
    await expect(reused.get_by_role("heading", name="登录")).to_be_visible()

    await bureau.goto("/dashboard")
    invitations = card.locator('[data-step="invitations"]')
    await expect(invitations).to_contain_text("还没有邀请支部书记")
    await card.get_by_role("button", name="隐藏入门步骤").click()
    await expect(card).to_have_count(0)
    await expect(bureau.get_by_role("button", name="显示入门步骤")).to_be_visible()
    await bureau.reload()
    await expect(card).to_have_count(0)  # hidden for good, until shown again
    await shoot(bureau, "dashboard-steps-hidden")
    await open_from_menu(bureau, "操作记录")
    await expect(bureau.get_by_text("通过了注册申请")).to_be_visible()
    await expect(bureau.get_by_text("提交了注册申请")).to_be_visible()
    await shoot(bureau, "audit")

    # Another bureau's signup is rejected with a reason: its applicant, logging in on
    # their phone or desk, is told the reason and offered to apply again.
    other = await (await new_context()).new_page()
    await other.goto("/signup")
    await other.get_by_label("区局全称").fill("济南市市中区退役军人事务局")
    await other.get_by_label("网址简称").fill("shizhong")
    await other.get_by_label("省份").select_option(label="山东省")
    await other.get_by_label("行政区划代码").fill("370103")
    await other.get_by_text("亮化记分（兖州模式）").click()
    await other.get_by_label("姓名").fill("刘海")
    await other.get_by_label("手机号码").fill("13800138009")
    await other.get_by_label("密码", exact=True).fill("Shizhong-2026")
    await other.get_by_label("再次输入密码").fill("Shizhong-2026")
    await other.get_by_role("button", name="提交申请").click()
    await expect(other.get_by_role("heading", name="申请已提交")).to_be_visible()
    await province.goto("/approvals")
    pending = province.locator("li", has_text="济南市市中区退役军人事务局")
    await pending.get_by_label("不通过的原因").fill("请用区局公章扫描件核实申请人")
    await pending.get_by_role("button", name="不通过").click()
    await expect(province.get_by_text("请用区局公章扫描件核实申请人")).to_be_visible()
    await other.goto("/login")
    await other.get_by_label("手机号码").fill("13800138009")
    await other.get_by_label("密码").fill("Shizhong-2026")
    await other.get_by_role("button", name="登录").click()
    refusal = other.locator(".form-error")
    await expect(refusal).to_contain_text("原因：请用区局公章扫描件核实申请人")
    await expect(refusal.get_by_role("link", name="重新申请注册")).to_have_attribute(
        "href", "/signup"
    )
    await shoot(other, "signup-rejected-login")
