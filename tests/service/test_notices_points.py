"""Points' notices: the claimant hears their claim decided, the member their objection
answered, the branch's members with accounts its half-year ranking put up (with the
objection deadline) and published — each once; a refused step tells nobody."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from app.core import clock
from app.core.errors import Refused
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.publications.forms import AnswerForm
from app.points.publications.objections import ObjectionService
from app.points.publications.service import PublicationService
from app.state import AppServices
from tests.factories import District, PointsRoster, World, make_points_roster, unit_per_call
from tests.notices import told, written
from tests.service.test_form_retries import item
from tests.service.test_point_publications import last_half, who


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def claim(services: AppServices, district: District, person: UUID) -> UUID:
    form = ClaimForm(person, await item(services, district, "XX-01"), clock.today(), "1", "学习")
    with tenant_scope(district.tenant_id):
        sent = await unit_per_call(services.db, ClaimService).submit(
            await who(services, district, Role.GRID_WORKER), form
        )
    return sent.claim.id  # type: ignore[no-any-return]


async def test_the_claimant_hears_the_decision_once(
    services: AppServices, owner_db: Database, world: World, points: PointsRoster
) -> None:
    a = world.a
    worker = a.users[Role.GRID_WORKER].id
    approved = await claim(services, a, points.member_a)
    rejected = await claim(services, a, points.member_b)
    claims = unit_per_call(services.db, ClaimService)
    secretary = await who(services, a, Role.BRANCH_SECRETARY)
    with tenant_scope(a.tenant_id):
        await claims.approve(secretary, approved)
        with pytest.raises(Refused):  # decided already: nothing more is said
            await claims.approve(secretary, approved)
        with pytest.raises(Refused):  # a rejection needs its reason
            await claims.reject(secretary, rejected, "  ")
        assert len(await written(owner_db)) == 1
        await claims.reject(secretary, rejected, "证件370102194910011236不是本人的")
    notices = await written(owner_db, "claim_decided")
    assert told(notices) == {worker: [f"claim:{approved}", f"claim:{rejected}"]}
    yes, no = notices
    assert yes.title == "积分申报已通过" and "党员甲" in yes.body and yes.link == "/points/claims"
    assert no.title == "积分申报未通过" and "党员乙" in no.body
    assert "370102194910011236" not in no.body and "（已隐去）不是本人的" in no.body


async def test_the_branch_hears_its_ranking_put_up_and_published_the_objector_the_answer(
    services: AppServices, owner_db: Database, world: World, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    a = world.a
    member = a.users[Role.MEMBER].id  # 党员甲 of 第一支部; the secretary puts it up
    publications = unit_per_call(services.db, PublicationService)
    objections = unit_per_call(services.db, ObjectionService)
    secretary = await who(services, a, Role.BRANCH_SECRETARY)
    with tenant_scope(a.tenant_id):
        with pytest.raises(Refused):  # this half-year has not ended: nothing is put up
            await publications.open(secretary, points.roster.branch_1, "2099H1")
        assert await written(owner_db) == []
        publication = await publications.open(secretary, points.roster.branch_1, last_half().key)
    notices = await written(owner_db, "publication")
    assert told(notices) == {member: [f"publication:{publication.id}:opened"]}
    closes = publication.objections_close_on
    assert f"{closes.month}月{closes.day}日前" in notices[0].body
    assert notices[0].link == f"/points/publications/{publication.id}"

    with tenant_scope(a.tenant_id):
        objection = await objections.object(
            await who(services, a, Role.MEMBER), publication.id, points.member_b, "乙也参加了"
        )
        await objections.answer(
            secretary, publication.id, objection.id, AnswerForm("rejected", "记录无误")
        )
        with pytest.raises(Refused):
            await objections.answer(
                secretary, publication.id, objection.id, AnswerForm("rejected", "再答一次")
            )
    answered = await written(owner_db, "objection_answered")
    assert told(answered) == {member: [f"objection:{objection.id}"]}
    assert answered[0].title == "你的异议未采纳" and "记录无误" in answered[0].body

    monkeypatch.setattr(clock, "today", lambda: publication.objections_close_on + timedelta(1))
    with tenant_scope(a.tenant_id):
        await publications.publish(secretary, publication.id)
        with pytest.raises(Refused):
            await publications.publish(secretary, publication.id)
    assert told(await written(owner_db, "publication")) == {
        member: [f"publication:{publication.id}:opened", f"publication:{publication.id}:published"]
    }  # fmt: skip
