"""Claims, awards and objections sent again on a weak network: the form carries an id
made when it was shown, so a retry after a lost answer saves once, and an id already
used for something else is refused with nothing written (as visits and requests do)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.claims.service import FORM_USED as CLAIM_FORM_USED
from app.points.models import Claim, Objection, PointEvent, Publication
from app.points.periods import half_of
from app.points.publications.objections import FORM_USED as OBJECTION_FORM_USED
from app.state import AppServices
from tests.factories import District, PointsRoster, World, make_points_roster, make_world
from tests.http.conftest import Browser, shown
from tests.http.test_points import claim_form, item_id

KEEP_NOTICE = "The network did not answer. What you typed is kept here; please try again."


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def count(services: AppServices, district: District, model: Any) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def form_id_of(html: str) -> str:
    return html.split('name="form_id" value="')[1].split('"')[0]


async def test_a_claim_sent_twice_is_saved_once(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get(f"/points/claims/new?person={points.member_a}")
    assert 'data-keep-form="claim-' in page.text and shown(KEEP_NOTICE) in page.text
    data = claim_form(points.member_a, await item_id(services, world.a, "XX-01"))
    data["form_id"] = form_id_of(page.text)
    first = await browser.post("/points/claims/", data)
    assert first.status_code == 303, first.text[:800]
    # The answer was lost on the way back; the worker taps again, then again.
    for _ in range(2):
        again = await browser.post("/points/claims/", data)
        assert again.status_code == 303, again.text[:800]
    assert shown("This claim was already sent.") in (await browser.get("/points/claims/")).text
    assert await count(services, world.a, Claim) == 1


async def test_a_claim_form_id_used_for_different_content_is_refused(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    study = await item_id(services, world.a, "XX-01")
    form_id = str(uuid4())
    first = claim_form(points.member_a, study) | {"form_id": form_id}
    assert (await browser.post("/points/claims/", first)).status_code == 303
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    for other in (
        first | {"person_id": str(points.member_b)},
        first | {"evidence": "另一次学习"},
        first | {"occurred_on": yesterday},
        first | {"item_id": str(await item_id(services, world.a, "FH-01"))},
    ):
        response = await browser.post("/points/claims/", other)
        assert response.status_code == 422, other
        assert shown(CLAIM_FORM_USED) in response.text
        assert f'value="{form_id}"' not in response.text  # a fresh id: sent again, it is new
        assert other["evidence"] in response.text  # what was typed is kept
    assert await count(services, world.a, Claim) == 1
    # Another account's claim id is not a way to see or change it.
    await browser.login(world.a.users[Role.MEMBER])
    response = await browser.post("/points/claims/", first)
    assert response.status_code == 422
    assert await count(services, world.a, Claim) == 1


async def test_an_award_sent_twice_is_recorded_once(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get(f"/points/claims/award?person={points.member_a}")
    assert 'data-keep-form="award-' in page.text and shown(KEEP_NOTICE) in page.text
    dues = await item_id(services, world.a, "ZZ-04")  # +1, cap 3 a quarter
    data = claim_form(points.member_a, dues) | {"form_id": form_id_of(page.text)}
    for _ in range(3):  # a retry is not refused by the cap its first send filled either
        response = await browser.post("/points/claims/award", data)
        assert response.status_code == 303, response.text[:800]
    assert await count(services, world.a, PointEvent) == 1
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            awarded = await session.scalar(
                select(func.count()).where(AuditEvent.action == "points.awarded")
            )
    assert awarded == 1
    changed = data | {"evidence": "另一次"}
    refused = await browser.post("/points/claims/award", changed)
    assert refused.status_code == 422
    assert shown(CLAIM_FORM_USED) in refused.text
    assert await count(services, world.a, PointEvent) == 1


async def open_publication(services: AppServices, world: World, points: PointsRoster) -> UUID:
    """第一支部's last half-year, put up for objections (directly: the test is about
    the objection form)."""
    half = half_of(clock.today()).previous()
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            from app.points.models import RuleSet

            rules = await session.scalar(select(RuleSet.id))
            secretary = world.a.users[Role.BRANCH_SECRETARY]
            publication = Publication(
                tenant_id=world.a.tenant_id, branch_id=points.roster.branch_1,
                period_start=half.start, period_end=half.end, rule_set_id=rules,
                status="objection", objections_close_on=clock.today() + timedelta(days=7),
                opened_by=secretary.id, opened_by_name=secretary.name,
            )  # fmt: skip
            session.add(publication)
            await session.commit()
            return publication.id


async def test_an_objection_sent_twice_is_raised_once(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    publication_id = await open_publication(services, world, points)
    await browser.login(world.a.users[Role.MEMBER])
    page = await browser.get(f"/points/publications/{publication_id}")
    assert f'data-keep-form="objection-{publication_id}"' in page.text
    assert shown(KEEP_NOTICE) in page.text
    data = {"person_id": str(points.member_a), "reason": "五月五日的学习没有记上",
            "form_id": form_id_of(page.text)}  # fmt: skip
    url = f"/points/publications/{publication_id}/objections"
    for _ in range(3):
        response = await browser.post(url, data)
        assert response.status_code == 303, response.text[:800]
    assert await count(services, world.a, Objection) == 1
    for other in (data | {"reason": "六月的也没有"}, data | {"person_id": str(points.member_b)}):
        response = await browser.post(url, other)
        assert response.status_code == 422, other
        assert shown(OBJECTION_FORM_USED) in response.text
        assert other["reason"] in response.text
        assert f'value="{data["form_id"]}"' not in response.text
    assert await count(services, world.a, Objection) == 1
