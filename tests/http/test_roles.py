"""A district admin changes an account's roles; the district keeps an administrator."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app.accounts.users.service import AccountService
from app.core.errors import Refused
from app.core.identity import SYSTEM
from app.core.roles import TENANT_ROLES, Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import World
from tests.http.conftest import Browser


async def roles_of(owner_db: Database, user_id: object) -> list[str]:
    async with owner_db.engine.connect() as conn:
        rows = await conn.execute(
            text("select role from user_roles where user_id = :u order by role"), {"u": user_id}
        )
        return list(rows.scalars())


async def save_roles(browser: Browser, user_id: object, roles: list[str]) -> str:
    await browser.get(f"/users/{user_id}")
    response = await browser.client.post(
        f"/users/{user_id}/roles",
        data={"_csrf_token": browser.token, "role": roles},
    )
    assert response.status_code == 303
    return (await browser.get(f"/users/{user_id}")).text


async def test_a_member_becomes_also_a_grid_worker_and_it_is_logged(
    browser: Browser, world: World, owner_db: Database
) -> None:
    member = world.a.users[Role.MEMBER]
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await save_roles(browser, member.id, ["member", "grid_worker"])
    assert "角色已保存" in page
    assert f"<h1>{member.name}</h1>" in page and member.phone in page  # the account shown
    assert await roles_of(owner_db, member.id) == ["grid_worker", "member"]
    assert "修改了角色" in page  # the account's own history, before → after
    assert "<dd><del>党员</del> → <ins>网格员、党员</ins></dd>" in page


async def test_roles_refuse_nonsense_and_keep_an_administrator(
    browser: Browser, world: World, owner_db: Database
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    member = world.a.users[Role.MEMBER]
    await browser.login(admin)
    assert "请至少选择一个角色" in await save_roles(browser, member.id, [])
    assert "请至少选择一个角色" in await save_roles(browser, member.id, ["king"])
    assert "不能取消自己的管理员角色" in await save_roles(browser, admin.id, ["member"])
    assert await roles_of(owner_db, member.id) == ["member"]
    assert await roles_of(owner_db, admin.id) == ["tenant_admin"]


async def test_an_admin_cannot_demote_themselves_even_as_the_last_one(
    browser: Browser, world: World, owner_db: Database
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    await browser.login(admin)
    await save_roles(browser, secretary.id, ["branch_secretary", "tenant_admin"])
    await browser.login(secretary)  # the secretary, now also an admin, tries to demote…
    await browser.get("/users")
    await browser.post(f"/users/{admin.id}/disable")  # …after disabling the other admin
    page = await save_roles(browser, secretary.id, ["branch_secretary"])
    assert "不能取消自己的管理员角色" in page
    assert "tenant_admin" in await roles_of(owner_db, secretary.id)


async def test_only_admins_change_roles(browser: Browser, world: World, owner_db: Database) -> None:
    member = world.a.users[Role.MEMBER]
    await browser.login(world.a.users[Role.GRID_WORKER])
    await browser.get("/dashboard")
    response = await browser.client.post(
        f"/users/{member.id}/roles", data={"_csrf_token": browser.token, "role": ["tenant_admin"]}
    )
    assert response.status_code == 403
    assert await roles_of(owner_db, member.id) == ["member"]


async def test_the_district_always_keeps_an_active_administrator(
    services: AppServices, world: World, owner_db: Database
) -> None:
    """Even for an actor the web flow cannot produce (the system, a future import)."""
    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(world.a.tenant_id), pytest.raises(Refused) as refused:
        async with services.db.unit() as session:
            await AccountService(session).set_roles(admin.id, ["member"], SYSTEM)
    assert refused.value.message == "The district needs at least one active administrator."
    assert await roles_of(owner_db, admin.id) == ["tenant_admin"]


MENU = re.compile(r'<nav class="site-nav[^"]*"[^>]*>(.*?)</nav>', re.S)


@pytest.mark.parametrize("role", sorted(TENANT_ROLES))
async def test_the_main_menu_links_exactly_the_places_the_role_may_open(
    browser: Browser, world: World, role: Role
) -> None:
    """The menu asks each place's route; no second list of roles can drift from it."""
    from app.web.navigation import NAVIGATION

    await browser.login(world.a.users[role])
    page = (await browser.get("/points")).text
    found = MENU.search(page)
    assert found is not None
    linked = set(re.findall(r'href="([^"]+)"', found.group(1)))
    opens = set()
    for href, _label in NAVIGATION:
        status = (await browser.get(href)).status_code
        assert status in (200, 303, 403), (href, status)
        if status != 403:
            opens.add(href)
    assert linked == opens
    # What deriving the menu from the guards changed: members find their own requests,
    # and 我的支部 is for those who have no roster page.
    assert ("/requests" in linked) is True
    assert ("/my-branch" in linked) is (role in (Role.MEMBER, Role.GRID_WORKER))
    assert ("/users" in linked) is (role == Role.TENANT_ADMIN)
