"""Charts over HTTP: the admin's and the secretary's home show the work that waits,
each count a link to its list, and three charts; the coverage and compliance pages
their own. Every chart carries its figures for charts.js and says them in words — a
sentence and a table — for screen readers and for a phone without JavaScript."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.points.models import Claim, RuleItem
from app.points.rules.versions import in_force
from app.service_requests.models import RequestCategory
from app.service_requests.requests.forms import parse_request
from app.service_requests.requests.service import RequestService
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    add_grid,
    identity_of,
    make_points_roster,
)
from tests.http.conftest import Browser, shown

TODAY = date(2026, 11, 18)
NOW = datetime.combine(TODAY, time(9, 30), clock.CHINA_TIME)
FIGURE = re.compile(r'<figure class="chart chart--\w+" id="chart-([\w-]+)".*?</figure>', re.S)
SPEC = re.compile(r"data-chart='([^']*)'")


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


def charts(page: str) -> dict[str, str]:
    """Each chart on the page by its key: its <figure> as HTML."""
    return {m.group(1): m.group(0) for m in FIGURE.finditer(page)}


def spec(figure: str) -> dict[str, Any]:
    found = SPEC.search(figure)
    assert found, "no data-chart on this chart"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def said_in_words(figure: str) -> None:
    """A title, a sentence, and the figures as a table under <details>."""
    assert '<figcaption class="chart__title"' in figure
    assert re.search(r'<p class="chart__summary">[^<]{8,}</p>', figure)
    assert "<details" in figure and shown("The figures as a table") in figure
    assert '<th scope="row">' in figure


async def work_waiting(services: AppServices, district: District, points: PointsRoster) -> None:
    """A must-visit overdue in 第一支部's grid, a claim to decide there, a water
    request due tonight, and a visit of this month."""
    await add_grid(
        services, district, "支部网格", people=[points.member_b], unit=points.roster.branch_1
    )
    worker = district.users[Role.GRID_WORKER]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(select(VisitRule.id).where(VisitRule.code == "birthday"))
            version = await in_force(session, TODAY)
            assert version is not None
            item = await session.scalar(
                select(RuleItem.id).where(
                    RuleItem.code == "XX-01", RuleItem.rule_set_id == version.id
                )
            )
            session.add_all([
                VisitDueItem(
                    tenant_id=district.tenant_id, person_id=points.member_b, rule_id=rule,
                    occasion="test:overdue", opens_on=TODAY - timedelta(days=9),
                    due_at=NOW - timedelta(days=2),
                ),
                Claim(
                    tenant_id=district.tenant_id, person_id=points.member_b, rule_item_id=item,
                    occurred_on=TODAY, quantity=Decimal(1), claimed_by=worker.id,
                    claimed_by_name=worker.name,
                ),
                Visit(
                    tenant_id=district.tenant_id, person_id=points.member_a, kind="hospital",
                    visited_on=TODAY - timedelta(days=3), place="hospital",
                    visitor_id=worker.id, visitor_name=worker.name,
                ),
            ])  # fmt: skip
            water = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == "water")
            )
            await session.commit()
    form = parse_request(
        {
            "person_id": str(points.member_a),
            "category_id": str(water),
            "description": "厨房水管坏了",
        }
    )
    who = await identity_of(services, district.tenant_id, worker.id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await RequestService(session).log(who, form)


def work_item(page: str, href: str) -> str:
    """The figure of the work item linking to `href`."""
    found = re.search(
        rf'<a class="work__item[^"]*" href="{re.escape(html.escape(href))}">\s*'
        r'<span class="work__figure">(?:<span aria-hidden="true">⚠ </span>)?(\d+)</span>',
        page,
    )
    assert found, f"no work item linking to {href}"
    return found.group(1)


async def test_the_admins_home_shows_the_work_each_a_link_and_three_charts_in_words(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await work_waiting(services, world.a, points)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = (await browser.get("/dashboard")).text
    assert 'data-step="roster"' in page  # the getting-started card stays for a new district
    assert work_item(page, "/grid") == "1"
    assert work_item(page, "/points/claims") == "1"
    assert work_item(page, "/requests?due=overdue#listed") == "0"
    assert work_item(page, "/requests?due=soon#listed") == "1"  # water, by 22:00
    assert shown("Members with accounts") not in page  # work, not account counts
    found = charts(page)
    assert list(found) == ["visits-by-month", "sla-by-month", "participation"]
    visits = spec(found["visits-by-month"])
    assert visits["kind"] == "columns" and len(visits["categories"]) == 12
    assert [s["name"] for s in visits["series"]] == [shown("Hospital visit")]
    assert visits["series"][0]["values"][-1] == 1
    said_in_words(found["visits-by-month"])
    participation = spec(found["participation"])
    assert participation["categories"] == ["第一支部", "第二支部"]
    assert participation["unit"] == "%" and participation["series"][0]["values"] == [0, 0]
    said_in_words(found["participation"])
    # no request decided yet: a sentence says so, no picture and no empty table
    assert "data-chart=" not in found["sla-by-month"]
    assert (
        shown("No request was resolved or late in the last %(months)s months.", months=12)
        in (found["sla-by-month"])
    )

    listed = (await browser.get("/requests?due=soon")).text
    assert "厨房水管坏了" in listed and 'id="listed"' in listed
    assert (
        "厨房水管坏了"
        not in (await browser.get("/requests?due=overdue")).text.split('id="listed"')[1]
    )


async def test_a_secretarys_home_shows_their_branchs_work_and_charts_only(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await work_waiting(services, world.a, points)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = (await browser.get("/dashboard")).text
    assert work_item(page, "/grid") == "1"  # the grid of 第一支部
    assert work_item(page, "/points/claims") == "1"
    assert 'data-step="roster"' not in page  # getting started is the admin's
    found = charts(page)
    assert list(found) == ["visits-by-month", "sla-by-month", "participation"]
    assert spec(found["participation"])["categories"] == ["第一支部"]
    assert "第二支部" not in found["participation"]
    assert spec(found["visits-by-month"])["series"][0]["values"][-1] == 1  # 党员甲: 第一支部


async def test_a_member_and_a_grid_worker_get_no_work_charts(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    page = (await browser.get("/dashboard")).text
    assert "data-chart=" not in page and 'class="work"' not in page
    await browser.login(world.a.users[Role.GRID_WORKER])
    assert (await browser.get("/dashboard")).headers["location"] == "/grid"


async def test_the_coverage_page_draws_each_grid_for_every_role_that_sees_it(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await work_waiting(services, world.a, points)
    expected = {
        Role.TENANT_ADMIN: ["支部网格", "第一网格"],
        Role.BRANCH_SECRETARY: ["支部网格"],
        Role.GRID_WORKER: ["第一网格"],
    }
    for role, grids in expected.items():
        await browser.login(world.a.users[role])
        figure = charts((await browser.get("/grid/coverage")).text)["coverage"]
        drawn = spec(figure)
        assert drawn["kind"] == "bars" and drawn["unit"] == "%"
        assert sorted(drawn["categories"]) == sorted(grids), role
        said_in_words(figure)
    # 第一网格: 1 of 5 visited (20%), below the default 30% target: flagged, in words too
    first = drawn["series"][0]
    assert first["values"] == [20] and first["flags"] == [True]
    assert shown("Below target") in figure and "▼" in figure


async def test_the_compliance_page_draws_the_months_and_the_categories(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await work_waiting(services, world.a, points)
    later = NOW + timedelta(days=1)  # the water request is late now
    monkeypatch.setattr(clock, "now", lambda: later)
    for role in (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY):
        await browser.login(world.a.users[role])
        found = charts((await browser.get("/requests/sla")).text)
        assert list(found) == ["sla-by-month", "sla-by-category"]
        months, categories = spec(found["sla-by-month"]), spec(found["sla-by-category"])
        assert months["kind"] == "line" and months["series"][0]["values"][-1] == 0
        assert categories["categories"] == ["水（漏水、停水）"]
        assert categories["series"][0]["values"] == [0]  # late: 0% in time
        for figure in found.values():
            said_in_words(figure)


async def test_every_page_names_the_chart_library_served_from_its_own_bundle(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = (await browser.get("/grid")).text
    library = re.search(r'data-chart-library="(/assets/echarts\.[0-9a-f]{10}\.js)"', page)
    assert library, "the body names the chart library"
    assert "echarts" not in re.findall(r'<script src="([^"]+)"', page)[0]  # not on every page
    served = await browser.client.get(library.group(1), headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200 and served.headers["content-encoding"] == "gzip"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert b"echarts" in served.content[:2000]
