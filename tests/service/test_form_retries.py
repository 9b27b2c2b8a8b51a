"""A form carries an id made when it was shown, so a retry on a weak network saves
once. Two posts of one form can arrive together (a double tap, a retry racing the
first): they must still save one row, and an id already used for something else is
refused, never a primary-key error."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db.form_ids import FormUsed
from app.db.tenant import tenant_scope
from app.grid.models import Place, Visit, VisitKind
from app.grid.visits.forms import VisitForm
from app.grid.visits.service import LoggedVisit, VisitService
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.models import Claim, Objection, PointEvent, Publication, RuleItem, RuleSet
from app.points.periods import half_of
from app.points.publications.objections import ObjectionService
from app.service_requests.models import RequestCategory, RequestEvent, ServiceRequest
from app.service_requests.requests.forms import RequestForm
from app.service_requests.requests.service import RequestService
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    identity_of,
    make_points_roster,
    unit_per_call,
)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def worker(services: AppServices, district: District) -> Identity:
    account = district.users[Role.GRID_WORKER]
    return await identity_of(services, district.tenant_id, account.id)


async def rows(services: AppServices, district: District, model: type) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def visit(person: UUID, form_id: UUID) -> VisitForm:
    return VisitForm(id=form_id, person_id=person, kind=VisitKind.ROUTINE, place=Place.HOME,
                     visited_on=clock.today(), notes="带了水果")  # fmt: skip


async def log(services: AppServices, identity: Identity, form: VisitForm) -> LoggedVisit:
    async with services.db.unit() as session:
        return await VisitService(session).log(identity, form)


async def test_two_posts_of_one_visit_form_at_once_save_it_once(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = visit(points.member_a, uuid4())
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            log(services, await worker(services, world.a), form),
            log(services, await worker(services, world.a), form),
        )
    assert sorted(result.repeated for result in results) == [False, True]
    assert await rows(services, world.a, Visit) == 1


async def test_one_visit_form_id_for_two_people_at_once_saves_one_and_refuses_the_other(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form_id = uuid4()
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            log(services, await worker(services, world.a), visit(points.member_a, form_id)),
            log(services, await worker(services, world.a), visit(points.member_b, form_id)),
            return_exceptions=True,
        )
    assert sorted(type(result).__name__ for result in results) == ["FormUsed", "LoggedVisit"]
    assert await rows(services, world.a, Visit) == 1


async def request(services: AppServices, district: District, person: UUID, form_id: UUID) -> Any:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            water = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == "water")
            )
    return RequestForm(person, water, "厨房漏水", form_id)


async def log_request(
    services: AppServices, identity: Identity, form: RequestForm
) -> ServiceRequest:
    """Log in a unit of work of its own, as one post would."""
    async with services.db.unit() as session:
        return await RequestService(session).log(identity, form)


async def test_two_posts_of_one_request_form_at_once_log_it_once(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = await request(services, world.a, points.member_a, uuid4())
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            log_request(services, await worker(services, world.a), form),
            log_request(services, await worker(services, world.a), form),
        )
    assert results[0].id == results[1].id
    assert await rows(services, world.a, ServiceRequest) == 1
    assert await rows(services, world.a, RequestEvent) == 2  # logged and assigned, once


async def test_one_request_form_id_for_two_people_at_once_logs_one(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form_id = uuid4()
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            log_request(
                services,
                await worker(services, world.a),
                await request(services, world.a, points.member_a, form_id),
            ),
            log_request(
                services,
                await worker(services, world.a),
                await request(services, world.a, points.member_b, form_id),
            ),
            return_exceptions=True,
        )
    assert sorted(type(result).__name__ for result in results) == ["FormUsed", "ServiceRequest"]
    assert isinstance(next(r for r in results if isinstance(r, Exception)), Refused)
    assert await rows(services, world.a, ServiceRequest) == 1


async def member(services: AppServices, district: District) -> Identity:
    account = district.users[Role.MEMBER]
    return await identity_of(services, district.tenant_id, account.id)


async def secretary(services: AppServices, district: District) -> Identity:
    account = district.users[Role.BRANCH_SECRETARY]
    return await identity_of(services, district.tenant_id, account.id)


async def item(services: AppServices, district: District, code: str) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(select(RuleItem.id).where(RuleItem.code == code))
    assert found is not None
    return found


def points_form(person: UUID, item_id: UUID, form_id: UUID, evidence: str = "参加了学习") -> Any:
    return ClaimForm(person, item_id, clock.today(), "1", evidence, form_id=form_id)


async def test_two_posts_of_one_claim_form_at_once_save_one_claim(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = points_form(points.member_a, await item(services, world.a, "XX-01"), uuid4())
    service = unit_per_call(services.db, ClaimService)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.submit(await worker(services, world.a), form),
            service.submit(await worker(services, world.a), form),
        )
    assert sorted(result.repeated for result in results) == [False, True]
    assert results[0].claim.id == results[1].claim.id == form.form_id
    assert await rows(services, world.a, Claim) == 1


async def test_one_claim_form_id_for_two_people_at_once_saves_one_and_refuses_the_other(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    study, form_id = await item(services, world.a, "XX-01"), uuid4()
    service = unit_per_call(services.db, ClaimService)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.submit(
                await worker(services, world.a), points_form(points.member_a, study, form_id)
            ),
            service.submit(
                await worker(services, world.a), points_form(points.member_b, study, form_id)
            ),
            return_exceptions=True,
        )
    assert sorted(type(result).__name__ for result in results) == ["FormUsed", "SentClaim"]
    assert await rows(services, world.a, Claim) == 1


async def test_two_posts_of_one_award_form_at_once_record_one_entry(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = points_form(points.member_a, await item(services, world.a, "ZZ-04"), uuid4())
    service = unit_per_call(services.db, ClaimService)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.award(await secretary(services, world.a), form),
            service.award(await secretary(services, world.a), form),
        )
    assert sorted(result.repeated for result in results) == [False, True]
    assert await rows(services, world.a, PointEvent) == 1


async def test_two_posts_of_one_objection_form_at_once_raise_one_objection(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    half = half_of(clock.today()).previous()
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            publication = Publication(
                tenant_id=world.a.tenant_id, branch_id=points.roster.branch_1,
                period_start=half.start, period_end=half.end,
                rule_set_id=await session.scalar(select(RuleSet.id)), status="objection",
                objections_close_on=clock.today() + timedelta(days=7),
                opened_by=world.a.users[Role.BRANCH_SECRETARY].id, opened_by_name="书记",
            )  # fmt: skip
            session.add(publication)
            await session.commit()
        service = unit_per_call(services.db, ObjectionService)
        form_id = uuid4()
        again = [
            service.object(
                await member(services, world.a),
                publication.id,
                points.member_a,
                "漏记了一次",
                form_id,
            )
            for _ in range(2)
        ]
        results = await asyncio.gather(*again)
        other = await asyncio.gather(
            service.object(
                await member(services, world.a),
                publication.id,
                points.member_b,
                "也漏记了",
                form_id,
            ),
            return_exceptions=True,
        )
    assert results[0].id == results[1].id == form_id
    assert isinstance(other[0], FormUsed)
    assert await rows(services, world.a, Objection) == 1
