"""Login, logout, sessions, throttling, CSRF and role guards through HTTP."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from app.core.roles import Role
from app.db import Database
from app.main import create_app
from app.web.sessions import COOKIE_NAME
from tests.factories import World
from tests.http.conftest import Browser
from tests.servers import ServerPair


async def test_login_opens_the_dashboard_and_logout_ends_the_session(
    browser: Browser, world: World
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    response = await browser.login(admin)
    assert response.headers["location"] == "/dashboard"
    cookie = browser.client.cookies[COOKIE_NAME]
    page = await browser.get("/dashboard")
    assert page.status_code == 200
    assert admin.name in page.text and world.a.name in page.text
    assert "区局管理员" in page.text  # zh-CN by default

    assert (await browser.post("/logout")).status_code == 303
    assert (await browser.get("/dashboard")).status_code == 303
    browser.client.cookies.set(COOKIE_NAME, cookie)  # the old session id is dead
    assert (await browser.get("/dashboard")).headers["location"].startswith("/login")


async def test_session_cookie_is_http_only_lax_and_rotates_on_login(
    browser: Browser, world: World
) -> None:
    browser.client.cookies.set(COOKIE_NAME, "planted-by-an-attacker")
    response = await browser.login(world.a.users[Role.MEMBER])
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "samesite=lax" in header.lower() and "Secure" not in header
    new_id = header.split(";")[0].split("=", 1)[1]
    assert new_id and new_id != "planted-by-an-attacker"


async def test_wrong_password_gets_one_generic_message(browser: Browser, world: World) -> None:
    admin = world.a.users[Role.TENANT_ADMIN]
    wrong_password = await browser.post("/login", {"phone": admin.phone, "password": "nope-2026"})
    no_account = await browser.post("/login", {"phone": "13912340000", "password": "nope-2026"})
    for response in (wrong_password, no_account):
        assert response.status_code == 400
        assert "手机号码或密码不正确" in response.text
    assert COOKIE_NAME not in browser.client.cookies


async def test_login_is_throttled_per_account(browser: Browser, world: World) -> None:
    member = world.a.users[Role.MEMBER]
    for _ in range(5):
        await browser.post("/login", {"phone": member.phone, "password": "wrong-pass-1"})
    locked = await browser.post("/login", {"phone": member.phone, "password": "Test-pass-2026"})
    assert locked.status_code == 429
    assert "分钟后再试" in locked.text
    assert COOKIE_NAME not in browser.client.cookies
    # Another account from the same address is not locked by this one's failures.
    await browser.login(world.a.users[Role.GRID_WORKER])


async def test_login_is_throttled_per_address(servers: ServerPair, world: World) -> None:
    app = create_app(servers.settings(login_max_failures_ip=3))
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        for account in list(world.a.users.values())[:3]:
            await browser.post("/login", {"phone": account.phone, "password": "wrong-pass-1"})
        fourth = world.b.users[Role.MEMBER]
        locked = await browser.post("/login", {"phone": fourth.phone, "password": "Test-pass-2026"})
    assert locked.status_code == 429


async def test_pending_tenant_cannot_log_in(browser: Browser, services, owner_db: Database) -> None:  # type: ignore[no-untyped-def]
    from tenants.models import TenantStatus
    from tests.factories import make_tenant

    pending = await make_tenant(
        services, owner_db, status=TenantStatus.PENDING, roles=(Role.TENANT_ADMIN,)
    )
    admin = pending.users[Role.TENANT_ADMIN]
    response = await browser.post("/login", {"phone": admin.phone, "password": "Test-pass-2026"})
    assert response.status_code == 403
    assert "等待审批" in response.text


async def test_missing_or_wrong_csrf_token_is_refused_and_changes_nothing(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    member = world.a.users[Role.MEMBER]
    for token in (None, "forged"):
        form = {"_csrf_token": token} if token else {}
        response = await browser.client.post(f"/users/{member.id}/disable", data=form)
        assert response.status_code == 403
        assert "页面已过期" in response.text
    async with owner_db.engine.connect() as conn:
        active = (
            await conn.execute(
                text("select is_active from users where id = :id"), {"id": member.id}
            )
        ).scalar()
    assert active is True


async def test_htmx_requests_carry_the_token_in_a_header(browser: Browser, world: World) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/users")
    response = await browser.client.post(
        "/users/invite",
        data={"name": "李四", "phone": "bad", "role": "member"},
        headers={"x-csrftoken": browser.token, "hx-request": "true", "hx-target": "invite_form"},
    )
    assert response.status_code == 422, response.text
    assert response.text.lstrip().startswith('<form id="invite_form"')  # the fragment only
    assert "请填写 11 位大陆手机号码" in response.text
    # The fragment depends on both: a cache must key on both.
    vary = response.headers.get("vary", "")
    assert "HX-Request" in vary and "HX-Target" in vary


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (None, "/dashboard", 303),
        (None, "/users", 303),
        (None, "/approvals", 303),
        (Role.MEMBER, "/users", 403),
        (Role.GRID_WORKER, "/users", 403),
        (Role.BRANCH_SECRETARY, "/approvals", 403),
        (Role.TENANT_ADMIN, "/approvals", 403),
        (Role.TENANT_ADMIN, "/users", 200),
        (Role.OPERATOR, "/users", 403),
        (Role.OPERATOR, "/approvals", 200),
        (Role.PROVINCIAL_VIEWER, "/approvals", 200),
        (Role.PROVINCIAL_VIEWER, "/users", 403),
        (Role.MEMBER, "/dashboard", 200),
    ],
)
async def test_role_guards(
    browser: Browser, world: World, role: Role | None, path: str, status: int
) -> None:
    accounts = {Role.OPERATOR: world.operator, Role.PROVINCIAL_VIEWER: world.viewer_37}
    if role is not None:
        await browser.login(accounts.get(role) or world.a.users[role])
    response = await browser.get(path)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == f"/login?next={path}"
    if status == 403:
        assert "没有权限" in response.text


def test_every_route_declares_who_may_use_it(app: Litestar) -> None:
    """The guard closes undeclared routes; this makes the omission visible too."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:  # Litestar's automatic preflight answer
                continue
            assert handler.opt.get("access") in {"public", "logged_in", "roles"}, route.path


async def test_next_parameter_cannot_leave_the_site(browser: Browser, world: World) -> None:
    member = world.a.users[Role.MEMBER]
    response = await browser.post(
        "/login",
        {"phone": member.phone, "password": "Test-pass-2026", "next": "//evil.example/x"},
    )
    assert response.headers["location"] == "/dashboard"


async def test_parallel_guesses_are_throttled_like_sequential_ones(
    browser: Browser, world: World
) -> None:
    import asyncio

    member = world.a.users[Role.MEMBER]
    await browser.get("/login")
    form = {"phone": member.phone, "password": "wrong-pass-1", "_csrf_token": browser.token}
    responses = await asyncio.gather(*(browser.client.post("/login", data=form) for _ in range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(400) <= 5 and statuses.count(429) >= 7


async def test_session_cookie_follows_the_sliding_server_session(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    response = await browser.get("/dashboard")
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and COOKIE_NAME in v
    )
    assert "Max-Age=28800" in cookie and "HttpOnly" in cookie


async def test_a_control_character_in_the_phone_is_a_wrong_login_not_an_error(
    browser: Browser, world: World
) -> None:
    response = await browser.post("/login", {"phone": "138\x000013800", "password": "x"})
    assert response.status_code == 400 and "手机号码或密码不正确" in response.text
