"""The change log: every account and signup change leaves an event nobody can edit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import World
from tests.http.conftest import Browser
from tests.http.test_signup import FORM


def log_rows(page: str) -> list[tuple[str, str, str]]:
    """(who, what, concerning) of each row of the change log, newest first; `what` is
    the action and its details (角色 党员) as words separated by spaces."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)[1:]:
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append((cells[1], cells[2], cells[3]))
    return rows


async def test_account_changes_are_logged_for_the_admin(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    member = world.a.users[Role.MEMBER]
    await browser.login(admin)
    await browser.get("/users/invite")
    invite = await browser.post(
        "/users/invite", {"name": "钱七", "phone": "13912345672", "role": "member"}
    )
    link = re.search(r'value="http://testserver\.local(/invite/[^"]+)"', invite.text).group(1)  # type: ignore[union-attr]
    await browser.post("/users/invite", {"name": "孙八", "phone": "13912345673", "role": "member"})
    await browser.get("/users")
    revoked_id = re.findall(
        r"/users/invitations/([0-9a-f-]+)/revoke", (await browser.get("/users")).text
    )
    await browser.post(f"/users/invitations/{revoked_id[0]}/revoke")
    await browser.post(f"/users/{member.id}/disable")
    await browser.post(f"/users/{member.id}/disable")  # already disabled: not logged twice
    await browser.post(f"/users/{member.id}/enable")
    reset = await browser.post(f"/users/{member.id}/reset-link")
    reset_link = re.search(r'value="http://testserver\.local(/reset/[^"]+)"', reset.text).group(1)  # type: ignore[union-attr]

    # The links are public forms: whoever holds them uses them (accepting logs them in).
    await other_browser.post(link, {"password": "Qian-2026x", "password_confirm": "Qian-2026x"})
    await other_browser.post(
        reset_link, {"password": "Member-2026", "password_confirm": "Member-2026"}
    )
    rows = log_rows((await browser.get("/audit")).text)
    expected = {
        (admin.name, "发出了邀请 角色 党员", "钱七"),
        (admin.name, "撤回了邀请", "孙八"),
        (admin.name, "停用了账号", member.name),
        (admin.name, "重新启用了账号", member.name),
        (admin.name, "发出了重设密码链接", member.name),
        ("钱七", "通过邀请创建了账号 角色 党员", "钱七"),
        (member.name, "通过链接重设了密码", member.name),
    }
    assert expected <= set(rows), set(rows)
    assert [r[1] for r in rows].count("停用了账号") == 1


async def test_signup_and_approval_appear_in_the_new_districts_log(
    browser: Browser, other_browser: Browser, world: World
) -> None:
    await browser.post("/signup", FORM)
    await other_browser.login(world.viewer_37)
    page = (await other_browser.get("/approvals")).text
    tenant_id = page.split('id="tenant-', 1)[1].split('"', 1)[0]
    await other_browser.post(f"/approvals/{tenant_id}/approve")
    await browser.login_with("13800138000", "Lixia-2026")
    rows = log_rows((await browser.get("/audit")).text)
    assert rows == [
        (world.viewer_37.name, "通过了注册申请", "济南市历下区退役军人事务局"),
        ("王建国", "提交了注册申请 辖区 历下区", "济南市历下区退役军人事务局"),
    ]


async def test_the_log_is_append_only_for_the_app(services: AppServices, world: World) -> None:
    with tenant_scope(world.a.tenant_id):
        for statement in ("update audit_events set actor_name = 'x'", "delete from audit_events"):
            async with services.db.session() as session:
                with pytest.raises(ProgrammingError, match="permission denied"):
                    await session.execute(text(statement))


async def test_only_admins_read_the_log(browser: Browser, world: World) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (await browser.get("/audit")).status_code == 403
