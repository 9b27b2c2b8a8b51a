"""The work on the homes of the admin and the secretaries, against the database: what
waits (overdue must-visits, claims to decide), and the figures each chart is drawn
from — visits per month by kind, points participation per branch — for the whole
district and for one branch; the figures kept in Valkey and read back the same."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.identity import Actor, Identity
from app.core.roles import Role
from app.dashboard.work import Figures, cache_key, figures, work, work_charts
from app.db.tenant import tenant_scope
from app.grid.coverage.charts import visits_by_month
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.people.models import Person
from app.points import ledger
from app.points.models import Claim, RuleItem, Source
from app.points.participation import participation
from app.points.periods import quarter_of
from app.points.rules.versions import in_force
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    World,
    add_grid,
    identity_of,
    make_points_roster,
)

TODAY = date(2026, 11, 18)
SECRETARY = Actor("user", "书记")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    when = datetime.combine(TODAY, time(9, 30), clock.CHINA_TIME)
    monkeypatch.setattr(clock, "now", lambda: when)
    monkeypatch.setattr(clock, "today", lambda: when.date())


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def who(services: AppServices, district: District, role: Role) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[role].id)


async def visit(
    services: AppServices, district: District, person: UUID, day: date, kind: str
) -> None:
    worker = district.users[Role.GRID_WORKER]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            session.add(
                Visit(
                    tenant_id=district.tenant_id, person_id=person, visited_on=day, kind=kind,
                    place="home", visitor_id=worker.id, visitor_name=worker.name,
                )
            )  # fmt: skip
            await session.commit()


async def award(
    services: AppServices, district: District, person_id: UUID, code: str, day: date
) -> object:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            item = await rule_item(session, code, day)
            entry = ledger.Entry(
                person, item, day, ledger.read_quantity("1", item.unit), Source.AWARD
            )
            event = await ledger.write(session, entry, SECRETARY)
            await session.commit()
            return event


async def rule_item(session, code: str, day: date) -> RuleItem:  # type: ignore[no-untyped-def]
    version = await in_force(session, day)
    assert version is not None
    query = select(RuleItem).where(RuleItem.code == code, RuleItem.rule_set_id == version.id)
    return (await session.scalars(query)).one()


# --- visits per month by kind ---------------------------------------------------------


async def test_visits_per_month_by_kind_for_the_district_and_for_a_branch(
    frozen: None, services: AppServices, world: World, points: PointsRoster
) -> None:
    district, roster = world.a, points.roster
    await visit(services, district, roster.person_1, date(2026, 11, 2), "routine")
    await visit(services, district, roster.person_1, date(2026, 11, 10), "hospital")
    await visit(services, district, roster.person_1, date(2026, 6, 15), "birthday")
    await visit(services, district, roster.person_1, date(2025, 12, 1), "holiday")  # first month
    await visit(services, district, roster.person_1, date(2025, 11, 30), "holiday")  # 13 ago
    await visit(services, district, roster.person_2, date(2026, 11, 5), "routine")  # 第二支部
    await visit(services, world.b, await _someone(services, world.b), date(2026, 11, 5), "routine")
    admin = await who(services, district, Role.TENANT_ADMIN)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            everyone = await visits_by_month(session, admin.scope, TODAY)
            branch = await visits_by_month(session, secretary.scope, TODAY)
    assert everyone.months[0] == date(2025, 12, 1) and everyone.months[-1] == date(2026, 11, 1)
    assert len(everyone.months) == 12
    assert everyone.counts["routine"][-1] == 2 and everyone.counts["hospital"][-1] == 1
    assert everyone.counts["birthday"][6] == 1 and everyone.counts["holiday"][0] == 1
    assert everyone.total == 5  # not 13 months ago, not the other district
    assert branch.counts["routine"][-1] == 1 and branch.total == 4  # 第二支部's visit left out

    chart = everyone.chart()
    assert chart.kind == "columns" and len(chart.categories) == 12
    # the year on the first month and on January only
    assert chart.categories[:3] == ("2025年12月", "2026年1月", "2月")
    assert [s.name for s in chart.series] == ["节日慰问", "住院探望", "生日祝寿", "日常走访"]
    assert chart.totals()[-1] == 3 and chart.totals()[0] == 1
    routine = next(s for s in chart.series if 2 in s.values)
    assert routine.style == 6  # a kind keeps its colour and pattern on every page
    assert "5" in chart.summary


async def _someone(services: AppServices, district: District) -> UUID:
    from tests.factories import add_person

    return await add_person(services, district, "别区一人")


# --- points participation ---------------------------------------------------------------


async def test_participation_counts_scored_members_who_earned_points_this_quarter(
    services: AppServices, world: World, points: PointsRoster
) -> None:
    district, today = world.a, clock.today()
    this_quarter = quarter_of(today)
    await award(services, district, points.member_a, "FH-01", today)  # earned
    reversed_award = await award(services, district, points.member_b, "XX-01", today)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await ledger.reverse(session, reversed_award, "记错了人", SECRETARY)  # type: ignore[arg-type]
            await session.commit()
    before = this_quarter.start - timedelta(days=1)
    await award(services, district, points.member_d, "XX-01", before)  # last quarter
    admin = await who(services, district, Role.TENANT_ADMIN)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            everyone = await participation(session, admin.scope, this_quarter)
            branch = await participation(session, secretary.scope, this_quarter)
    by_name = {b.name: (b.members, b.took_part, b.share) for b in everyone.branches}
    # 第一支部: 党员甲 and 党员乙 (老党员丙 is exempt, 一号 no party member)
    assert by_name == {"第一支部": (2, 1, 50), "第二支部": (1, 0, 0)}
    assert [(b.name, b.took_part) for b in branch.branches] == [("第一支部", 1)]

    chart = everyone.chart()
    assert chart.kind == "bars" and chart.unit == "%"
    assert chart.categories == ("第一支部", "第二支部")
    assert chart.series[0].values == (50, 0)
    assert "33%" in chart.summary and "1" in chart.summary  # 1 of 3 scored members
    assert not chart.empty  # 0% is a figure worth drawing


# --- what waits ------------------------------------------------------------------------


async def test_overdue_visits_and_claims_waiting_are_counted_within_the_scope(
    frozen: None, services: AppServices, world: World, points: PointsRoster
) -> None:
    district, roster = world.a, points.roster
    # member_b moves to a grid of 第一支部, which its secretary sees; member_d stays in
    # 第一网格 (no unit): only the admin sees it.
    await add_grid(services, district, "支部网格", people=[points.member_b], unit=roster.branch_1)
    now = clock.now()
    await overdue_item(services, district, points.member_b, now - timedelta(days=2))
    await overdue_item(services, district, points.member_d, now - timedelta(days=1))
    await overdue_item(services, district, points.member_d, now + timedelta(days=1))  # not yet
    await overdue_item(services, district, points.member_a, now - timedelta(days=90))  # missed
    await claim(services, district, points.member_b)  # 第一支部: the secretary decides
    await claim(services, district, points.member_d)  # 第二支部: the admin only
    await claim(services, district, roster.person_1)  # the secretary's own: someone else
    admin = await who(services, district, Role.TENANT_ADMIN)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    worker = await who(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            for_admin = await work(session, admin)
            for_secretary = await work(session, secretary)
            for_worker = await work(session, worker)
    assert (for_admin.overdue_visits, for_admin.claims_waiting) == (2, 3)
    assert (for_secretary.overdue_visits, for_secretary.claims_waiting) == (1, 1)
    assert for_worker.claims_waiting is None  # a grid worker decides no claims


async def overdue_item(
    services: AppServices, district: District, person: UUID, due_at: datetime
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(select(VisitRule.id).where(VisitRule.code == "birthday"))
            session.add(
                VisitDueItem(
                    tenant_id=district.tenant_id, person_id=person, rule_id=rule,
                    occasion=f"test:{due_at.isoformat()}",
                    opens_on=due_at.astimezone(clock.CHINA_TIME).date() - timedelta(days=7),
                    due_at=due_at,
                )
            )  # fmt: skip
            await session.commit()


async def claim(services: AppServices, district: District, person: UUID) -> None:
    worker = district.users[Role.GRID_WORKER]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            item = await rule_item(session, "XX-01", clock.today())
            session.add(
                Claim(
                    tenant_id=district.tenant_id, person_id=person, rule_item_id=item.id,
                    occurred_on=clock.today(), quantity=Decimal(1), claimed_by=worker.id,
                    claimed_by_name=worker.name,
                )
            )  # fmt: skip
            await session.commit()


# --- the figures kept a while ------------------------------------------------------------


async def test_chart_figures_are_kept_per_scope_and_read_back_the_same(
    frozen: None, services: AppServices, world: World, points: PointsRoster
) -> None:
    district, roster = world.a, points.roster
    await visit(services, district, roster.person_1, date(2026, 11, 2), "routine")
    await award(services, district, points.member_a, "FH-01", TODAY)
    admin = await who(services, district, Role.TENANT_ADMIN)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            fresh = await figures(session, admin)
            assert Figures.loads(fresh.dumps()) == fresh
            drawn = await work_charts(session, admin, services.redis)
            assert await services.redis.get(cache_key(admin, TODAY)) is not None
            assert cache_key(secretary, TODAY) != cache_key(admin, TODAY)
    await visit(services, district, roster.person_1, date(2026, 11, 3), "routine")
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            kept = await work_charts(session, admin, services.redis)
            again = await work_charts(session, admin)  # without the cache: read afresh
    assert kept == drawn  # within CHARTS_SECONDS the kept figures are shown
    assert again[0].totals()[-1] == drawn[0].totals()[-1] + 1
    assert [c.key for c in drawn] == ["visits-by-month", "sla-by-month", "participation"]
