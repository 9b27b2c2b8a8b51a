"""A district admin invites someone; they set a password by link and log in."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.state import AppServices
from app.web.sessions import COOKIE_NAME
from tests.factories import World
from tests.http.conftest import Browser

LINK = re.compile(r'value="http://testserver\.local(/invite/[^"]+)"')


async def invite(browser: Browser, name: str, phone: str, role: str) -> str:
    await browser.get("/users/invite")
    response = await browser.post("/users/invite", {"name": name, "phone": phone, "role": role})
    assert response.status_code == 200, response.text[:300]
    match = LINK.search(response.text)
    assert match, "the page shows the link to send"
    return match.group(1)


async def test_invited_grid_worker_sets_a_password_and_is_logged_in(
    browser: Browser, other_browser: Browser, world: World, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "张建国", "139 1234 5678", Role.GRID_WORKER)
    users = await browser.get("/users")
    assert "张建国" in users.text and "未使用的邀请" in users.text

    page = await other_browser.get(link)
    assert page.status_code == 200 and "张建国" in page.text and world.a.name in page.text
    weak = await other_browser.post(link, {"password": "123", "password_confirm": "123"})
    assert weak.status_code == 422 and "至少需要 8 位" in weak.text
    assert COOKIE_NAME not in weak.cookies  # a refused password logs nobody in
    done = await other_browser.post(
        link, {"password": "Zhang-2026", "password_confirm": "Zhang-2026"}
    )
    # Logged in at once, and on a grid worker's home: the due list.
    assert done.status_code == 303 and done.headers["location"] == "/grid"
    session_id = done.cookies[COOKIE_NAME]
    assert await services.sessions.load(session_id) is not None
    home = await other_browser.get("/grid")
    assert home.status_code == 200 and "张建国" in home.text
    assert "/users" not in home.text  # no admin menu for a grid worker
    # The password chosen works for the next login too.
    await other_browser.post("/logout")
    # Used once: the link says so, and where to log in, and nothing about the account.
    used = await other_browser.get(link)
    assert used.status_code == 410 and "此链接已使用，请直接登录" in used.text
    assert 'href="/login"' in used.text
    assert "张建国" not in used.text and "13912345678" not in used.text
    assert world.a.name not in used.text
    await other_browser.login_with("13912345678", "Zhang-2026")
    assert (await other_browser.get("/dashboard")).headers["location"] == "/grid"


async def test_accepting_starts_a_fresh_session_like_a_login(
    browser: Browser, other_browser: Browser, world: World, services: AppServices
) -> None:
    """Whatever session the browser had is dropped (no fixation); the new one carries
    the password version, so a later reset ends it as it ends a login's."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "李秀英", "13912345672", Role.MEMBER)
    await other_browser.login(world.b.users[Role.MEMBER])  # someone else, earlier
    before = other_browser.client.cookies[COOKIE_NAME]
    await other_browser.get(link)
    done = await other_browser.post(
        link, {"password": "Li-xiu-2026", "password_confirm": "Li-xiu-2026"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    after = done.cookies[COOKIE_NAME]
    assert after != before
    assert await services.sessions.load(before) is None
    data = await services.sessions.load(after)
    assert data is not None and data["tid"] == str(world.a.tenant_id) and data["pv"] == 0
    dashboard = await other_browser.get("/dashboard")
    assert dashboard.status_code == 200 and "李秀英" in dashboard.text
    assert world.a.name in dashboard.text and world.b.name not in dashboard.text


async def test_htmx_acceptance_reloads_the_whole_page(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "王芳", "13912345673", Role.BRANCH_SECRETARY)
    await other_browser.get(link)
    done = await other_browser.post(
        link,
        {"password": "Wang-fang-2026", "password_confirm": "Wang-fang-2026"},
        headers={"hx-request": "true"},
    )
    assert done.headers.get("hx-redirect") == "/dashboard" and COOKIE_NAME in done.cookies


async def test_an_invitation_accepted_twice_at_once_makes_one_account(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "赵刚", "13912345674", Role.MEMBER)
    await browser.post("/logout")
    for each in (browser, other_browser):
        await each.get(link)
    form = {"password": "Zhao-gang-2026", "password_confirm": "Zhao-gang-2026"}
    answers = await asyncio.gather(browser.post(link, form), other_browser.post(link, form))
    assert sorted(a.status_code for a in answers) == [303, 410]
    logged_in = [a for a in answers if a.status_code == 303]
    assert len(logged_in) == 1 and COOKIE_NAME in logged_in[0].cookies
    async with owner_db.engine.connect() as conn:
        count = await conn.scalar(text("select count(*) from users where phone = '13912345674'"))
    assert count == 1


async def test_invitation_refuses_bad_input_and_duplicates(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/users/invite")
    bad = await browser.post("/users/invite", {"name": "", "phone": "12", "role": "king"})
    assert bad.status_code == 422
    for message in ("请填写姓名", "11 位大陆手机号码", "请选择角色"):
        assert message in bad.text
    existing = world.a.users[Role.MEMBER].phone
    taken = await browser.post(
        "/users/invite", {"name": "某人", "phone": existing, "role": "member"}
    )
    assert taken.status_code == 422 and "已有账号" in taken.text
    await invite(browser, "李四", "13912345679", Role.MEMBER)
    again = await browser.post(
        "/users/invite", {"name": "李四", "phone": "13912345679", "role": "member"}
    )
    assert again.status_code == 422 and "未使用的邀请" in again.text
    async with owner_db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from invitations"))).scalar() == 1


async def test_withdrawn_invitation_link_stops_working(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "王五", "13912345670", Role.MEMBER)
    async with owner_db.engine.connect() as conn:
        invitation_id = (await conn.execute(text("select id from invitations"))).scalar_one()
    await browser.get("/users")
    assert (await browser.post(f"/users/invitations/{invitation_id}/revoke")).status_code == 303
    withdrawn = await other_browser.get(link)
    assert withdrawn.status_code == 410 and "此邀请已被撤回" in withdrawn.text
    assert "王五" not in withdrawn.text and world.a.name not in withdrawn.text
    form = {"password": "Wang-wu-2026", "password_confirm": "Wang-wu-2026"}
    sent = await other_browser.post(link, form)  # a form kept open in another tab
    assert sent.status_code == 410 and "此邀请已被撤回" in sent.text
    assert (await other_browser.get("/invite/not-a-real-token")).status_code == 404


async def test_an_expired_invitation_link_says_so(
    browser: Browser, other_browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "赵六", "13912345671", Role.MEMBER)
    async with owner_db.engine.connect() as conn:
        await conn.execute(text("update invitations set expires_at = now() - interval '1 hour'"))
        await conn.commit()
    expired = await other_browser.get(link)
    assert expired.status_code == 410 and "此链接已过期" in expired.text
    assert "赵六" not in expired.text and world.a.name not in expired.text
    async with owner_db.engine.connect() as conn:
        assert (await conn.scalar(text("select count(*) from users where name = '赵六'"))) == 0


async def test_an_invitation_expires_by_the_apps_clock(
    browser: Browser,
    other_browser: Browser,
    world: World,
    services: AppServices,
    owner_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Expiry is decided by app.core.clock, like every other deadline, so the clock the
    tests (and the end-to-end runs) move reaches it: a link is open until its days have
    passed by that clock, and closed after, on its page and when the form is sent."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await invite(browser, "孙七", "13912345675", Role.MEMBER)
    days = services.settings.auth.invitation_days
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=days, minutes=-5))
    assert (await other_browser.get(link)).status_code == 200  # not yet
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=days, minutes=5))
    page = await other_browser.get(link)
    assert page.status_code == 410 and "此链接已过期" in page.text
    form = {"password": "Sun-qi-2026", "password_confirm": "Sun-qi-2026"}
    sent = await other_browser.post(link, form)
    assert sent.status_code == 410 and "此链接已过期" in sent.text
    assert COOKIE_NAME not in sent.cookies
    assert "孙七" not in (await browser.get("/users")).text  # no longer listed as open
    async with owner_db.engine.connect() as conn:
        assert (await conn.scalar(text("select count(*) from users where name = '孙七'"))) == 0


