"""Forgotten passwords (an admin's one-time link) and changing one's own password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.web.sessions import COOKIE_NAME
from tests.factories import PASSWORD, World
from tests.http.conftest import Browser

LINK = re.compile(r'value="http://testserver\.local(/reset/[^"]+)"')


async def reset_link_for(admin_browser: Browser, user_id: object) -> str:
    await admin_browser.get("/users")
    response = await admin_browser.post(f"/users/{user_id}/reset-link")
    assert response.status_code == 200
    assert "重设密码链接" in response.text
    match = LINK.search(response.text)
    assert match
    return match.group(1)


async def test_reset_link_sets_a_new_password_once_and_ends_old_sessions(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    member = world.a.users[Role.MEMBER]
    await other_browser.login(member)  # a session from before the reset
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await reset_link_for(browser, member.id)

    page = await browser.client.get(link)
    assert page.status_code == 200 and member.name in page.text and member.phone in page.text
    mismatch = await browser.post(link, {"password": "New-pass-2026", "password_confirm": "x"})
    assert mismatch.status_code == 422 and "两次输入的密码不一样" in mismatch.text
    done = await browser.post(
        link, {"password": "New-pass-2026", "password_confirm": "New-pass-2026"}
    )
    assert done.status_code == 303
    assert (await browser.client.get(link)).status_code == 404  # one use only

    assert (await other_browser.get("/dashboard")).status_code == 303  # old session ended
    old = await other_browser.post("/login", {"phone": member.phone, "password": PASSWORD})
    assert old.status_code == 400
    await other_browser.login(member, "New-pass-2026")


async def test_a_newer_link_replaces_an_older_one(browser: Browser, world: World) -> None:
    member = world.a.users[Role.MEMBER]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    first = await reset_link_for(browser, member.id)
    second = await reset_link_for(browser, member.id)
    assert (await browser.client.get(first)).status_code == 404
    assert (await browser.client.get(second)).status_code == 200


async def test_changing_my_password_keeps_me_logged_in_here_only(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    worker = world.a.users[Role.GRID_WORKER]
    await other_browser.login(worker)
    await browser.login(worker)
    await browser.get("/account/password")
    wrong = await browser.post(
        "/account/password",
        {"current_password": "nope", "password": "Grid-2026x", "password_confirm": "Grid-2026x"},
    )
    assert wrong.status_code == 422 and "现在的密码不正确" in wrong.text
    weak = await browser.post(
        "/account/password",
        {"current_password": PASSWORD, "password": "1234", "password_confirm": "1234"},
    )
    assert weak.status_code == 422 and "至少需要 8 位" in weak.text
    before = browser.client.cookies.get(COOKIE_NAME)
    changed = await browser.post(
        "/account/password",
        {"current_password": PASSWORD, "password": "Grid-2026x", "password_confirm": "Grid-2026x"},
    )
    assert changed.status_code == 303
    assert browser.client.cookies.get(COOKIE_NAME) != before
    assert (await browser.get("/grid")).status_code == 200
    assert (await other_browser.get("/grid")).status_code == 303  # to the login page


async def test_platform_staff_have_no_password_page(browser: Browser, world: World) -> None:
    await browser.login(world.operator)
    assert (await browser.get("/account/password")).status_code == 403


async def test_guesses_at_the_current_password_are_throttled(
    browser: Browser, world: World
) -> None:
    worker = world.a.users[Role.GRID_WORKER]
    await browser.login(worker)
    await browser.get("/account/password")
    wrong = {
        "current_password": "guess-0001",
        "password": "Grid-2026x",
        "password_confirm": "Grid-2026x",
    }
    for _ in range(5):
        assert "现在的密码不正确" in (await browser.post("/account/password", wrong)).text
    locked = await browser.post("/account/password", {**wrong, "current_password": PASSWORD})
    assert locked.status_code == 422 and "密码错误次数太多" in locked.text


async def test_an_expired_link_or_a_disabled_account_cannot_reset(
    browser: Browser, world: World, owner_db: Database
) -> None:
    member, worker = world.a.users[Role.MEMBER], world.a.users[Role.GRID_WORKER]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    expired = await reset_link_for(browser, member.id)
    disabled = await reset_link_for(browser, worker.id)
    async with owner_db.engine.begin() as conn:
        await conn.execute(
            text("update password_resets set expires_at = now() - interval '1 minute' "
                 "where user_id = :u"), {"u": member.id},
        )  # fmt: skip
    await browser.get("/users")
    await browser.post(f"/users/{worker.id}/disable")
    form = {"password": "New-pass-2026", "password_confirm": "New-pass-2026"}
    assert (await browser.post(expired, form)).status_code == 404
    assert (await browser.post(disabled, form)).status_code == 404
    assert (await browser.post(f"/users/{worker.id}/reset-link")).status_code == 404


async def test_a_reset_link_expires_by_the_apps_clock(
    browser: Browser, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link's hours are counted by app.core.clock, which tests can move."""
    member = world.a.users[Role.MEMBER]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    link = await reset_link_for(browser, member.id)
    hours = browser.client.app.state.services.settings.auth.password_reset_hours
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=hours, minutes=-5))
    assert (await browser.get(link)).status_code == 200  # not yet
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=hours, minutes=5))
    assert (await browser.get(link)).status_code == 404
    form = {"password": "New-pass-2026", "password_confirm": "New-pass-2026"}
    assert (await browser.post(link, form)).status_code == 404
