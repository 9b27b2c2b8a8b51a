"""Service requests' notices: a breached SLA tells the level it reached (or the next
one that has someone for the person), once per level; a satisfaction of 1–2 tells the
level that calls back, once per round; a resolved request and a refused step tell
nobody."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from app.core import clock
from app.core.errors import Refused
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.service_requests.jobs import escalate
from app.service_requests.requests.forms import Answer
from app.state import AppServices
from tests.factories import PointsRoster, World, make_points_roster
from tests.notices import told, written
from tests.service.test_service_requests import MORNING, log, request_service, who


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """The services' clock, from a spring morning on."""

    def move(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())

    move(MORNING)
    return move


@pytest.fixture
async def points(services: AppServices, world: World, move_clock: object) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def test_a_breach_tells_each_level_it_reaches_once(
    services: AppServices, owner_db: Database, world: World, points: PointsRoster,
) -> None:  # fmt: skip
    a = world.a
    secretary, admin = a.users[Role.BRANCH_SECRETARY].id, a.users[Role.TENANT_ADMIN].id
    logged = await log(services, a, points.member_a)  # 党员甲 of 第一支部, led by the secretary
    await make_points_roster(services, world.b)
    in_b = await log(services, world.b, (await who(services, world.b, Role.MEMBER)).person_id)
    past = logged.due_at + timedelta(hours=1)
    assert await escalate(services.db, past) == 2
    assert await escalate(services.db, past) == 0
    notices = await written(owner_db, "sla_breach")
    b_secretary = world.b.users[Role.BRANCH_SECRETARY].id
    assert told(notices) == {
        secretary: [f"sla:{logged.id}:2"], b_secretary: [f"sla:{in_b.id}:2"]
    }  # fmt: skip
    mine = next(n for n in notices if n.recipient_id == secretary)
    assert mine.tenant_id == a.tenant_id and mine.link == f"/requests/{logged.id}"
    assert "党员甲" in mine.title and "已过办理时限" in mine.body

    await escalate(services.db, logged.due_at + timedelta(hours=25))
    assert told(await written(owner_db, "sla_breach"))[admin] == [f"sla:{logged.id}:3"]
    total = len(await written(owner_db))
    await escalate(services.db, logged.due_at + timedelta(days=9))  # the last level keeps it
    assert len(await written(owner_db)) == total


async def test_a_level_nobody_holds_passes_the_word_up_and_a_resolved_request_is_quiet(
    services: AppServices, owner_db: Database, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    a = world.a
    admin = a.users[Role.TENANT_ADMIN].id
    leaderless = await log(services, a, points.member_d)  # 第二支部 has no leader
    resolved = await log(services, a, points.member_b)
    worker = await who(services, a, Role.GRID_WORKER)
    with tenant_scope(a.tenant_id):
        await request_service(services).start(worker, resolved.id)
        await request_service(services).resolve(worker, resolved.id, "修好了")
    await escalate(services.db, leaderless.due_at + timedelta(hours=1))
    assert told(await written(owner_db)) == {admin: [f"sla:{leaderless.id}:3"]}
    await escalate(services.db, leaderless.due_at + timedelta(hours=25))  # now at level 3
    assert len(await written(owner_db)) == 1


async def test_a_poor_answer_tells_the_level_that_calls_back_once_per_round(
    services: AppServices, owner_db: Database, world: World, points: PointsRoster,
    move_clock: Callable[[datetime], None],
) -> None:  # fmt: skip
    a = world.a
    secretary = a.users[Role.BRANCH_SECRETARY].id
    logged = await log(services, a, points.member_a)
    worker, admin = (
        await who(services, a, Role.GRID_WORKER),
        await who(services, a, Role.TENANT_ADMIN),
    )
    service = request_service(services)
    with tenant_scope(a.tenant_id):
        await service.start(worker, logged.id)
        await service.resolve(worker, logged.id, "换了阀门")
        answered = await service.confirm(admin, logged.id, Answer(2, "还在漏"))
        assert answered.call_back is not None and answered.call_back.level == 2
        with pytest.raises(Refused):  # reopened: no second answer to this round
            await service.confirm(admin, logged.id, Answer(1))
    notices = await written(owner_db, "request_reopened")
    assert told(notices) == {secretary: [f"reopen:{logged.id}:1"]}
    assert "2分" in notices[0].body and notices[0].link == f"/requests/{logged.id}"

    with tenant_scope(a.tenant_id):  # the next round, answered well: nobody is told
        await service.start(worker, logged.id)
        await service.resolve(worker, logged.id, "又修了一次")
        await service.confirm(admin, logged.id, Answer(5))
    assert len(await written(owner_db, "request_reopened")) == 1
