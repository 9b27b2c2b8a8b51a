"""A form carries an id made when it was shown, so a retry on a weak network saves
once. Two posts of one form can arrive together (a double tap, a retry racing the
first): they must still save one row, and an id already used for something else is
refused, never a primary-key error."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.errors import Refused
from app.grid.models import Visit
from app.grid.visits import VisitForm, VisitService
from app.service_requests.forms import RequestForm
from app.service_requests.models import RequestCategory, RequestEvent, ServiceRequest
from app.service_requests.service import RequestService
from app.state import AppServices
from app.web.identity import Identity
from tenants.context import tenant_scope
from tests.factories import District, PointsRoster, World, make_points_roster


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


def worker(district: District) -> Identity:
    account = district.users[Role.GRID_WORKER]
    return Identity(account.id, account.name, frozenset({Role.GRID_WORKER}), district.tenant_id)


async def rows(services: AppServices, district: District, model: type) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0


def visit(person: UUID, form_id: UUID) -> VisitForm:
    return VisitForm(id=form_id, person_id=person, kind="routine", place="home",
                     visited_on="", notes="带了水果")  # fmt: skip


async def test_two_posts_of_one_visit_form_at_once_save_it_once(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = visit(points.member_a, uuid4())
    service = VisitService(services)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.log(worker(world.a), form), service.log(worker(world.a), form)
        )
    assert sorted(result.repeated for result in results) == [False, True]
    assert await rows(services, world.a, Visit) == 1


async def test_one_visit_form_id_for_two_people_at_once_saves_one_and_refuses_the_other(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form_id = uuid4()
    service = VisitService(services)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.log(worker(world.a), visit(points.member_a, form_id)),
            service.log(worker(world.a), visit(points.member_b, form_id)),
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


async def test_two_posts_of_one_request_form_at_once_log_it_once(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form = await request(services, world.a, points.member_a, uuid4())
    service = RequestService(services)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.log(worker(world.a), form), service.log(worker(world.a), form)
        )
    assert results[0].id == results[1].id
    assert await rows(services, world.a, ServiceRequest) == 1
    assert await rows(services, world.a, RequestEvent) == 2  # logged and assigned, once


async def test_one_request_form_id_for_two_people_at_once_logs_one(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    form_id = uuid4()
    service = RequestService(services)
    with tenant_scope(world.a.tenant_id):
        results = await asyncio.gather(
            service.log(
                worker(world.a), await request(services, world.a, points.member_a, form_id)
            ),
            service.log(
                worker(world.a), await request(services, world.a, points.member_b, form_id)
            ),
            return_exceptions=True,
        )
    assert sorted(type(result).__name__ for result in results) == ["FormUsed", "ServiceRequest"]
    assert isinstance(next(r for r in results if isinstance(r, Exception)), Refused)
    assert await rows(services, world.a, ServiceRequest) == 1
