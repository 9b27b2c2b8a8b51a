"""Service requests against the database: logging, the status flow and its refusals,
confirmation (once, even when two people confirm at once), the call-back after a poor
satisfaction, and the escalation job.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.i18n import _
from app.service_requests import sla
from app.service_requests.compliance.charts import by_category_chart, by_month_chart
from app.service_requests.compliance.service import compliance, compliance_by_month
from app.service_requests.jobs import escalate
from app.service_requests.models import RequestCategory, RequestEvent, ServiceRequest
from app.service_requests.requests.forms import Answer, RequestForm, parse_not_fixed, parse_request
from app.service_requests.requests.service import (
    ALREADY_CONFIRMED,
    SKIPS_THE_FLOW,
    UNKNOWN_CATEGORY,
    RequestService,
)
from app.service_requests.requests.views import RequestViews
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    add_person,
    identity_of,
    make_points_roster,
)

MORNING = datetime(2026, 5, 6, 9, 30, tzinfo=CHINA_TIME)


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the time the services read (now and today together)."""

    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())

    move(MORNING)
    return move


@pytest.fixture
async def points(services: AppServices, world: World, move_clock: object) -> PointsRoster:
    return await make_points_roster(services, world.a)


class EachInAUnit:
    """A service whose every call runs in a unit of work of its own, as each post to
    the app does: `EachInAUnit(services, RequestService).start(worker, request_id)`."""

    def __init__(self, services: AppServices, service: Callable[[AsyncSession], Any]) -> None:
        self.services = services
        self.service = service

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self.services.db.unit() as session:
                return await getattr(self.service(session), name)(*args, **kwargs)

        return call


def request_service(services: AppServices) -> Any:
    return EachInAUnit(services, RequestService)


def request_views(services: AppServices) -> Any:
    return EachInAUnit(services, RequestViews)


async def who(services: AppServices, district: District, role: Role) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[role].id)


async def category_id(services: AppServices, district: District, code: str) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == code)
            )
    assert found is not None
    return found


async def log(
    services: AppServices, district: District, person: UUID, code: str = "water",
    role: Role = Role.GRID_WORKER, description: str = "厨房水管漏水",
) -> ServiceRequest:  # fmt: skip
    category = await category_id(services, district, code)
    form = parse_request(
        {"person_id": str(person), "category_id": str(category), "description": description}
    )  # as the form is read on the page
    with tenant_scope(district.tenant_id):
        return await request_service(services).log(await who(services, district, role), form)


async def stored(services: AppServices, district: District, request_id: UUID) -> ServiceRequest:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.get(
                ServiceRequest, {"tenant_id": district.tenant_id, "id": request_id}
            )
    assert found is not None
    return found


async def event_kinds(services: AppServices, district: District) -> list[str]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return list(
                await session.scalars(
                    select(RequestEvent.kind).order_by(RequestEvent.at, RequestEvent.kind)
                )
            )


async def count_requests(services: AppServices, district: District) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(ServiceRequest)) or 0


