"""The roster issue's "done when": a district admin imports a messy roster through the
browser, fixes nothing, commits the good rows and finds a person by pinyin initials —
on a phone and on a desktop. The dry run and the commit are the worker's jobs.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect
from python_calamine import CalamineWorkbook

from app.core.roles import Role
from app.state import AppServices
from e2e.test_pages import log_in, open_from_menu
from tests import rosters
from tests.factories import World, make_roster

# Rows the file gets wrong: the column as the file names it and the reason in Chinese.
BAD = {
    "卫建军": ("身份证号码", "校验码不对"),  # wrong check digit
    "沈立新": ("出生年月", "没有 13 月"),  # month 13
    "钱玉成": ("身份证号码", "后几位已经丢失"),  # typed as a number: digits lost
}
# Rows imported without a contact value: the column and the reason, apart from problems.
WARNED = {
    "韩长生": ("手机", "手机号码是 11 位"),  # 10 digits
    "杨秀梅": ("手机", "不是在用的手机号段"),  # 154 is no mobile range
}
WORKER_TIMEOUT = 30_000  # ms: the worker polls its queue every half second


async def test_import_a_messy_roster_and_find_a_person_by_pinyin(
    new_context, shoot, world: World, services: AppServices, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    await make_roster(services, world.a)  # 第一支部 and 第二支部 exist; 第九支部 does not
    roster_file = tmp_path / "历下区花名册.xlsx"
    roster_file.write_bytes(rosters.messy_roster_xlsx())

    page = await (await new_context()).new_page()
    await log_in(page, world.a.users[Role.TENANT_ADMIN])
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="花名册").click()
    await page.get_by_role("link", name="从 Excel 导入").click()
    await expect(page.get_by_role("heading", name="导入花名册")).to_be_visible()
    await shoot(page, "roster-1-upload")

    await page.get_by_label("花名册文件").set_input_files(roster_file)
    await page.get_by_role("button", name="检查文件").click()
    await expect(page.get_by_role("heading", name=roster_file.name)).to_be_visible()

    # The page asks again by itself until the worker's dry run is done.
    good = len(rosters.GOOD_NAMES) + len(rosters.WARNED_ROWS)
    commit = page.get_by_role("button", name=f"只导入没有问题的 {good} 行", exact=True)
    await expect(commit).to_be_visible(timeout=WORKER_TIMEOUT)
    await expect(page.get_by_text("将新建支部：")).to_contain_text(rosters.UNKNOWN_BRANCH)
    rows = page.locator("#import-rows tbody tr")
    await expect(rows).to_have_count(len(rosters.BAD_ROWS))  # problems are shown first
    for name, (column, reason) in BAD.items():
        row = rows.filter(has_text=name)
        await expect(row).to_have_count(1)
        await expect(row.locator(".problem")).to_contain_text(column)
        await expect(row.locator(".problem")).to_contain_text(reason)
    await shoot(page, "roster-2-dry-run")
    await page.locator("#import-rows").get_by_role("link", name="提醒").click()
    await expect(rows).to_have_count(len(rosters.WARNED_ROWS))
    for name, (column, reason) in WARNED.items():
        warning = rows.filter(has_text=name).locator(".warning").first
        await expect(warning).to_contain_text(column)
        await expect(warning).to_contain_text(reason)
        await expect(warning).to_contain_text("此项不导入")
    await expect(rows.locator(".problem")).to_have_count(0)
    await shoot(page, "roster-2b-warnings")

    # Health notes propose the infirm flag; only what the admin confirms is marked.
    await page.locator("#import-rows").get_by_role("link", name="年迈体弱建议").click()
    await expect(rows).to_have_count(len(rosters.INFIRM_PROPOSED))
    chen = rows.filter(has_text="陈桂兰")
    await expect(chen.locator(".proposal")).to_contain_text("脑梗后长期卧床")
    await chen.get_by_role("button", name="确认年迈体弱").click()
    await expect(chen.locator(".proposal")).to_contain_text("已确认")
    await expect(rows.filter(has_text="何凤英").locator(".proposal")).to_contain_text("建议")
    await shoot(page, "roster-2c-infirm")

    await commit.click()
    await expect(page.get_by_text("导入完成")).to_be_visible(timeout=WORKER_TIMEOUT)
    await expect(page.get_by_text(f"新增 {good} 人")).to_be_visible()
    await expect(page.get_by_text("其中 1 人按健康状况确认")).to_be_visible()  # 陈桂兰 only
    # The rows with problems are still there to fix, and download as a file to fix.
    await expect(rows).to_have_count(len(rosters.BAD_ROWS))
    await expect(rows.filter(has_text="沈立新").locator(".problem")).to_contain_text("没有 13 月")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="下载要修改的行（Excel）").click()
    download = await downloading.value
    sheet = CalamineWorkbook.from_path(str(await download.path())).get_sheet_by_index(0)
    table = sheet.to_python()
    assert table[0][:3] == ["导入问题", "原行号", "姓名"]
    assert len(table) == 1 + len(rosters.BAD_ROWS) + len(rosters.WARNED_ROWS)
    await shoot(page, "roster-3-imported")
    await page.locator("#import-rows").get_by_role("link", name="提醒").click()
    await expect(rows).to_have_count(len(rosters.WARNED_ROWS))
    await expect(rows.first.get_by_role("link")).to_be_visible()  # to the person, to fill in
    await expect(rows.first.locator(".warning")).to_contain_text("此项没有导入")
    await shoot(page, "roster-3b-imported-warnings")

    await page.get_by_role("link", name="打开花名册").click()
    await expect(page.get_by_role("heading", name="花名册", exact=True)).to_be_visible()
    await settled(page)
    await mark(page)
    search = page.get_by_role("searchbox", name="查找")
    await search.press_sequentially("zjg")
    results = page.locator("#results")
    await expect(results.locator("tbody tr")).to_have_count(1)
    await expect(results).to_contain_text("找到 1 人")
    await expect(page).to_have_url(re.compile(r"/people\?.*q=zjg"))
    assert await still_marked(page), "the search reloaded the page instead of #results"
    await shoot(page, "roster-4-search")

    await results.get_by_role("link", name="张建国").click()
    await expect(page.get_by_role("heading", name="张建国")).to_be_visible()
    facts = page.locator(".facts")
    await expect(facts).to_contain_text("高血压，按时服药")
    await expect(facts).to_contain_text("第一支部 · 第一党小组")
    await expect(facts).to_contain_text("张小明")
    await shoot(page, "roster-5-person")

    # The admin names him secretary of 第一支部 and invites him from his page: accepting
    # links the account to him, so his first roster is the branch.
    person_url = page.url
    await page.goto("/org")
    await page.locator("a.tree__link", has_text="第一支部").first.click()
    await page.get_by_label("选择").select_option(label="张建国（第一支部 / 第一党小组）")
    await page.get_by_role("button", name="保存").first.click()
    await expect(page.get_by_text("已保存")).to_be_visible()
    await page.goto(person_url)
    await page.get_by_role("link", name="邀请此人登录").click()
    await expect(page.get_by_label("姓名")).to_have_value("张建国")
    await expect(page.get_by_label("手机号码")).to_have_value("13800138000")
    await page.get_by_label("角色").select_option(label="支部书记")
    await page.get_by_role("button", name="生成邀请链接").click()
    await expect(page.get_by_text("接受邀请后，账号会关联到花名册中的张建国")).to_be_visible()
    await shoot(page, "roster-6-invite-secretary")
    link = await page.locator("#one-time-link").input_value()
    secretary = await (await new_context()).new_page()
    await secretary.goto(link)
    await secretary.get_by_label("密码", exact=True).fill("Zhang-2026x")
    await secretary.get_by_label("再次输入密码").fill("Zhang-2026x")
    await secretary.get_by_role("button", name="创建我的账号").click()
    await secretary.wait_for_url("**/dashboard")
    await open_from_menu(secretary, "花名册")
    await expect(secretary.locator("#results")).to_contain_text("张建国")
    await expect(secretary.get_by_text("还不是任何单位的负责人")).to_have_count(0)
    await expect(secretary.get_by_role("link", name="添加人员")).to_be_visible()
    await shoot(secretary, "roster-7-secretary-roster")


async def settled(page: Page) -> None:
    """htmx wires up swapped-in content when the swap settles (20 ms later): keys typed
    before that reach a form that does not search yet. People are slower than that."""
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-swapping, .htmx-settling, .htmx-request')"
    )


async def mark(page: Page) -> None:
    """Marks that survive only if neither a reload nor a boosted navigation happens."""
    await page.evaluate(
        "() => { window.__kept = true; document.querySelector('form.filters').dataset.kept = '1'; }"
    )


async def still_marked(page: Page) -> bool:
    return await page.evaluate(
        "() => window.__kept === true"
        " && document.querySelector('form.filters')?.dataset.kept === '1'"
    )
