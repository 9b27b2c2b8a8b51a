"""The change log: every account and signup change leaves an event nobody can edit."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from app.accounts.models import Role
from app.state import AppServices
from tenants.context import tenant_scope
from tests.factories import PASSWORD, World
from tests.http.conftest import Browser
from tests.http.test_signup import FORM


async def test_account_changes_are_logged_for_the_admin(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    member = world.a.users[Role.MEMBER]
    await browser.login(admin)
    await browser.get("/users/invite")
    await browser.post("/users/invite", {"name": "钱七", "phone": "13912345672", "role": "member"})
    await browser.get("/users")
    await browser.post(f"/users/{member.id}/disable")
    await browser.post(f"/users/{member.id}/disable")  # already disabled: not logged twice
    await browser.post(f"/users/{member.id}/enable")
    await browser.post(f"/users/{member.id}/reset-link")
    await other_browser.login(member)
    await other_browser.get("/account/password")
    await other_browser.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "Member-2026",
            "password_confirm": "Member-2026",
        },
    )
    page = (await browser.get("/audit")).text
    for label in ("发出了邀请", "停用了账号", "重新启用了账号", "发出了重设密码链接", "修改了密码"):
        assert label in page, label
    assert page.count("停用了账号") == 1
    assert "钱七" in page and member.name in page and admin.name in page


async def test_signup_and_approval_appear_in_the_new_districts_log(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    await browser.post("/signup", FORM)
    await other_browser.login(world.viewer_37)
    page = (await other_browser.get("/approvals")).text
    tenant_id = page.split('id="tenant-', 1)[1].split('"', 1)[0]
    await other_browser.post(f"/approvals/{tenant_id}/approve")
    await browser.login_with("13800138000", "Lixia-2026")
    log = (await browser.get("/audit")).text
    assert "提交了注册申请" in log and "通过了注册申请" in log
    assert log.count("济南市历下区退役军人事务局") >= 3  # header, and both events' subject
    assert world.viewer_37.name in log and "王建国" in log


async def test_the_log_is_append_only_for_the_app(services: AppServices, world: World) -> None:
    with tenant_scope(world.a.tenant_id):
        for statement in ("update audit_events set actor_name = 'x'", "delete from audit_events"):
            async with services.db.session() as session:
                with pytest.raises(ProgrammingError, match="permission denied"):
                    await session.execute(text(statement))


async def test_only_admins_read_the_log(browser: Browser, world: World) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await browser.get("/audit")).status_code == 403