async def test_the_happy_path_from_logging_to_confirmation(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    worker = await who(services, district, Role.GRID_WORKER)
    logged = await log(services, district, points.member_a)
    assert logged.status == "assigned" and logged.assignee_id == worker.user_id
    assert logged.grid_id is not None
    assert logged.due_at == datetime(2026, 5, 6, 22, tzinfo=CHINA_TIME)  # 水坏不过夜
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        move_clock(MORNING + timedelta(hours=1))
        await service.start(worker, logged.id)
        move_clock(MORNING + timedelta(hours=3))
        await service.resolve(worker, logged.id, "换了阀门")
        move_clock(MORNING + timedelta(hours=4))
        answered = await service.confirm(
            await who(services, district, Role.TENANT_ADMIN), logged.id, Answer(5, "很满意")
        )
    assert answered.call_back is None
    assert answered.request.status == "confirmed" and answered.request.satisfaction == 5
    row = await stored(services, district, logged.id)
    assert row.resolved_at == MORNING + timedelta(hours=3) and row.resolution == "换了阀门"
    assert row.confirmed_at == MORNING + timedelta(hours=4)
    assert await event_kinds(services, district) == [
        "assigned", "logged", "started", "resolved", "confirmed",
    ]  # fmt: skip


async def test_an_admin_logs_for_the_grid_worker_of_the_persons_grid_or_for_nobody(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    in_grid = await log(services, district, points.member_b, "power", Role.TENANT_ADMIN)
    assert in_grid.assignee_id == district.users[Role.GRID_WORKER].id
    assert in_grid.status == "assigned"
    assert in_grid.due_at == MORNING + timedelta(hours=24)
    loner = await add_person(services, district, "无网格")
    unassigned = await log(services, district, loner, "power", Role.TENANT_ADMIN)
    assert unassigned.status == "new" and unassigned.assignee_id is None
    assert unassigned.grid_id is None


@pytest.mark.parametrize(
    ("step", "status", "action"),
    [("resolve", "Assigned", "resolved"), ("confirm", "Assigned", "confirmed"),
     ("reopen", "Assigned", "reopened")],
)  # fmt: skip
async def test_a_step_that_skips_the_flow_is_refused_and_writes_nothing(
    services: AppServices, world: World, points: PointsRoster,
    step: str, status: str, action: str,
) -> None:  # fmt: skip
    district = world.a
    logged = await log(services, district, points.member_a)
    before = await event_kinds(services, district)
    service = request_service(services)
    worker = await who(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id), pytest.raises(Refused) as refused:
        if step == "resolve":
            await service.resolve(worker, logged.id, "修好了")
        elif step == "confirm":
            await service.confirm(
                await who(services, district, Role.TENANT_ADMIN), logged.id, Answer(5)
            )
        else:
            await service.reopen(worker, logged.id, "没修好")
    assert refused.value.message == SKIPS_THE_FLOW
    assert refused.value.args_ == {"status": _(status), "action": _(action)}
    assert await event_kinds(services, district) == before
    row = await stored(services, district, logged.id)
    assert row.status == "assigned" and row.resolved_at is None and row.satisfaction is None


async def resolved(services: AppServices, district: District, person: UUID) -> ServiceRequest:
    logged = await log(services, district, person)
    worker = await who(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        await request_service(services).start(worker, logged.id)
        await request_service(services).resolve(worker, logged.id, "修好了")
    return logged


async def test_a_second_confirmation_is_refused(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    request = await resolved(services, district, points.member_a)
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        await service.confirm(
            await who(services, district, Role.TENANT_ADMIN), request.id, Answer(4)
        )
        with pytest.raises(Refused) as refused:
            await service.confirm(
                await who(services, district, Role.TENANT_ADMIN), request.id, Answer(1)
            )
    assert refused.value.message == ALREADY_CONFIRMED
    row = await stored(services, district, request.id)
    assert row.status == "confirmed" and row.satisfaction == 4
    assert (await event_kinds(services, district)).count("confirmed") == 1


async def test_two_confirmations_at_once_give_one(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    request = await resolved(services, district, points.member_a)
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        results = await asyncio.gather(
            service.confirm(
                await who(services, district, Role.BRANCH_SECRETARY), request.id, Answer(5)
            ),
            service.confirm(
                await who(services, district, Role.TENANT_ADMIN), request.id, Answer(3)
            ),
            return_exceptions=True,
        )
    assert sorted(type(result).__name__ for result in results) == ["Answered", "Refused"]
    kinds = await event_kinds(services, district)
    assert kinds.count("confirmed") == 1


async def test_a_poor_satisfaction_reopens_for_a_call_back_by_the_next_level(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    request = await resolved(services, district, points.member_a)  # in time: level 1
    later = MORNING + timedelta(hours=13)  # 22:30, past tonight's 22:00
    move_clock(later)
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        answered = await service.confirm(
            await who(services, district, Role.TENANT_ADMIN), request.id, Answer(2, "没修好")
        )
    reopened = answered.request
    assert reopened.status == "reopened" and reopened.satisfaction == 2
    # 党员甲's branch is led by the secretary, who holds level 2 for them: they call back.
    assert answered.call_back is not None and answered.call_back.level == 2
    assert answered.call_back.names == [district.users[Role.BRANCH_SECRETARY].name]
    row = await stored(services, district, request.id)
    assert row.callback_level == 2 and row.level == 2 and row.reopen_count == 1
    assert row.resolved_at is None and row.confirmed_at is None
    assert row.due_at == datetime(2026, 5, 7, 22, tzinfo=CHINA_TIME)  # a new due, from the SLA
    # The sub-center's leader sees it waiting at their level at once.
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        lists = await request_views(services).lists(secretary)
    assert [r.request.id for r in lists.waiting] == [request.id]
    assert lists.waiting[0].clock.level == 2
    # Round again: work, resolve, and a good answer confirms.
    worker = await who(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        await service.start(worker, request.id)
        await service.resolve(worker, request.id, "换了整根水管")
        confirmed = await service.confirm(
            await who(services, district, Role.TENANT_ADMIN), request.id, Answer(4)
        )
    assert confirmed.request.status == "confirmed"


async def test_a_call_back_after_the_last_level_stays_at_the_last_level(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    logged = await log(services, district, points.member_a)
    worker = await who(services, district, Role.GRID_WORKER)
    service = request_service(services)
    move_clock(logged.due_at + timedelta(hours=40))  # level 3's time
    with tenant_scope(district.tenant_id):
        await service.start(worker, logged.id)
        await service.resolve(worker, logged.id, "终于修好")
        await service.confirm(
            await who(services, district, Role.TENANT_ADMIN), logged.id, Answer(1)
        )
    row = await stored(services, district, logged.id)
    assert row.callback_level == 3 and row.status == "reopened"


async def test_not_fixed_reopens_on_a_new_due_time(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    request = await resolved(services, district, points.member_a)
    move_clock(MORNING + timedelta(days=1))
    with tenant_scope(district.tenant_id):
        with pytest.raises(Refused):
            parse_not_fixed({"note": " "})
        await request_service(services).reopen(
            await who(services, district, Role.GRID_WORKER), request.id, "还漏"
        )
    row = await stored(services, district, request.id)
    assert row.status == "reopened" and row.callback_level is None and row.level == 1
    assert row.due_at == sla.due_at(await category(services, district, "water"), clock.now())


async def category(services: AppServices, district: District, code: str) -> RequestCategory:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return (
                await session.scalars(select(RequestCategory).where(RequestCategory.code == code))
            ).one()


async def test_an_unknown_or_retired_category_is_refused(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    worker = await who(services, district, Role.GRID_WORKER)
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        with pytest.raises(Refused) as unknown:
            await service.log(worker, RequestForm(points.member_a, uuid4(), "漏水"))
        async with services.db.session() as session:
            await session.execute(
                update(RequestCategory)
                .where(RequestCategory.code == "bills")
                .values(retired_at=clock.now())
            )
            await session.commit()
    assert unknown.value.message == UNKNOWN_CATEGORY
    with pytest.raises(Refused) as retired:
        await log(services, district, points.member_a, "bills")
    assert retired.value.message == UNKNOWN_CATEGORY
    assert await count_requests(services, district) == 0


@pytest.mark.parametrize("description", ["", "   ", "水" * 501])
async def test_a_description_is_needed_and_kept_short(
    services: AppServices, world: World, points: PointsRoster, description: str
) -> None:
    with pytest.raises(Refused):
        await log(services, world.a, points.member_a, description=description)
    assert await count_requests(services, world.a) == 0


async def test_a_person_outside_the_workers_grids_is_not_found(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    outsider = await add_person(services, world.a, "网格外的人")
    with pytest.raises(NotFound):
        await log(services, world.a, outsider)
    assert await count_requests(services, world.a) == 0


async def test_who_may_assign_and_to_whom(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    request = await log(services, district, points.roster.person_1, role=Role.TENANT_ADMIN)
    service = request_service(services)
    worker_id = district.users[Role.GRID_WORKER].id
    with tenant_scope(district.tenant_id):
        with pytest.raises(Refused):  # a grid worker does not assign
            await service.assign(
                await who(services, district, Role.GRID_WORKER), request.id, worker_id
            )
        with pytest.raises(Refused):  # only grid workers take requests
            await service.assign(
                await who(services, district, Role.BRANCH_SECRETARY),
                request.id,
                district.users[Role.MEMBER].id,
            )
        # The secretary leads 第一支部, where person_1 is: they may reassign.
        await service.start(await who(services, district, Role.GRID_WORKER), request.id)
        name = await service.assign(
            await who(services, district, Role.BRANCH_SECRETARY), request.id, worker_id
        )
    assert name == district.users[Role.GRID_WORKER].name
    assert (await stored(services, district, request.id)).status == "assigned"


async def test_a_member_confirms_their_own_request_and_sees_no_one_elses(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    own = await resolved(services, district, points.member_a)  # the member's account
    other = await resolved(services, district, points.member_b)
    member = await who(services, district, Role.MEMBER)
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        with pytest.raises(NotFound):
            await service.confirm(member, other.id, Answer(5))
        with pytest.raises(Refused):  # a member does not resolve
            await service.start(member, own.id)
        confirmed = await service.confirm(member, own.id, Answer(5))
    assert confirmed.request.status == "confirmed"


async def test_escalation_records_the_clock_level_once(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    logged = await log(services, district, points.member_a)
    other = await log(services, world.a, points.member_b, "papers")  # a week: not yet due
    await make_points_roster(services, world.b)
    in_b = await log(services, world.b, (await district_b_person(services, world)))
    past = logged.due_at + timedelta(hours=1)
    assert await escalate(services.db, past) == 2  # A's water request and B's
    assert await escalate(services.db, past) == 0  # idempotent
    row = await stored(services, district, logged.id)
    assert row.level == 2
    assert (await stored(services, district, other.id)).level == 1
    assert (await stored(services, world.b, in_b.id)).level == 2
    assert (await event_kinds(services, district)).count("escalated") == 1
    assert await escalate(services.db, logged.due_at + timedelta(hours=25)) == 2
    assert (await stored(services, district, logged.id)).level == 3
    # A resolved request's clock has stopped: nothing more to escalate.
    move_clock(logged.due_at + timedelta(hours=26))
    worker = await who(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        await request_service(services).start(worker, logged.id)
        await request_service(services).resolve(worker, logged.id, "修好")
    await escalate(services.db, logged.due_at + timedelta(days=9))
    assert (await stored(services, district, logged.id)).level == 3
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            raised = await session.scalars(
                select(RequestEvent.level).where(
                    RequestEvent.request_id == logged.id, RequestEvent.kind == "escalated"
                )
            )
            assert sorted(raised) == [2, 3]


async def district_b_person(services: AppServices, world: World) -> UUID:
    from app.people.models import Person

    with tenant_scope(world.b.tenant_id):
        async with services.db.session() as session:
            found = await session.scalar(select(Person.id).where(Person.name == "党员甲"))
    assert found is not None
    return found


async def test_dashboard_counts_follow_the_clock_before_any_job_runs(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    district = world.a
    logged = await log(services, district, points.member_a)
    await log(services, district, points.member_b, "papers")
    move_clock(logged.due_at + timedelta(hours=1))
    views = request_views(services)
    with tenant_scope(district.tenant_id):
        worker = await views.dashboard_counts(await who(services, district, Role.GRID_WORKER))
        admin = await views.dashboard_counts(await who(services, district, Role.TENANT_ADMIN))
        secretary = await views.dashboard_counts(
            await who(services, district, Role.BRANCH_SECRETARY)
        )
    assert (worker.open, worker.overdue, worker.waiting) == (2, 1, 2)  # both are theirs
    assert (admin.open, admin.overdue, admin.waiting) == (2, 1, 0)  # level 2 is not theirs
    assert secretary.waiting == 1  # 党员甲 is in the secretary's branch, at level 2


async def test_a_late_round_stays_late_after_a_reopen_and_a_quick_fix(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    """A worker cannot clean a breach by getting the request reopened and fixing the
    second round in time: compliance remembers the late round."""
    district, worker = world.a, await who(services, world.a, Role.GRID_WORKER)
    logged = await log(services, district, points.member_a, "power")  # 24 hours
    service = request_service(services)
    with tenant_scope(district.tenant_id):
        await service.start(worker, logged.id)
        move_clock(MORNING + timedelta(hours=30))
        await service.resolve(worker, logged.id, "修好了")
        await service.reopen(worker, logged.id, "还是不亮")
        move_clock(MORNING + timedelta(hours=31))
        await service.start(worker, logged.id)
        await service.resolve(worker, logged.id, "换了开关")
        admin = await who(services, district, Role.TENANT_ADMIN)
        async with services.db.unit() as session:
            found = await compliance(session, admin, "month")
            months = await compliance_by_month(session, admin)
    assert (found.total.within, found.total.late) == (0, 1)
    assert (months[-1].within, months[-1].late) == (0, 1)  # the home's chart agrees


async def test_compliance_by_month_counts_as_the_period_report_and_due_soon_is_counted(
    services: AppServices, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    """The home's line of requests in time per month decides each request as the
    compliance page does; the counts and the list's filter see what is due soon."""
    district, worker = world.a, await who(services, world.a, Role.GRID_WORKER)
    water = await log(services, district, points.member_a)  # by 22:00 today
    power = await log(services, district, points.member_b, "power")  # 24 hours
    papers = await log(services, district, points.member_d, "papers")  # 7 days
    admin = await who(services, district, Role.TENANT_ADMIN)
    views = request_views(services)
    with tenant_scope(district.tenant_id):
        counts = await views.dashboard_counts(admin)
        assert (counts.near, counts.overdue) == (1, 0)  # water; power has 24 hours, not less
        soon = await views.lists(admin, due="soon")
        assert [row.request.id for row in soon.listed] == [water.id]
        service = request_service(services)
        await service.start(worker, water.id)
        move_clock(MORNING + timedelta(hours=1))
        await service.resolve(worker, water.id, "修好了")  # in time
        move_clock(MORNING + timedelta(hours=25))  # power is late; papers still running
        counts = await views.dashboard_counts(admin)
        overdue = await views.lists(admin, due="overdue")
        everything = await views.lists(admin, due="bogus")
        async with services.db.unit() as session:
            report = await compliance(session, admin, "month")
            months = await compliance_by_month(session, admin)
    assert (counts.near, counts.overdue) == (0, 1)
    assert [row.request.id for row in overdue.listed] == [power.id]
    assert {row.request.id for row in everything.listed} == {water.id, power.id, papers.id}
    this_month = months[-1]
    assert len(months) == 12 and this_month.month == MORNING.date().replace(day=1)
    assert (
        (this_month.count, this_month.within, this_month.late, this_month.running)
        == (report.total.count, report.total.within, report.total.late, report.total.running)
        == (3, 1, 1, 1)
    )
    assert this_month.share == report.total.share == 50
    assert all(m.count == 0 and m.share is None for m in months[:-1])
    chart = by_month_chart(months)
    assert chart.series[0].values[-1] == 50 and chart.series[0].values[0] is None
    assert "50%" in chart.summary
    by_category = by_category_chart(report)
    assert dict(zip(by_category.categories, by_category.series[0].values, strict=True)) == {
        t.label: t.share for t in report.categories
    }
