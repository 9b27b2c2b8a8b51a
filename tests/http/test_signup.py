"""A district bureau signs up, its province approves, its admin logs in."""

from __future__ import annotations

from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.points.periods import quarter_of
from tests.factories import World
from tests.http.conftest import Browser

FORM = {
    "name": "济南市历下区退役军人事务局",
    "slug": "lixia",
    "province_code": "37",
    "region_code": "370102",
    "preset": "yanzhou-base-score",
    "admin_name": "王建国",
    "admin_phone": "13800138000",
    "password": "Lixia-2026",
    "password_confirm": "Lixia-2026",
}


async def tenant_count(owner_db: Database) -> int:
    async with owner_db.engine.connect() as conn:
        return (await conn.execute(text("select count(*) from tenants"))).scalar_one()


async def test_signup_approval_login(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    page = await browser.get("/signup")
    assert page.status_code == 200 and "山东省" in page.text and "亮化记分" in page.text
    response = await browser.post("/signup", FORM)
    assert response.status_code == 303
    assert response.headers["location"] == "/signup/submitted"

    early = await browser.post("/login", {"phone": "13800138000", "password": "Lixia-2026"})
    assert early.status_code == 403 and "等待审批" in early.text

    await other_browser.login(world.viewer_37)
    approvals = await other_browser.get("/approvals")
    assert "济南市历下区退役军人事务局" in approvals.text
    async with owner_db.engine.connect() as conn:
        tenant_id = (
            await conn.execute(text("select id from tenants where slug = 'lixia'"))
        ).scalar_one()
    approved = await other_browser.post(f"/approvals/{tenant_id}/approve")
    assert approved.status_code == 303
    assert "已通过" in (await other_browser.get("/approvals")).text

    await browser.login_with("13800138000", "Lixia-2026")
    dashboard = await browser.get("/dashboard")
    assert "王建国" in dashboard.text and "济南市历下区退役军人事务局" in dashboard.text

    # Its points start with the quarter it was approved in: with no earlier quarter,
    # whose rankings could only be empty, there is nothing to pick.
    points = await browser.get("/points")
    assert points.status_code == 200
    assert 'name="quarter"' not in points.text
    assert quarter_of(clock.today()).label in points.text


async def test_bad_fields_come_back_beside_each_field_and_nothing_is_created(
    browser: Browser, world: World, owner_db: Database
) -> None:
    before = await tenant_count(owner_db)
    bad = {**FORM, "slug": "Li Xia", "region_code": "110101", "admin_phone": "1234",
           "password_confirm": "nope"}  # fmt: skip
    response = await browser.post(
        "/signup", bad, headers={"hx-request": "true", "hx-target": "signup_form"}
    )
    assert response.status_code == 422
    body = response.text
    assert body.lstrip().startswith('<form id="signup_form"')
    for field, message in {
        "slug": "小写字母",
        "region_code": "前两位必须与所选省份一致",
        "admin_phone": "11 位大陆手机号码",
        "password": "两次输入的密码不一样",
    }.items():
        assert f'id="e-{field}"' in body, field
        assert message in body, field
    assert 'value="济南市历下区退役军人事务局"' in body  # what was typed is kept
    assert "Lixia-2026" not in body  # passwords are not echoed back
    assert await tenant_count(owner_db) == before


async def test_duplicate_slug_is_reported(
    browser: Browser, world: World, owner_db: Database
) -> None:
    assert (await browser.post("/signup", FORM)).status_code == 303
    again = await browser.post("/signup", {**FORM, "region_code": "370103"})
    assert again.status_code == 422 and "已被使用" in again.text
    assert await tenant_count(owner_db) == 3


async def test_signup_without_csrf_token_creates_nothing(
    browser: Browser, world: World, owner_db: Database
) -> None:
    response = await browser.post("/signup", FORM, csrf=False)
    assert response.status_code == 403
    assert await tenant_count(owner_db) == 2


async def test_rejection_needs_a_reason_and_is_shown(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.post("/signup", FORM)
    async with owner_db.engine.connect() as conn:
        tenant_id = (
            await conn.execute(text("select id from tenants where slug = 'lixia'"))
        ).scalar_one()
    await other_browser.login(world.operator)
    await other_browser.get("/approvals")
    await other_browser.post(f"/approvals/{tenant_id}/reject", {"note": ""})
    assert "请写明不通过的原因" in (await other_browser.get("/approvals")).text
    await other_browser.post(f"/approvals/{tenant_id}/reject", {"note": "区划代码有误"})
    page = (await other_browser.get("/approvals")).text
    assert "区划代码有误" in page
    refused = await browser.post("/login", {"phone": "13800138000", "password": "Lixia-2026"})
    assert refused.status_code == 403 and "未通过" in refused.text
    # The applicant is told why, and that they may apply again (with the link to do so).
    error = refused.text[refused.text.index('class="form-error"') :].split("</div>", 1)[0]
    assert "区划代码有误" in error and "重新申请" in error and 'href="/signup"' in error
    # Only after the password: a wrong one learns nothing about the signup.
    wrong = await browser.post("/login", {"phone": "13800138000", "password": "Wrong-2026"})
    assert "区划代码有误" not in wrong.text


async def test_a_new_district_s_admin_sees_the_work_waiting_not_account_counts(
    browser: Browser, world: World
) -> None:
    """The home shows work (issue 13): five counts of what waits, all clear in a new
    district; the accounts are counted on their own page."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/dashboard")
    assert page.text.count('<span class="work__figure">0</span>') == 5
    assert 'class="tile__figure"' not in page.text


async def test_htmx_signup_success_reloads_the_whole_page(browser: Browser, world: World) -> None:
    await browser.get("/signup")
    response = await browser.post(
        "/signup", FORM, headers={"hx-request": "true", "hx-target": "signup_form"}
    )
    assert response.headers["hx-redirect"] == "/signup/submitted"


async def test_hostile_input_gets_messages_not_errors(
    browser: Browser, world: World, owner_db: Database
) -> None:
    nasty = {
        **FORM,
        "name": "历下区\x00退役军人事务局",
        "slug": "x" * 100_000,
        "admin_name": "王\x00建国" * 20,
        "region_code": "３７０１０２",  # full-width digits
    }
    response = await browser.post("/signup", nasty)
    assert response.status_code == 422
    assert "系统出错了" not in response.text
    assert await tenant_count(owner_db) == 2
    login = await browser.post("/login", {"phone": "1" * 100_000, "password": "\x00" * 10})
    assert login.status_code == 400 and "手机号码或密码不正确" in login.text


async def test_a_nul_byte_in_an_otherwise_valid_signup_is_not_a_server_error(
    browser: Browser, world: World, owner_db: Database
) -> None:
    response = await browser.post("/signup", {**FORM, "name": "济南市历下区\x00退役军人事务局"})
    assert response.status_code == 422
    assert "控制字符" in response.text
    assert await tenant_count(owner_db) == 2


async def test_the_approvals_page_shows_china_time(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    """A signup at 07:24 on 7 December in Beijing is 23:24 on the 6th in UTC: the page
    says the 7th, 07:24 — and the date it was decided in China too."""
    await browser.post("/signup", FORM)
    async with owner_db.engine.connect() as conn:
        await conn.execute(
            text("update tenants set created_at = '2026-12-06 23:24:00+00' where slug = 'lixia'")
        )
        await conn.commit()
    await other_browser.login(world.viewer_37)
    pending = (await other_browser.get("/approvals")).text
    assert "07:24" in pending and "12月7日" in pending
    assert "23:24" not in pending and "12-06" not in pending
    async with owner_db.engine.connect() as conn:
        tenant_id = (
            await conn.execute(text("select id from tenants where slug = 'lixia'"))
        ).scalar_one()
    await other_browser.post(f"/approvals/{tenant_id}/approve")
    async with owner_db.engine.connect() as conn:
        await conn.execute(
            text("update tenants set decided_at = '2026-12-06 23:30:00+00' where slug = 'lixia'")
        )
        await conn.commit()
    decided = (await other_browser.get("/approvals")).text
    row = decided[decided.index("济南市历下区退役军人事务局") :].split("</tr>", 1)[0]
    assert "12月7日" in row and "12-06" not in row
