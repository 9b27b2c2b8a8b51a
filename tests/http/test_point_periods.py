"""Which periods the points pages offer and accept: none before the district's first
rules, and a half-year's ranking only once the half-year is over — so nothing is
offered that would be refused after the tap."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.models import Claim, Objection, PointEvent, Publication, RuleItem, RuleSet
from app.points.periods import half, half_of
from app.state import AppServices
from tests.factories import District, PointsRoster, World, make_points_roster, make_tenant
from tests.http.conftest import Browser, shown
from tests.http.test_point_publications import state

PUBLICATIONS = "/points/publications"
TODAY = date(2026, 12, 7)
"""The day a new district's first week was tried: its rules started on 1 October."""
RULES_FROM = date(2026, 10, 1)
BEFORE_RULES = "The district's point rules start on %(date)s; nothing can be recorded before it."


def options(html: str, name: str) -> list[str]:
    """The values a select offers."""
    select_html = html[html.index(f'name="{name}"') :]
    select_html = select_html[: select_html.index("</select>")]
    return re.findall(r'<option value="([^"]*)"', select_html)


async def put_up(
    services: AppServices, district: District, branch: UUID, period_start: date, **values: Any
) -> UUID:
    """A ranking put up for objections as an earlier version of the app allowed (directly)."""
    period = half_of(period_start)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            secretary = district.users[Role.BRANCH_SECRETARY]
            publication = Publication(
                tenant_id=district.tenant_id, branch_id=branch, period_start=period.start,
                period_end=period.end, rule_set_id=await session.scalar(select(RuleSet.id)),
                status="objection", opened_by=secretary.id, opened_by_name=secretary.name,
                objections_close_on=values.get("closes", clock.today() + timedelta(days=7)),
            )  # fmt: skip
            session.add(publication)
            await session.commit()
            return publication.id


