"""What the points pages offer and say: no decision one may not take, no link to a
search that finds nobody, item labels without brackets in brackets, and English
pages in English (periods too)."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.models import Claim, Objection, Publication, RuleSet
from app.points.periods import half_of, quarter_of
from app.state import AppServices
from tests.factories import PointsRoster, World, make_points_roster, make_world
from tests.http.conftest import Browser, shown
from tests.http.test_points import claim_form, item_id


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def claim_for(services: AppServices, world: World, person: UUID, study: UUID) -> UUID:
    """A grid worker's claim waiting for a decision (written directly)."""
    worker = world.a.users[Role.GRID_WORKER]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            claim = Claim(
                tenant_id=world.a.tenant_id, person_id=person, rule_item_id=study,
                occurred_on=clock.today(), quantity=1, evidence="社区清扫",
                claimed_by=worker.id, claimed_by_name=worker.name, status="pending",
            )  # fmt: skip
            session.add(claim)
            await session.commit()
            return claim.id


async def test_a_secretary_is_not_offered_a_decision_on_their_own_claim(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    """The secretary is 第一支部's person_1; a grid worker claimed for them."""
    study = await item_id(services, world.a, "XX-01")
    own = await claim_for(services, world, points.roster.person_1, study)
    other = await claim_for(services, world, points.member_a, study)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = (await browser.get("/points/claims/")).text
    assert f"/points/claims/{other}/approve" in page and f"/points/claims/{other}/reject" in page
    assert f"/points/claims/{own}/approve" not in page
    assert f"/points/claims/{own}/reject" not in page
    theirs = page.index(shown("Claims for you"))  # listed apart, after those to decide
    assert "甲一号" not in page[:theirs] and "甲一号" in page[theirs:]
    words = "No one decides their own points: the district administrator decides these."
    assert shown(words) in page
    overview = (await browser.get("/points/")).text
    assert shown("%(num)s waiting for you", num=1) in overview  # theirs is not counted

    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = (await browser.get("/points/claims/")).text
    assert f"/points/claims/{own}/approve" in page  # the administrator decides it
    assert shown("%(num)s waiting for you", num=2) in (await browser.get("/points/")).text


async def test_a_member_claims_for_themself_with_no_link_to_choose_another(
    browser: Browser, world: World, points: PointsRoster
) -> None:
    choose = shown("choose someone else")
    await browser.login(world.a.users[Role.MEMBER])
    page = (await browser.get("/points/claims/new")).text
    assert shown("For %(name)s", name="党员甲") in page and choose not in page
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = (await browser.get(f"/points/claims/new?person={points.member_a}")).text
    assert choose in page  # a worker claims for the people of their grids


async def test_item_labels_say_their_points_plainly(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    for url in (f"/points/claims/new?person={points.member_a}",
                f"/points/claims/award?person={points.member_a}"):  # fmt: skip
        labels = re.findall(r'<option value="[0-9a-f-]{36}"[^>]*>([^<]*)</option>', (
            await browser.get(url)).text)  # fmt: skip
        assert labels, url
        for label in labels:
            assert not re.search(r"[（(][^）)]*[（(]", label), label  # no brackets in brackets
    assert "参加支部集中学习（每次+2分）" in labels


async def test_english_pages_name_periods_and_answers_in_english(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    study = await item_id(services, world.a, "XX-01")
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    assert (
        await browser.post("/points/claims/award", claim_form(points.member_a, study))
    ).status_code == 303
    half = half_of(clock.today()).previous()
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            secretary, member = world.a.users[Role.BRANCH_SECRETARY], world.a.users[Role.MEMBER]
            publication = Publication(
                tenant_id=world.a.tenant_id, branch_id=points.roster.branch_1,
                period_start=half.start, period_end=half.end,
                rule_set_id=await session.scalar(select(RuleSet.id)), status="objection",
                objections_close_on=clock.today() + timedelta(days=7),
                opened_by=secretary.id, opened_by_name=secretary.name,
            )  # fmt: skip
            session.add(publication)
            await session.flush()
            session.add(
                Objection(
                    tenant_id=world.a.tenant_id, publication_id=publication.id,
                    person_id=points.member_a, raised_by=member.id, raised_by_name=member.name,
                    reason="名次不对", status="rejected", answer="名次无误",
                    answered_by=secretary.id, answered_by_name=secretary.name,
                    answered_at=clock.now(),
                )
            )  # fmt: skip
            await session.commit()

    await browser.login(world.a.users[Role.MEMBER])
    mine = (await browser.get(f"/points/people/{points.member_a}?lang=en")).text
    quarter = quarter_of(clock.today())
    assert f">Q{quarter.index}<" in mine  # the quarter's tile
    assert "points (unit)" not in mine and re.search(r"\+2 points", mine)
    html = (await browser.get(f"/points/publications/{publication.id}")).text
    read = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert f"{half.year}" in read and "半年" not in read and "季度" not in read
    assert "Rejected: 名次无误" in read and "：" not in read
