"""Coverage and the calendar over HTTP: what each role sees, and what it may not."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Grid, Visit, VisitDueItem, VisitRule
from app.grid.occasions import end_of_day
from app.state import AppServices
from app.web.templates import day
from tests.factories import District, PointsRoster, World, make_points_roster
from tests.http.conftest import Browser, shown

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    when = datetime.combine(TODAY, time(9, 30), clock.CHINA_TIME)
    monkeypatch.setattr(clock, "now", lambda: when)
    monkeypatch.setattr(clock, "today", lambda: when.date())


async def first_grid(services: AppServices, district: District) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            grid = await session.scalar(select(Grid.id).where(Grid.name == "第一网格"))
    assert grid is not None
    return grid


async def visit(services: AppServices, district: District, person: UUID, day: date) -> None:
    worker = district.users[Role.GRID_WORKER]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            session.add(
                Visit(
                    tenant_id=district.tenant_id,
                    person_id=person,
                    visited_on=day,
                    kind="hospital",
                    place="hospital",
                    visitor_id=worker.id,
                    visitor_name=worker.name,
                )
            )
            await session.commit()


async def due(
    services: AppServices, district: District, person: UUID, due_at: datetime, rule: str
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rule_id = await session.scalar(select(VisitRule.id).where(VisitRule.code == rule))
            session.add(
                VisitDueItem(
                    tenant_id=district.tenant_id,
                    person_id=person,
                    rule_id=rule_id,
                    occasion=f"test:{rule}",
                    opens_on=TODAY - timedelta(days=7),
                    due_at=due_at,
                )
            )
            await session.commit()


async def test_the_admin_sees_each_grid_against_its_target_and_the_district_total(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    grid = await first_grid(services, world.a)
    await visit(services, world.a, points.member_a, TODAY - timedelta(days=3))
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get("/grid/coverage")
    assert page.status_code == 200
    assert f'href="/grid/coverage/{grid}"' in page.text and "第一网格" in page.text
    # 1 of 6 people this month (16%) against the default target of 30%
    assert "16%" in page.text and shown("Below target") in page.text
    assert shown("District total") in page.text
    assert shown("Not visited for %(days)s days", days=90) in page.text


async def test_the_grid_page_puts_the_never_visited_first_with_a_call_and_a_visit_link(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    grid = await first_grid(services, world.a)
    await visit(services, world.a, points.member_a, TODAY - timedelta(days=100))
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get(f"/grid/coverage/{grid}")
    assert page.status_code == 200
    stale = page.text[: page.text.index(shown("Everyone in this grid"))]
    assert shown("Never visited") in stale
    assert stale.index("甲一号") < stale.index("党员甲")  # never visited before 100 days ago
    last = day(TODAY - timedelta(days=100))
    assert shown("Last visit %(date)s, %(days)s days ago", date=last, days=100) in stale
    assert 'href="tel:13700001111"' in stale
    assert f'href="/grid/visits/new?person={points.roster.person_1}"' in stale
    assert shown("Hospital visit") in page.text


async def test_a_secretary_sees_only_the_grids_of_their_units(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    grid = await first_grid(services, world.a)  # belongs to no unit: the admin's alone
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/grid/coverage")
    assert page.status_code == 200 and "第一网格" not in page.text
    assert shown("There are no grids for you to see yet.") in page.text
    assert (await browser.get(f"/grid/coverage/{grid}")).status_code == 404
    assert (await browser.get(f"/grid/calendar?grid={grid}")).status_code == 404


async def test_members_have_no_coverage_or_calendar(
    browser: Browser, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    assert (await browser.get("/grid/coverage")).status_code == 403
    assert (await browser.get("/grid/calendar")).status_code == 403


async def test_the_workers_calendar_has_the_meeting_day_and_the_must_visits(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await due(services, world.a, points.member_b, end_of_day(TODAY - timedelta(days=2)),
              "birthday")  # fmt: skip
    await due(services, world.a, points.member_a, end_of_day(TODAY + timedelta(days=2)),
              "hardship")  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/grid/calendar")
    assert page.status_code == 200
    text = page.text
    overdue = text.index(shown("Overdue"))
    assert overdue < text.index("党员乙") < text.index('id="d-2026-11-20"') < text.index("党员甲")
    assert "生日祝寿" in text and "家有困难必访" in text
    assert f'href="/grid/visits/new?person={points.member_a}"' in text
    assert shown("Meeting day") in text[text.index('id="d-2026-12-10"') :]
    assert shown("nothing due") in text


async def test_an_admin_picks_a_grid_for_the_calendar(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    grid = await first_grid(services, world.a)
    await due(services, world.a, points.member_a, end_of_day(TODAY + timedelta(days=1)),
              "birthday")  # fmt: skip
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    unpicked = await browser.get("/grid/calendar")
    assert shown("Choose a grid to see its must-visits.") in unpicked.text
    assert "党员甲" not in unpicked.text
    picked = await browser.get(f"/grid/calendar?grid={grid}")
    assert picked.status_code == 200 and "党员甲" in picked.text
    mangled = await browser.get("/grid/calendar?grid=not-a-grid")  # read as no choice, as
    assert mangled.status_code == 200  # every filter reads a mangled link
    assert shown("Choose a grid to see its must-visits.") in mangled.text