# --- item 2: a half-year is put up and published once it has ended ---------------------


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def test_a_half_year_is_put_up_only_once_it_has_ended(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    current = half_of(clock.today())
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listing = await browser.get(f"{PUBLICATIONS}/")
    offered = options(listing.text, "half")
    assert current.key not in offered
    assert offered == [current.previous().key, current.previous().previous().key]
    before = await state(services, world.a)
    early = await browser.post(
        f"{PUBLICATIONS}/", {"branch_id": str(points.roster.branch_1), "half": current.key}
    )
    assert early.status_code == 422
    message = "The ranking of %(period)s can be put up once the half-year has ended, from %(date)s."
    assert shown(message, period=current.label, date=current.end + timedelta(1)) in early.text
    assert await state(services, world.a) == before
    ended = await browser.post(
        f"{PUBLICATIONS}/", {"branch_id": str(points.roster.branch_1), "half": offered[0]}
    )
    assert ended.status_code == 303, ended.text[:800]


async def test_a_ranking_put_up_early_is_published_only_after_its_half_year(
    browser: Browser, services: AppServices, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A ranking an earlier version let a secretary put up before its half-year ended:
    publishing it then would close the half-year's last days on the ledger."""
    current = half_of(clock.today())
    yesterday = clock.today() - timedelta(days=1)
    publication_id = await put_up(
        services, world.a, points.roster.branch_1, current.start, closes=yesterday
    )
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get(f"{PUBLICATIONS}/{publication_id}")
    message = "%(period)s ends on %(end)s; the ranking can be published after that."
    words = shown(message, period=current.label, end=current.end.isoformat())
    assert words in page.text
    assert f"{publication_id}/publish" not in page.text  # no button that would be refused
    before = await state(services, world.a)
    refused = await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")
    assert refused.status_code == 422 and words in refused.text
    assert await state(services, world.a) == before

    monkeypatch.setattr("app.core.clock.today", lambda: current.end + timedelta(days=1))
    page = await browser.get(f"{PUBLICATIONS}/{publication_id}")
    assert f"{publication_id}/publish" in page.text
    published = await browser.post(f"{PUBLICATIONS}/{publication_id}/publish")
    assert published.status_code == 303, published.text[:800]


# --- item 3: nothing before the district's first rules ----------------------------------


@pytest.fixture
async def new_district(
    services: AppServices, owner_db: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[District, PointsRoster]:
    """A district approved in its first quarter: rules from 1 October, today 7 December."""
    monkeypatch.setattr("app.core.clock.today", lambda: TODAY)
    district = await make_tenant(services, owner_db, name="市北区", rules_from=RULES_FROM)
    return district, await make_points_roster(services, district)


async def test_a_members_page_starts_with_the_districts_rules(
    browser: Browser, new_district: tuple[District, PointsRoster]
) -> None:
    district, points = new_district
    await browser.login(district.users[Role.MEMBER])
    page = await browser.get(f"/points/people/{points.member_a}")
    assert 'name="year"' not in page.text  # one year so far: nothing to choose
    assert shown("Q4") in page.text
    for quarter in ("Q1", "Q2", "Q3"):  # not a row of zeros for months before the rules
        assert f'tile__label">{shown(quarter)}<' not in page.text
    assert shown("No points recorded in %(year)s.", year=2026) in page.text
    older = await browser.get(f"/points/people/{points.member_a}?year=2024")
    assert older.status_code == 200
    assert shown("Points of %(name)s, %(year)s", name="党员甲", year=2026) in older.text


async def test_no_picker_offers_a_period_before_the_rules(
    browser: Browser, services: AppServices, new_district: tuple[District, PointsRoster]
) -> None:
    district, points = new_district
    await browser.login(district.users[Role.TENANT_ADMIN])
    for url in ("/points/", f"/points/branches/{points.roster.branch_1}",
                f"/points/ledger/{points.roster.branch_1}"):  # fmt: skip
        page = (await browser.get(url)).text  # one quarter so far: nothing to choose
        assert shown("2026年第四季度") in page and 'name="quarter"' not in page, url
        # A quarter before the rules asked by its link shows the first one instead.
        asked = await browser.get(f"{url}?quarter=2026Q2")
        assert shown("2026年第二季度") not in asked.text and "2026Q2" not in asked.text, url
    await browser.post("/points/rules/draft")
    preview = await browser.get("/points/rules/draft/preview")
    assert shown("2026年第四季度") in preview.text and 'name="quarter"' not in preview.text

    # No half-year yet: 2026H1 is before the rules and 2026H2 has not ended.
    listing = await browser.get(f"{PUBLICATIONS}/")
    assert 'name="half"' not in listing.text
    first = "The first ranking, of %(period)s, can be put up from %(date)s."
    assert shown(first, period=half(2026, 2).label, date="2027-01-01") in listing.text
    before = await state(services, district)
    refused = await browser.post(
        f"{PUBLICATIONS}/", {"branch_id": str(points.roster.branch_1), "half": "2026H1"}
    )
    assert refused.status_code == 422
    message = "The district's point rules start on %(date)s; %(period)s is before that."
    assert shown(message, date="2026-10-01", period=half(2026, 1).label) in refused.text
    assert await state(services, district) == before


async def test_dates_before_the_rules_are_refused_in_plain_words(
    browser: Browser, services: AppServices, new_district: tuple[District, PointsRoster]
) -> None:
    district, points = new_district
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            study = await session.scalar(select(RuleItem.id).where(RuleItem.code == "XX-01"))
    await browser.login(district.users[Role.GRID_WORKER])
    form = await browser.get(f"/points/claims/new?person={points.member_a}")
    assert 'min="2026-10-01"' in form.text
    claim = {"person_id": str(points.member_a), "item_id": str(study),
             "occurred_on": "2026-08-05", "quantity": "1", "evidence": "学习"}  # fmt: skip
    refused = await browser.post("/points/claims/", claim)
    assert refused.status_code == 422
    assert shown(BEFORE_RULES, date="2026-10-01") in refused.text

    # The secretary answers an objection to 2026H2's ranking with a missing item.
    publication_id = await put_up(services, district, points.roster.branch_1, RULES_FROM)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            member = district.users[Role.MEMBER]
            objection = Objection(
                tenant_id=district.tenant_id, publication_id=publication_id,
                person_id=points.member_a, raised_by=member.id, raised_by_name=member.name,
                reason="11月5日的学习没有记上",
            )  # fmt: skip
            session.add(objection)
            await session.commit()
    await browser.login(district.users[Role.BRANCH_SECRETARY])
    url = f"{PUBLICATIONS}/{publication_id}/objections/{objection.id}/answer"
    page = await browser.get(url)
    assert 'min="2026-10-01"' in page.text and 'max="2026-12-07"' in page.text
    hint = "%(period)s: %(start)s to %(end)s"
    assert shown(hint, period=half(2026, 2).label, start="2026-10-01", end="2026-12-31") in (
        page.text
    )
    before = await state(services, district)
    answer = {"decision": "upheld", "answer": "补记", "correction": "award",
              "item_id": str(study), "occurred_on": "2026-08-05", "quantity": "1"}  # fmt: skip
    refused = await browser.post(url, answer)
    assert refused.status_code == 422
    assert shown(BEFORE_RULES, date="2026-10-01") in refused.text
    assert await state(services, district) == before
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Claim)) == 0
            assert await session.scalar(select(func.count()).select_from(PointEvent)) == 0
