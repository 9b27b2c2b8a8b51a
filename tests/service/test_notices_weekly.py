"""The weekly summary (app.dashboard.weekly): each district's administrators hear, on
Monday morning, last week's visits, the people overdue now, last week's requests and
their SLA compliance, and the claims waiting — their own district's, once a week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from uuid import uuid4

import pytest

from app.core import clock
from app.core.roles import Role
from app.dashboard.jobs import send_weekly_summaries
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.state import AppServices
from tests.factories import PointsRoster, World, make_points_roster, unit_per_call
from tests.notices import told, written
from tests.service.test_form_retries import item
from tests.service.test_service_requests import log, request_service, who

MONDAY = date(2026, 4, 13)
LAST_WEEK = MONDAY - timedelta(days=7)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), clock.CHINA_TIME)


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())

    move(at(LAST_WEEK, 9))
    return move


async def add_visits(services: AppServices, world: World, points: PointsRoster) -> None:
    """Two visits last week, one the week before, one this Monday."""
    a = world.a
    worker = a.users[Role.GRID_WORKER]
    with tenant_scope(a.tenant_id):
        async with services.db.session() as session:
            for day in (LAST_WEEK + timedelta(days=1), MONDAY - timedelta(days=1),
                        LAST_WEEK - timedelta(days=1), MONDAY):  # fmt: skip
                session.add(
                    Visit(
                        id=uuid4(), tenant_id=a.tenant_id, person_id=points.member_a,
                        visited_on=day, kind="routine", place="home",
                        visitor_id=worker.id, visitor_name=worker.name, logged_at=at(day, 10),
                    )
                )  # fmt: skip
            rule = await session.scalar(
                VisitRule.__table__.select().with_only_columns(VisitRule.id)
                .where(VisitRule.code == "hardship")
            )  # fmt: skip
            session.add(
                VisitDueItem(
                    tenant_id=a.tenant_id, person_id=points.member_b, rule_id=rule,
                    occasion="test", opens_on=LAST_WEEK, due_at=at(LAST_WEEK, 12),
                )
            )  # fmt: skip
            await session.commit()


async def test_each_districts_admins_hear_last_weeks_figures_once(
    services: AppServices, owner_db: Database, world: World,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    a = world.a
    points = await make_points_roster(services, a)
    await make_points_roster(services, world.b)
    await add_visits(services, world, points)
    worker = await who(services, a, Role.GRID_WORKER)
    in_time = await log(services, a, points.member_a)  # water: by 22:00, resolved at 12:00
    move_clock(at(LAST_WEEK, 12))
    with tenant_scope(a.tenant_id):
        await request_service(services).start(worker, in_time.id)
        await request_service(services).resolve(worker, in_time.id, "修好了")
    move_clock(at(LAST_WEEK + timedelta(days=3), 9))
    await log(services, a, points.member_b, "power")  # 24 hours, never resolved: late
    claim = ClaimForm(points.member_a, await item(services, a, "XX-01"), clock.today(), "1", "学习")
    with tenant_scope(a.tenant_id):
        await unit_per_call(services.db, ClaimService).submit(worker, claim)
    move_clock(at(MONDAY, 8))
    await log(services, a, points.member_b, "medicine")  # this week's: not in the summary

    ctx = {"services": services, "redis": services.redis}
    assert await send_weekly_summaries(ctx) == 2  # A's admin and B's
    assert await send_weekly_summaries(ctx) == 0
    notices = await written(owner_db, "weekly_summary")
    a_admin, b_admin = a.users[Role.TENANT_ADMIN].id, world.b.users[Role.TENANT_ADMIN].id
    assert told(notices) == {a_admin: ["weekly:2026-04-06"], b_admin: ["weekly:2026-04-06"]}
    ours = next(n for n in notices if n.recipient_id == a_admin)
    assert ours.tenant_id == a.tenant_id and ours.title == "每周简报（4月6日起的一周）"
    assert ours.body == (
        "上周走访 2 次。现在逾期未访 1 人。上周新诉求 2 件，按时办结 50%。积分申报待审核 1 件。"
    )
    theirs = next(n for n in notices if n.recipient_id == b_admin)
    assert theirs.body == "上周走访 0 次。现在逾期未访 0 人。上周没有新诉求。积分申报待审核 0 件。"