async def test_disabled_account_is_logged_out_and_cannot_log_in(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    member = world.a.users[Role.MEMBER]
    await other_browser.login(member)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/users")
    assert (await browser.post(f"/users/{member.id}/disable")).status_code == 303
    assert (await other_browser.get("/dashboard")).status_code == 303
    refused = await other_browser.post(
        "/login", {"phone": member.phone, "password": "Test-pass-2026"}
    )
    assert refused.status_code == 400
    await browser.post(f"/users/{member.id}/enable")
    await other_browser.login(member)


async def test_admin_cannot_disable_themselves(browser: Browser, world: World) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    await browser.login(admin)
    await browser.get("/users")
    await browser.post(f"/users/{admin.id}/disable")
    page = await browser.get("/users")
    assert "不能停用自己的账号" in page.text
    assert (await browser.get("/dashboard")).status_code == 200


async def test_htmx_invitation_replaces_the_page_not_the_form(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/users/invite")
    response = await browser.post(
        "/users/invite",
        {"name": "赵六", "phone": "13912345671", "role": "member"},
        headers={"hx-request": "true", "hx-target": "invite_form"},
    )
    assert response.status_code == 200
    assert response.headers["hx-retarget"] == "body"
    assert LINK.search(response.text)


async def test_an_invitation_is_valid_until_its_time_in_china(
    browser: Browser, world: World, owner_db: Database
) -> None:
    """Made at 07:00 on 7 December in Beijing, a 7-day link works until 07:00 on the 14th
    — 23:00 on the 13th in UTC, which the page must not show as the 13th."""
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await invite(browser, "李网格", "13853200001", Role.GRID_WORKER)
    async with owner_db.engine.connect() as conn:
        await conn.execute(text("update invitations set expires_at = '2026-12-13 23:00:00+00'"))
        await conn.commit()
    page = (await browser.get("/users")).text
    listed = page[page.index("李网格") :].split("</li>", 1)[0]
    assert "12月14日" in listed and "07:00" in listed
    assert "12-13" not in listed and "12月13日" not in listed
