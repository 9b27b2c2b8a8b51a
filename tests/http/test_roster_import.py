"""Roster upload through the browser, including the bad files the issue lists."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import World, add_person
from tests.http.conftest import Browser, shown
from tests.service.test_roster_import import apply, check, id_number, small_roster

ZHANG = id_number("370102", "19491001", "123")


async def upload(browser: Browser, name: str, data: bytes, category: str = "") -> object:
    await browser.get("/people/imports")
    return await browser.client.post(
        "/people/imports",
        data={"_csrf_token": browser.token, "default_category": category},
        files={"file": (name, data, "application/octet-stream")},
    )


async def checked(services: AppServices, world: World, location: str) -> UUID:
    """Run the worker's dry run for the import the browser was sent to."""
    import_id = UUID(location.rsplit("/", 1)[-1])
    with tenant_scope(world.a.tenant_id):
        await check(services, import_id)
    return import_id


async def count_people(owner_db: Database) -> int:
    async with owner_db.engine.connect() as conn:
        return (await conn.execute(text("select count(*) from people"))).scalar_one()


async def test_upload_check_and_commit_the_good_rows(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    rows = [
        [1, "张建国", "男", "1949.10", ZHANG, "138 0013 8000", "第一支部", "军休干部"],
        [2, "王错", "男", "1950.13", "370102195001011230", "1380013", "第一支部", "军休干部"],
    ]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "花名册.xlsx", small_roster(rows))
    assert response.status_code == 303
    import_id = await checked(services, world, response.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert "没有 13 月" in page and "出生年月" in page  # the column as the file names it
    assert "只导入没有问题的 1 行" in page and "将新建支部" in page
    assert await count_people(owner_db) == 0  # the dry run wrote nobody
    refused = await browser.post(f"/people/imports/{import_id}/commit", {"mode": "all"})
    assert refused.status_code == 303 and await count_people(owner_db) == 0
    committed = await browser.post(f"/people/imports/{import_id}/commit", {"mode": "good"})
    assert committed.status_code == 303
    with tenant_scope(world.a.tenant_id):
        assert await apply(services, import_id) == "committed"
    assert await count_people(owner_db) == 1
    assert "导入完成" in (await browser.get(f"/people/imports/{import_id}")).text
    again = await browser.post(f"/people/imports/{import_id}/commit", {"mode": "good"})
    assert again.status_code == 303 and await count_people(owner_db) == 1


async def test_an_id_number_of_another_district_is_not_a_clash(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    """Lookups by ID number are keyed per district: B's person is invisible to A's import."""
    await add_person(services, world.b, "别人", None, id_number=ZHANG)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    rows = [[1, "张建国", "男", "1949.10", ZHANG, "13800138000", "第一支部", "军休干部"]]
    response = await upload(browser, "a.xlsx", small_roster(rows))
    import_id = await checked(services, world, response.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}?show=all")).text
    assert "别人" not in page and "新增人员" in page


async def test_bad_files_get_a_clear_message_and_write_nothing(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    empty = await upload(browser, "空.xlsx", b"")
    assert empty.status_code == 422 and "文件是空的" in empty.text
    for name, data, reason in (
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不是"),
        ("说明.csv", "这是一段说明文字\n没有表头\n".encode(), "找不到表头"),
    ):
        response = await upload(browser, name, data)
        assert response.status_code == 303, name
        import_id = await checked(services, world, response.headers["location"])
        page = (await browser.get(f"/people/imports/{import_id}")).text
        assert reason in page, name
    huge = await upload(browser, "大.xlsx", b"0" * (50 * 1024 * 1024))
    assert huge.status_code == 413 and "文件太大" in huge.text
    assert await count_people(owner_db) == 0
    assert (await browser.get("/people")).status_code == 200  # and the server still answers


async def test_the_dry_run_shows_warnings_apart_from_problems(
    browser: Browser, world: World, services: AppServices
) -> None:
    rows = [
        [1, "张建国", "男", "1949.10", ZHANG, "15412345678", "第一支部", "军休干部"],
        [2, "王错", "男", "1950.13", "", "13800138000", "第一支部", "军休干部"],
    ]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "花名册.xlsx", small_roster(rows))
    import_id = await checked(services, world, response.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}?show=all")).text
    warning = page[page.index('class="warning"') :][:400]
    assert "手机" in warning and "不是在用的手机号段" in warning and "此项不导入" in warning
    problem = page[page.index('class="problem"') :][:300]
    assert "没有 13 月" in problem
    assert "共 2 行：新增 1 行、更新 0 行、无变化 0 行、不能导入 1 行" in page
    assert "有 1 行会空出填错的项" in page
    assert "只导入没有问题的 1 行" in page and "导入整个文件" not in page
    assert "从第 7 行起是表尾" in page  # 制表人：王某, under the two rows


async def test_the_admin_confirms_the_infirm_proposals_before_the_commit(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    rows = [
        [1, "张建国", "男", "1949.10", ZHANG, "", "第一支部", "军休干部", "脑梗后长期卧床"],
        [2, "王二", "男", "1950.02", "", "", "第一支部", "军休干部", "失能"],
        [3, "李三", "男", "1951.03", "", "", "第一支部", "军休干部", "不卧床"],
    ]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "花名册.xlsx", small_roster(rows, ("身体状况",)))
    import_id = await checked(services, world, response.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert "建议标为年迈体弱" in page and "2" in page
    english = (await browser.get(f"/people/imports/{import_id}?lang=en")).text
    assert "Proposed as infirm" in english and "Infirm?" not in english  # a tab, not a question
    await browser.get(f"/people/imports/{import_id}?lang=zh_CN")
    listed = (await browser.get(f"/people/imports/{import_id}?show=infirm")).text
    assert "脑梗后长期卧床" in listed and "王二" in listed and "李三" not in listed
    line = listed[listed.index('name="line" value="') + len('name="line" value="') :][:2]
    # The form swaps the import's body: htmx follows the 303 and asks for that region.
    swaps = {"HX-Request": "true", "HX-Target": "import_body"}
    confirmed = await browser.post(
        f"/people/imports/{import_id}/infirm", {"line": line.strip('"'), "confirmed": "1"},
        headers=swaps,
    )  # fmt: skip
    assert confirmed.status_code == 303
    region = await browser.get(confirmed.headers["location"], headers=swaps)
    assert region.text.lstrip().startswith('<div id="import_body"')
    assert "site-header" not in region.text and region.text.count("已确认") == 1
    mangled = await browser.post(f"/people/imports/{import_id}/infirm", {"line": "x1"})
    assert mangled.status_code == 303
    assert "请从列表中选择" in (await browser.get(mangled.headers["location"])).text
    await browser.post(f"/people/imports/{import_id}/commit", {"mode": "all"})
    with tenant_scope(world.a.tenant_id):
        assert await apply(services, import_id) == "committed"
    async with owner_db.engine.connect() as conn:
        flags = dict((await conn.execute(text("select name, infirm from people"))).all())
    assert flags == {"张建国": True, "王二": False, "李三": False}


async def test_after_the_commit_the_rows_with_problems_stay_listed_and_download(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    rows = [
        [1, "张建国", "男", "1949.10", ZHANG, "15412345678", "第一支部", "军休干部"],
        [2, "王错", "男", "1950.13", "", "13800138000", "第一支部", "军休干部"],
    ]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "花名册.xlsx", small_roster(rows))
    import_id = await checked(services, world, response.headers["location"])
    await browser.post(f"/people/imports/{import_id}/commit", {"mode": "good"})
    with tenant_scope(world.a.tenant_id):
        assert await apply(services, import_id) == "committed"
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert "导入完成" in page and "这里没有行" not in page
    assert "王错" in page and "没有 13 月" in page  # listed, with the reason
    warned = (await browser.get(f"/people/imports/{import_id}?show=warning")).text
    assert "张建国" in warned and "不是在用的手机号段" in warned
    link = f'href="/people/imports/{import_id}/problems.xlsx" hx-boost="false"'
    assert link in page
    download = await browser.get(f"/people/imports/{import_id}/problems.xlsx")
    assert download.status_code == 200
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["content-disposition"]
    assert download.content[:2] == b"PK"
    async with owner_db.engine.connect() as conn:
        audited = (await conn.execute(text(
            "select changes->>'count' from audit_events"
            " where action = 'roster.rows_to_fix_downloaded'"
        ))).scalars().all()  # fmt: skip
        kept = (await conn.execute(text(
            "select problems::text || warnings::text from roster_import_rows"
        ))).scalars().all()  # fmt: skip
    assert audited == ["2"]
    # The values the reasons quote stay only in the rows' encrypted copies.
    assert len(kept) == 2 and not any("15412345678" in k or "1950" in k for k in kept)

    forget = await browser.post(f"/people/imports/{import_id}/forget", {})
    assert forget.status_code == 303
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert "问题行已删除" in page and "王错" not in page
    async with owner_db.engine.connect() as conn:
        deleted = (await conn.execute(text(
            "select changes->>'count' from audit_events where action = 'roster.rows_to_fix_deleted'"
        ))).scalar()  # fmt: skip
    assert deleted == "2"
    gone = await browser.get(f"/people/imports/{import_id}/problems.xlsx")
    assert gone.status_code == 303  # back to the page, which says there is nothing


async def test_a_roster_without_categories_is_told_in_its_own_words_how_to_import(
    browser: Browser, world: World, services: AppServices
) -> None:
    """No 类别 column and no category chosen at upload: every row is refused for it. The
    page names the missing column in Chinese (never the field's msgid), names each column
    the file has by the file's header (身体状况, not the roster's 健康状况), and points to
    the one-click fix: the same file again with a category chosen, offered right there."""
    csv = (
        "姓名,性别,出生年月,身体状况,所在支部\n"
        "张建国,男,1949.10,脑梗后长期卧床,第十支部\n"
        "李秀英,女,1950.02,良好,第二支部\n"
        "王军,男,1951.03,良好,第一支部\n"
    ).encode()
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "离休干部名册.csv", csv)
    import_id = await checked(services, world, response.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert page.count("<strong>人员类别</strong>：没有填人员类别") == 3
    assert "Category" not in page
    assert "请在文件中改好有问题的行" not in page  # the advice that pointed the wrong way
    hint = page[page.index('id="default-category-hint"') :]
    hint = hint[: hint.index("</section>")]
    assert "没有“人员类别”" in hint
    assert 'action="/people/imports"' in hint and 'enctype="multipart/form-data"' in hint
    assert 'name="file"' in hint and 'name="default_category"' in hint
    assert '<option value="retired_cadre">离休干部</option>' in hint

    # Uploaded again with the category chosen there, every row is new.
    again = await upload(browser, "离休干部名册.csv", csv, "retired_cadre")
    import_id = await checked(services, world, again.headers["location"])
    page = (await browser.get(f"/people/imports/{import_id}")).text
    assert "default-category-hint" not in page and "导入整个文件" in page
    assert "Category" not in page
    assert "身体状况：脑梗后长期卧床" in page and "健康状况" not in page
    # The branches it would create are listed in the tree's order, not the file's.
    assert "将新建支部： <strong>第一支部、第二支部、第十支部</strong>" in page


async def test_a_stuck_import_can_be_started_again_from_its_page(
    browser: Browser, world: World, services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue lost the dry run (Valkey restarted): after a minute the page offers to
    start it again; the button queues one job, and a second press queues none."""
    rows = [[1, "张建国", "男", "1949.10", ZHANG, "13800138000", "第一支部", "军休干部"]]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await upload(browser, "花名册.xlsx", small_roster(rows))
    page_url = response.headers["location"]
    button = f'action="{page_url}/again"'
    assert button not in (await browser.get(page_url)).text  # just queued: it waits its turn
    await lose_the_queue(services)  # the login session stays
    moved = clock.now() + timedelta(minutes=2)
    monkeypatch.setattr(clock, "now", lambda: moved)
    page = (await browser.get(page_url)).text
    assert button in page and shown("Start it again") in page
    assert shown("This is taking longer than it should; the work may have stopped.") in page
    again = await browser.post(f"{page_url}/again")
    assert again.status_code == 303
    after = (await browser.get(page_url)).text
    assert shown("Started again. This page updates by itself.") in after and button not in after
    assert [job.function for job in await services.redis.queued_jobs()] == ["check_roster_import"]
    refused = await browser.post(f"{page_url}/again")
    assert refused.status_code == 303
    assert (
        shown("This import is still being worked on. Please wait a little.")
        in (await browser.get(page_url)).text
    )
    assert len(await services.redis.queued_jobs()) == 1
    await checked(services, world, page_url)
    done = (await browser.get(page_url)).text
    assert "只导入没有问题的 1 行" in done or "导入整个文件" in done
    assert button not in done


async def lose_the_queue(services: AppServices) -> None:
    """What a Valkey restart without its data does to arq: its queue and jobs are gone."""
    keys = [key async for key in services.redis.scan_iter(match="arq:*")]
    if keys:
        await services.redis.delete(*keys)
