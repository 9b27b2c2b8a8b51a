"""Grids over HTTP: the admin adds grids, workers and people; grid workers and unit
leaders see their grids read-only; the must-visit rules and the meeting day.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.identity import SYSTEM
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db.tenant import tenant_scope
from app.grid.models import (
    Grid,
    GridAssignment,
    GridWorker,
    ServiceSettings,
    VisitDueItem,
    VisitRule,
)
from app.people.org.service import OrgService
from app.people.roster.service import PeopleService
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    add_grid,
    add_person,
    add_unit,
    make_points_roster,
)
from tests.http.conftest import Browser, shown


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    """make_points_roster: 第一网格 holds its six people, worked by the grid worker."""
    return await make_points_roster(services, world.a)


async def one(services: AppServices, district: District, query: Any) -> Any:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(query)


async def grid_id(services: AppServices, district: District, name: str) -> UUID:
    return await one(services, district, select(Grid.id).where(Grid.name == name))


def grid_form(unit: UUID, **values: str) -> dict[str, str]:
    return {"name": "第二网格", "unit_id": str(unit), "month_target": "30",
            "quarter_target": "90"} | values  # fmt: skip


async def test_the_admin_sets_up_a_grid_its_worker_and_its_people(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    await browser.login(district.users[Role.TENANT_ADMIN])
    assert (await browser.get("/grid/grids/new")).status_code == 200
    created = await browser.post("/grid/grids", grid_form(points.roster.center))
    assert created.status_code == 303, created.text[:500]
    grid = await grid_id(services, district, "第二网格")
    assert created.headers["location"] == f"/grid/grids/{grid}"

    worker = district.users[Role.GRID_WORKER]
    page = await browser.get(f"/grid/grids/{grid}")
    assert page.status_code == 200 and worker.name in page.text  # offered in the picker
    added = await browser.post(f"/grid/grids/{grid}/workers", {"user_id": str(worker.id)})
    assert added.status_code == 303
    not_a_worker = await browser.post(
        f"/grid/grids/{grid}/workers", {"user_id": str(district.users[Role.MEMBER].id)}
    )
    assert not_a_worker.status_code == 303
    page = await browser.get(f"/grid/grids/{grid}")
    assert shown("Please choose a grid worker from the list.") in page.text
    workers = select(func.count()).select_from(GridWorker).where(GridWorker.grid_id == grid)
    assert await one(services, district, workers) == 1

    picker = await browser.get(f"/grid/assign?grid={grid}&q=党员")
    assert picker.status_code == 200 and "党员甲" in picker.text and "甲一号" not in picker.text
    moved = await browser.post(
        "/grid/assign",
        {"grid_id": str(grid), "person_id": str(points.member_a), "q": "党员"},
    )
    assert (
        moved.status_code == 303
        and moved.headers["location"] == "/grid/assign?q=%E5%85%9A%E5%91%98"
    )
    after = await browser.get(moved.headers["location"])
    assert shown(
        "%(grid)s: %(assigned)s newly assigned, %(moved)s moved from another grid, "
        "%(already)s already there.", grid="第二网格", assigned=0, moved=1, already=0,
    ) in after.text  # fmt: skip

    page = await browser.get(f"/grid/grids/{grid}")
    assert "党员甲" in page.text and "党员乙" not in page.text
    assert f'href="/grid/people/{points.member_a}"' in page.text

    refused = await browser.post(f"/grid/grids/{grid}/retire")
    assert refused.status_code == 303
    page = await browser.get(f"/grid/grids/{grid}")
    assert shown(
        "%(name)s still has %(num)s people in it. Move its people first.", name="第二网格", num=1
    ) in page.text  # fmt: skip
    removed = await browser.post(f"/grid/grids/{grid}/people/{points.member_a}/remove")
    assert removed.status_code == 303
    assert await one(services, district, select(Grid.retired_at).where(Grid.id == grid)) is None
    retired = await browser.post(f"/grid/grids/{grid}/retire")
    assert retired.status_code == 303 and retired.headers["location"] == "/grid/grids"
    assert await one(services, district, select(Grid.retired_at).where(Grid.id == grid))
    listing = await browser.get("/grid/grids")
    assert "第一网格" in listing.text and f'href="/grid/grids/{grid}"' not in listing.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": " "}, "Please enter a name for the grid."),
        ({"name": "网" * 41}, "A grid name can be at most 40 characters."),
        ({"name": "第一网格"}, "There is already a grid of this name. Please choose another name."),
        ({"unit_id": "not-a-unit"}, "Please choose the unit the grid belongs to."),
        ({"unit_id": "group"}, "Please choose from the list."),
        ({"month_target": "101"}, "Give the monthly target as a whole percent from 0 to 100."),
        ({"quarter_target": "九十"}, "Give the quarterly target as a whole percent from 0 to 100."),
    ],
)
async def test_a_bad_grid_form_is_refused_kept_and_writes_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    values: dict[str, str], message: str,
) -> None:  # fmt: skip
    if values.get("unit_id") == "group":  # a party group cannot hold a grid
        values = {"unit_id": str(points.roster.group_1)}
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await browser.post("/grid/grids", grid_form(points.roster.center, **values))
    assert response.status_code == 422
    assert shown(message) in response.text
    form = grid_form(points.roster.center, **values)
    assert f'value="{form["month_target"]}"' in response.text  # what was typed is kept
    assert await one(services, world.a, select(func.count(Grid.id))) == 1

    grid = await grid_id(services, world.a, "第一网格")
    edit = await browser.post(f"/grid/grids/{grid}", form)
    if values.get("name") == "第一网格":  # its own name is no clash
        assert edit.status_code == 303
    else:
        assert edit.status_code == 422 and shown(message) in edit.text
        assert await grid_id(services, world.a, "第一网格") == grid


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no_grid", "Please choose the grid to assign them to."),
        ("nobody", "Please tick the people to assign, or choose everyone who matches."),
        ("retired", "%(name)s is retired. Please choose another grid."),
        ("mangled", "Please choose from the list."),
    ],
)
async def test_a_bad_bulk_assignment_is_refused_with_the_ticks_kept(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    case: str, message: str,
) -> None:  # fmt: skip
    old = await add_grid(services, world.a, "旧网格")
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            retired = await session.get(Grid, {"tenant_id": world.a.tenant_id, "id": old})
            assert retired is not None
            retired.retired_at = clock.now()
            await session.commit()
    target = {"no_grid": "", "nobody": str(old), "retired": str(old), "mangled": "x"}[case]
    form = {"grid_id": target, "view": "unassigned", "unassigned": "1"}
    if case == "nobody":
        form["grid_id"] = str(await grid_id(services, world.a, "第一网格"))
    else:
        form["person_id"] = str(points.member_b)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    before = await one(services, world.a, select(func.count(GridAssignment.id)))
    response = await browser.post("/grid/assign", form)
    assert response.status_code == 422
    assert shown(message, name="旧网格") in response.text
    assert shown("People without a grid") in response.text  # the page it came from
    assert await one(services, world.a, select(func.count(GridAssignment.id))) == before


async def test_someone_of_another_district_cannot_be_assigned(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    stranger = await add_person(services, world.b, "乙区居民")
    grid = await grid_id(services, world.a, "第一网格")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await browser.post(
        "/grid/assign", {"grid_id": str(grid), "person_id": str(stranger)}
    )
    assert response.status_code == 404


async def test_the_unassigned_list_leads_into_assignment(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    newcomer = await add_person(services, world.a, "新来者", points.roster.branch_2)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/grid/unassigned")
    assert page.status_code == 200 and "新来者" in page.text and "党员甲" not in page.text
    grid = await grid_id(services, world.a, "第一网格")
    done = await browser.post(
        "/grid/assign",
        {"grid_id": str(grid), "person_id": str(newcomer), "view": "unassigned", "unassigned": "1"},
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/grid/unassigned")
    assert "新来者" not in (await browser.get("/grid/unassigned")).text


@pytest.mark.parametrize("role", [Role.BRANCH_SECRETARY, Role.GRID_WORKER, Role.MEMBER])
async def test_only_the_admin_manages_grids_rules_and_assignment(
    browser: Browser, services: AppServices, world: World, points: PointsRoster, role: Role
) -> None:
    grid = await grid_id(services, world.a, "第一网格")
    rule = await one(services, world.a, select(VisitRule.id).limit(1))
    await browser.login(world.a.users[role])
    for path in ("/grid/grids/new", "/grid/assign", "/grid/unassigned", "/grid/rules",
                 f"/grid/rules/{rule}", f"/grid/grids/{grid}/edit"):  # fmt: skip
        assert (await browser.get(path)).status_code == 403, path
    posts = {
        "/grid/grids": grid_form(points.roster.center),
        f"/grid/grids/{grid}": grid_form(points.roster.center, name="改名"),
        f"/grid/grids/{grid}/retire": {},
        f"/grid/grids/{grid}/people/{points.member_a}/remove": {},
        "/grid/assign": {"grid_id": str(grid), "person_id": str(points.member_a)},
        f"/grid/rules/{rule}": {"name": "改名"},
        "/grid/rules/meeting-day": {"meeting_day": "5"},
    }
    for path, form in posts.items():
        assert (await browser.post(path, form)).status_code == 403, path
    assert await grid_id(services, world.a, "第一网格") == grid


async def test_a_grid_worker_sees_their_grids_on_the_phone(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    other = await add_grid(services, world.a, "别人的网格")
    grid = await grid_id(services, world.a, "第一网格")
    await browser.login(world.a.users[Role.GRID_WORKER])
    listing = await browser.get("/grid/grids")
    assert listing.status_code == 200
    assert "第一网格" in listing.text and "别人的网格" not in listing.text
    assert 'href="/grid/grids/new"' not in listing.text
    page = await browser.get(f"/grid/grids/{grid}")
    assert page.status_code == 200 and "党员甲" in page.text
    assert 'href="tel:13700001111"' in page.text  # 甲一号's phone, one tap to call
    assert "/remove" not in page.text and "/retire" not in page.text
    assert (await browser.get(f"/grid/grids/{other}")).status_code == 404


async def test_a_sub_center_head_sees_only_the_sub_centers_grids(
    browser: Browser, services: AppServices, world: World
) -> None:
    district = world.a
    center = await add_unit(services, district, "center", "军休中心")
    north = await add_unit(services, district, "subcenter", "北分中心", center)
    south = await add_unit(services, district, "subcenter", "南分中心", center)
    north_branch = await add_unit(services, district, "branch", "北一支部", north)
    head = await add_person(services, district, "北分中心主任", north_branch)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await PeopleService(session, services.cipher).link_account(
                EVERYONE, head, district.users[Role.BRANCH_SECRETARY].id, SYSTEM
            )
            await OrgService(session).set_leader(north, head, SYSTEM)
    mine = await add_grid(services, district, "北网格", unit=north_branch, people=[head])
    theirs = await add_grid(services, district, "南网格", unit=south)
    await add_grid(services, district, "中心网格", unit=center)

    await browser.login(district.users[Role.BRANCH_SECRETARY])
    listing = await browser.get("/grid/grids")
    assert "北网格" in listing.text
    assert "南网格" not in listing.text and "中心网格" not in listing.text
    assert (await browser.get(f"/grid/grids/{mine}")).status_code == 200
    assert (await browser.get(f"/grid/grids/{theirs}")).status_code == 404


async def test_the_admin_tunes_a_rule_and_the_due_list_follows(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    rule = await one(services, world.a, select(VisitRule).where(VisitRule.code == "mid_autumn"))
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            session.add(VisitDueItem(
                tenant_id=world.a.tenant_id, person_id=points.member_a, rule_id=rule.id,
                occasion="mid_autumn:2026", opens_on=clock.today(),
                due_at=clock.now() + timedelta(days=3),
            ))  # fmt: skip
            await session.commit()
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    listing = await browser.get("/grid/rules")
    assert listing.status_code == 200 and "中秋节慰问" in listing.text
    # A deadline of whole days reads as days, as the request categories' do: 家有困难 7天内
    # (现实纠纷 and 送学上门 too).
    assert listing.text.count("7天内") == 3 and "168小时" not in listing.text
    assert (await browser.get(f"/grid/rules/{rule.id}")).status_code == 200
    saved = await browser.post(
        f"/grid/rules/{rule.id}", {"name": "中秋慰问", "days_before": "10", "days_after": "２"}
    )  # unticked "enabled": switched off; full-width digits are read
    assert saved.status_code == 303
    changed = await one(services, world.a, select(VisitRule).where(VisitRule.id == rule.id))
    assert (changed.name, changed.days_before, changed.days_after) == ("中秋慰问", 10, 2)
    assert not changed.enabled
    items = select(func.count(VisitDueItem.id)).where(VisitDueItem.rule_id == rule.id)
    assert await one(services, world.a, items) == 0  # off: its unanswered items are gone


@pytest.mark.parametrize(
    ("code", "values", "message"),
    [
        ("mid_autumn", {"days_before": "61"},
         "Give the days before the holiday as a whole number from 0 to 60."),
        ("mid_autumn", {"days_after": "-1"},
         "Give the days after the holiday as a whole number from 0 to 60."),
        ("hospitalisation", {"due_hours": "0"},
         "Give the deadline as a whole number of hours from 1 to 720."),
        ("hospitalisation", {"due_hours": "721"},
         "Give the deadline as a whole number of hours from 1 to 720."),
        ("birthday", {"name": ""}, "Please enter a name for the rule."),
        ("birthday", {"name": "寿" * 31}, "A rule name can be at most 30 characters."),
    ],
)  # fmt: skip
async def test_a_bad_rule_change_is_refused_and_writes_nothing(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    code: str, values: dict[str, str], message: str,
) -> None:  # fmt: skip
    rule = await one(services, world.a, select(VisitRule).where(VisitRule.code == code))
    form = {"name": rule.name, "enabled": "1", "days_before": "3", "days_after": "0",
            "due_hours": "48"} | values  # fmt: skip
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await browser.post(f"/grid/rules/{rule.id}", form)
    assert response.status_code == 422 and shown(message) in response.text
    after = await one(services, world.a, select(VisitRule).where(VisitRule.id == rule.id))
    assert (after.name, after.days_before, after.due_hours, after.enabled) == (
        rule.name, rule.days_before, rule.due_hours, rule.enabled,
    )  # fmt: skip


async def test_the_meeting_day_is_a_day_from_1_to_28(
    browser: Browser, services: AppServices, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    refused = await browser.post("/grid/rules/meeting-day", {"meeting_day": "29"})
    assert refused.status_code == 422
    assert shown("Give the meeting day as a day of the month from 1 to 28.") in refused.text
    assert await one(services, world.a, select(ServiceSettings.meeting_day)) == 10
    saved = await browser.post("/grid/rules/meeting-day", {"meeting_day": "15"})
    assert saved.status_code == 303
    assert await one(services, world.a, select(ServiceSettings.meeting_day)) == 15
    page = await browser.get("/grid/rules")
    assert re.search(
        r'name="meeting_day"[^>]*value="15"|value="15"[^>]*name="meeting_day"', page.text
    )
    assert await one(services, world.b, select(ServiceSettings.meeting_day)) == 10


async def test_the_person_page_card_shows_the_grid_its_workers_and_the_history(
    app: Any, services: AppServices, world: World, points: PointsRoster
) -> None:
    from app.grid.grids.views import GridViews

    first = await grid_id(services, world.a, "第一网格")
    await add_grid(services, world.a, "第二网格", people=[points.member_a])
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            history = await GridViews(session).history(points.member_a)
            nobody = await GridViews(session).history(UUID(int=0))
    template = app.template_engine.get_template("grid/_assignment_history.html")
    card = template.render(assignments=history)
    now, earlier = card.split(shown("Earlier grids"))
    assert "第二网格" in now and "第一网格" not in now
    assert "第一网格" in earlier and f'href="/grid/grids/{first}"' not in card
    # 第一网格's worker does not work 第二网格
    assert world.a.users[Role.GRID_WORKER].name not in now
    empty = template.render(assignments=nobody)
    assert shown("Not in any grid: no grid worker answers for this person yet.") in empty


GRID_PAGES = ("/grid", "/grid/calendar", "/grid/coverage", "/grid/grids", "/grid/assign",
              "/grid/unassigned", "/grid/rules")  # fmt: skip


def linked(page: str) -> set[str]:
    """The grid pages the page's grid navigation links to."""
    start = page.index('class="grid-nav"')
    nav = page[start : page.index("</nav>", start)]
    return set(re.findall(r'href="(/grid[^"?]*)"', nav))


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER])
async def test_every_grid_page_links_the_grid_pages_its_user_may_open(
    browser: Browser, services: AppServices, world: World, points: PointsRoster, role: Role
) -> None:
    """The links come from the routes' own guards: a page is linked exactly when the
    user may open it, on every grid page, so the admin's pages are a tap away."""
    await browser.login(world.a.users[role])
    opens = {path for path in GRID_PAGES if (await browser.get(path)).status_code == 200}
    assert "/grid" in opens
    for path in opens:
        assert linked((await browser.get(path)).text) == opens, path
    if role == Role.TENANT_ADMIN:
        assert {"/grid/grids", "/grid/assign", "/grid/rules", "/grid/coverage"} <= opens


async def test_a_new_district_s_admin_is_shown_the_first_step_not_a_dead_end(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/grid")
    assert page.status_code == 200
    assert shown("You have no grid yet. The district administrator assigns grids.") not in page.text
    assert (
        shown(
            "This district has no grids yet. First add a grid with its grid workers, then "
            "assign people to it."
        )
        in page.text
    )
    assert 'href="/grid/grids/new"' in page.text and 'href="/grid/assign"' in page.text
    # A secretary of the new district is told who draws the grids, not that it is theirs.
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/grid")
    assert (
        shown("No grid belongs to your units yet. The district administrator draws the grids.")
        in page.text
    )
    assert 'href="/grid/grids/new"' not in page.text


async def test_the_admin_sees_the_districts_grids_on_the_visits_page(
    browser: Browser, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/grid")
    assert "第一网格" in page.text and 'href="/grid/grids"' in page.text
