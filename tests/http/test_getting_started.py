"""A new district's getting-started card: the real first steps, each ticked by the
district's own state, and hidden per administrator."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, text

from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.dashboard.setup import SetupService
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.rules.activation import ActivationService
from app.points.rules.service import RuleSetService
from app.state import AppServices
from tests.factories import District, add_grid, make_roster, make_tenant, unit_per_call
from tests.http.conftest import Browser
from tests.http.test_invitations import invite

STEP = re.compile(r'<li class="setup-step( is-done)?" data-step="([a-z_]+)">(.*?)</li>', re.S)
LINKS = {
    "roster": "/people/imports",
    "org_tree": "/org",
    "grids": "/grid/grids",
    "point_rules": "/points/rules",
    "invitations": "/users/invite",
}


def steps(page: str) -> dict[str, tuple[bool, str]]:
    """Each step on the card: whether it is ticked, and its markup."""
    return {key: (bool(done), body) for done, key, body in STEP.findall(page)}


async def new_district(services: AppServices, owner_db: Database) -> District:
    """A district as signup leaves it: its administrator and the presets, nothing else."""
    return await make_tenant(
        services, owner_db, roles=(Role.TENANT_ADMIN,), name="丙区退役军人事务局"
    )


async def test_a_new_district_sees_its_first_steps_none_done(
    browser: Browser, services: AppServices, owner_db: Database
) -> None:
    district = await new_district(services, owner_db)
    await browser.login(district.users[Role.TENANT_ADMIN])
    page = (await browser.get("/dashboard")).text
    found = steps(page)
    assert list(found) == list(LINKS)  # in the order a bureau does them
    for key, (done, body) in found.items():
        assert not done, key
        assert f'href="{LINKS[key]}"' in body, key
        assert "未完成" in body
    assert "导入花名册" in page and "核对组织架构" in page and "审阅积分规则" in page


async def test_each_step_is_ticked_by_the_districts_own_state(
    browser: Browser, services: AppServices, owner_db: Database
) -> None:
    district = await new_district(services, owner_db)
    admin = district.users[Role.TENANT_ADMIN]
    await browser.login(admin)

    roster = await make_roster(services, district)  # people, and branches under a center
    found = steps((await browser.get("/dashboard")).text)
    assert found["roster"][0]
    # Units beyond the root come from the import itself: they prove nobody looked.
    assert not found["org_tree"][0] and "我已核对" in found["org_tree"][1]
    checked = await browser.post("/dashboard/setup/checked", {"step": "org_tree"})
    assert checked.status_code == 303 and checked.headers["location"] == "/dashboard"
    found = steps((await browser.get("/dashboard")).text)
    assert found["org_tree"][0] and admin.name in found["org_tree"][1]

    await add_grid(services, district, "第一网格")  # a grid with nobody in it
    found = steps((await browser.get("/dashboard")).text)
    assert not found["grids"][0] and "还没有分配人员" in found["grids"][1]
    assert 'href="/grid/assign"' in found["grids"][1]
    await add_grid(services, district, "第二网格", people=[roster.person_1])
    assert steps((await browser.get("/dashboard")).text)["grids"][0]

    # The rules are reviewed when a version the admin edited is activated.
    actor = Actor("user", admin.name, admin.id)
    with tenant_scope(district.tenant_id):
        rules = unit_per_call(services.db, RuleSetService)
        await rules.start_draft(actor)
        assert not steps((await browser.get("/dashboard")).text)["point_rules"][0]
        await unit_per_call(services.db, ActivationService).activate(
            (clock.today() + timedelta(days=1)).isoformat(), actor
        )
    assert steps((await browser.get("/dashboard")).text)["point_rules"][0]

    await invite(browser, "王书记", "13912340001", Role.BRANCH_SECRETARY)
    found = steps((await browser.get("/dashboard")).text)
    assert not found["invitations"][0]  # no grid worker yet
    await invite(browser, "李网格", "13912340002", Role.GRID_WORKER)
    page = (await browser.get("/dashboard")).text
    assert all(done for done, _ in steps(page).values())
    assert "入门步骤都已完成" in page


async def test_the_admin_may_keep_the_preset_rules(
    browser: Browser, services: AppServices, owner_db: Database
) -> None:
    district = await new_district(services, owner_db)
    await browser.login(district.users[Role.TENANT_ADMIN])
    await browser.get("/dashboard")
    await browser.post("/dashboard/setup/checked", {"step": "point_rules"})
    page = (await browser.get("/dashboard")).text
    assert steps(page)["point_rules"][0] and "已标记为完成" in page


async def test_hiding_is_per_administrator_and_lasts(
    browser: Browser,
    other_browser: Browser,
    services: AppServices,
    owner_db: Database,
) -> None:
    district = await new_district(services, owner_db)
    admin = district.users[Role.TENANT_ADMIN]
    await browser.login(admin)
    link = await invite(browser, "第二管理员", "13912340003", Role.TENANT_ADMIN)
    await other_browser.get(link)
    await other_browser.post(link, {"password": "Second-2026", "password_confirm": "Second-2026"})

    await browser.get("/dashboard")
    hidden = await browser.post("/dashboard/setup/hide")
    assert hidden.status_code == 303
    page = (await browser.get("/dashboard")).text
    assert steps(page) == {} and "显示入门步骤" in page
    assert steps((await other_browser.get("/dashboard")).text)  # the other admin still sees it

    await browser.post("/logout")
    await browser.login(admin)  # a new session: still hidden
    assert steps((await browser.get("/dashboard")).text) == {}
    await browser.post("/dashboard/setup/show")
    assert len(steps((await browser.get("/dashboard")).text)) == 5


async def test_bad_input_changes_nothing(
    browser: Browser, services: AppServices, owner_db: Database
) -> None:
    district = await new_district(services, owner_db)
    await browser.login(district.users[Role.TENANT_ADMIN])
    await browser.get("/dashboard")
    for step in ("roster", "org_tree' or 1=1", "", "\x00", "x" * 5000):
        answer = await browser.post("/dashboard/setup/checked", {"step": step})
        assert answer.status_code == 303
        assert "请从列出的步骤中选择" in (await browser.get("/dashboard")).text
    async with owner_db.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from setup_checks")) == 0


async def test_only_the_admin_marks_or_hides(browser: Browser, world, owner_db: Database) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.BRANCH_SECRETARY, Role.GRID_WORKER, Role.MEMBER):
        await browser.login(world.a.users[role])
        for path in ("/dashboard/setup/checked", "/dashboard/setup/hide"):
            assert (await browser.post(path, {"step": "org_tree"})).status_code == 403
        await browser.post("/logout")
    async with owner_db.engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from setup_checks")) == 0
        hidden = "select count(*) from users where getting_started_hidden_at is not null"
        assert await conn.scalar(text(hidden)) == 0


async def test_one_district_marks_and_hides_for_itself_only(
    browser: Browser,
    other_browser: Browser,
    world,
    services: AppServices,  # type: ignore[no-untyped-def]
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/dashboard")
    await browser.post("/dashboard/setup/checked", {"step": "org_tree"})
    await browser.post("/dashboard/setup/checked", {"step": "point_rules"})
    await other_browser.login(world.b.users[Role.TENANT_ADMIN])
    found = steps((await other_browser.get("/dashboard")).text)
    assert not found["org_tree"][0] and not found["point_rules"][0]
    await browser.post("/dashboard/setup/hide")
    assert steps((await other_browser.get("/dashboard")).text)
    with tenant_scope(world.b.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(text("select count(*) from setup_checks")) == 0


async def test_the_progress_is_one_statement(services: AppServices, world) -> None:  # type: ignore[no-untyped-def]
    """The card is on every admin dashboard: it must not cost a query per step."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "set_config" not in statement:
            statements.append(statement)

    admin = world.a.users[Role.TENANT_ADMIN]
    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with tenant_scope(world.a.tenant_id):
            async with services.db.unit() as session:
                progress = await SetupService(session).progress(admin.id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1, statements
    assert progress.steps and not progress.hidden
