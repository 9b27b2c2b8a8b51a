"""Hardship aid's fund rules against the real database: nothing paid without approval,
above the approved amount or above the fund's balance — also when two payments race —,
the balance and the year's totals; and the condolence figures summed from the visit log."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEvent
from app.care.aid.forms import Decision, PaymentForm, parse_income
from app.care.aid.fund import FundService
from app.care.aid.models import AidApplication, AidPayment, AidStatus
from app.care.aid.service import AidService
from app.care.cards.service import CardService
from app.care.condolence.service import CondolenceService
from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.errors import Refused
from app.core.forms import InvalidForm
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.models import Visit
from app.state import AppServices
from tests.care_aid import apply_for, give_income, pay
from tests.factories import (
    District,
    PointsRoster,
    add_person,
    add_unit,
    identity_of,
    make_points_roster,
    make_world,
)


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def count(services: AppServices, district: District, table: Any) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await session.scalar(select(func.count()).select_from(table)) or 0


async def refused(services: AppServices, district: District, application: UUID, amount: str) -> str:
    with pytest.raises(Refused) as caught:
        await pay(services, district, application, amount)
    return caught.value.message


async def test_money_goes_out_only_on_approval_within_the_amount_and_the_balance(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    waiting = await apply_for(services, district, points.member_a, "3000")
    assert "not approved yet" in await refused(services, district, waiting, "100")
    approved = await apply_for(services, district, points.member_b, "3000", approve="2500")
    assert "fund holds" in await refused(services, district, approved, "100")  # empty fund
    await give_income(services, district, "2000")
    assert "left of the approved amount" in await refused(services, district, approved, "2600")
    assert "fund holds" in await refused(services, district, approved, "2100")
    assert await count(services, district, AidPayment) == 0

    await pay(services, district, approved, "1500")  # in two parts
    await give_income(services, district, "1000")
    assert "left of the approved amount" in await refused(services, district, approved, "1001")
    await pay(services, district, approved, "1000")
    assert "already paid in full" in await refused(services, district, approved, "1")

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            funds = FundService(session)
            fund = await funds.the_fund()
            assert await funds.balance(fund.id) == Decimal("500.00")  # 3,000 in − 2,500 out
            application = await session.get(
                AidApplication, {"tenant_id": district.tenant_id, "id": approved}
            )
            assert application and application.status == AidStatus.PAID
            admin = await identity_of(
                services, district.tenant_id, district.users[Role.TENANT_ADMIN].id
            )
            totals = await funds.year_totals(admin, clock.today().year)
            assert (totals.people_helped, totals.paid, totals.payments) == (1, Decimal(2500), 2)
            ledger = await funds.ledger(fund.id, clock.today().year)
            assert [line.balance for line in ledger][-1] == Decimal(500)
            actions = list(await session.scalars(select(AuditEvent.action)))
    assert actions.count("aid.paid") == 2 and actions.count("aid.income_recorded") == 2
    assert actions.count("aid.applied") == 2 and actions.count("aid.approved") == 1


async def test_a_payment_is_not_dated_before_the_decision(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    await give_income(services, district, "5000")
    approved = await apply_for(services, district, points.member_a, "800", approve="800")
    with pytest.raises(Refused) as caught:
        await pay(services, district, approved, "100", clock.today() - timedelta(days=1))
    assert "before the decision" in caught.value.message
    with pytest.raises(Refused):
        await pay(services, district, approved, "100", date(1900, 1, 1))
    assert await count(services, district, AidPayment) == 0


def test_income_is_not_dated_more_than_a_year_back() -> None:
    today = clock.today()
    for day in (today - timedelta(days=400), date(1900, 1, 1)):
        with pytest.raises(InvalidForm) as caught:
            parse_income({"received_on": day.isoformat(), "amount": "100", "source": "捐款"})
        assert caught.value.errors["received_on"] == "Income cannot be dated more than a year back."
    last_month = (today - timedelta(days=30)).isoformat()
    assert parse_income({"received_on": last_month, "amount": "100", "source": "捐款"})


async def test_the_list_counts_years_as_china_does(
    services: AppServices, district: District, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An application made at 00:30 on 1 January China time (16:30 UTC the day before)
    belongs to the new year."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 1, 1, 0, 30, tzinfo=CHINA_TIME))
    made = await apply_for(services, district, points.member_a, "800")
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(text("SET TIME ZONE 'UTC'"))
            aid = AidService(session)
            new_year = await aid.page(admin, year=2027)
            old_year = await aid.page(admin, year=2026)
    assert made in [row[0].id for row in new_year.items]
    assert made not in [row[0].id for row in old_year.items]


async def test_a_refused_application_is_never_paid_and_is_decided_once(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    await give_income(services, district, "5000")
    application = await apply_for(services, district, points.member_a, "800")
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await AidService(session).decide(admin, application, Decision(False, "不符合条件"))
        with pytest.raises(Refused, match="already decided"):
            async with services.db.unit() as session:
                await AidService(session).decide(
                    admin, application, Decision(True, "改批", Decimal(800))
                )
    assert "was refused" in await refused(services, district, application, "100")
    over = await apply_for(services, district, points.member_b, "800")
    with tenant_scope(district.tenant_id), pytest.raises(Refused, match="more than the"):
        async with services.db.unit() as session:
            await AidService(session).decide(admin, over, Decision(True, "多批", Decimal(900)))


async def test_only_the_admin_decides_and_pays(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    application = await apply_for(
        services, district, points.member_a, "800", role=Role.BRANCH_SECRETARY
    )
    secretary = await identity_of(
        services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
    )
    with tenant_scope(district.tenant_id):
        for step in (
            lambda aid: aid.decide(secretary, application, Decision(True, "好", Decimal(1))),
            lambda aid: aid.pay(secretary, application, PaymentForm(clock.today(), Decimal(1))),
        ):
            with pytest.raises(Refused, match="district administrator"):
                async with services.db.unit() as session:
                    await step(AidService(session))


async def test_two_payments_at_once_cannot_overdraw_the_fund(
    services: AppServices,
    district: District,
    points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each payment alone fits the balance, both together do not. The balance is read
    slowly here, so without the fund's row lock both would read 1,000 and pay."""
    await give_income(services, district, "1000")
    first = await apply_for(services, district, points.member_a, "600", approve="600")
    second = await apply_for(services, district, points.member_b, "600", approve="600")
    balance = FundService.balance

    async def slow_balance(self: FundService, fund_id: UUID) -> Decimal:
        found = await balance(self, fund_id)
        await asyncio.sleep(0.3)
        return found

    monkeypatch.setattr(FundService, "balance", slow_balance)
    results = await asyncio.gather(
        pay(services, district, first, "600"),
        pay(services, district, second, "600"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "Refused"]
    assert await count(services, district, AidPayment) == 1


def condolence_visit(
    district: District, person: UUID, day: date, money: str | None, gifts: str | None = None
) -> Visit:
    return Visit(
        tenant_id=district.tenant_id, person_id=person, visited_on=day, kind="condolence",
        place="home", visitor_id=district.users[Role.TENANT_ADMIN].id, visitor_name="管理员",
        condolence_money=Decimal(money) if money else None, condolence_gifts=gifts,
    )  # fmt: skip


async def test_condolence_figures_are_sums_of_the_visit_log(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    year = clock.today().year
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add_all([
                condolence_visit(district, points.member_a, date(year, 3, 2), "500", "米、油"),
                condolence_visit(district, points.member_a, date(year, 3, 20), "300.50"),
                condolence_visit(district, points.member_d, date(year, 7, 1), None, "慰问信"),
                condolence_visit(district, points.member_b, date(year - 1, 12, 31), "1000"),
                condolence_visit(district, points.member_d, date(year - 3, 5, 1), "200"),
                Visit(tenant_id=district.tenant_id, person_id=points.member_b,
                      visited_on=date(year, 3, 5), kind="routine", place="home",
                      visitor_id=district.users[Role.TENANT_ADMIN].id, visitor_name="管理员"),
            ])  # fmt: skip
        secretary = await identity_of(
            services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
        )
        async with services.db.session() as session:
            admin = await identity_of(
                services, district.tenant_id, district.users[Role.TENANT_ADMIN].id
            )
            assert admin.scope == EVERYONE
            figures = await CondolenceService(session).year_figures(admin, year, year)
            mine = await CondolenceService(session).year_figures(secretary, year, year)
            last = await CondolenceService(session).year_figures(admin, year - 1, year)
    t = figures.total
    assert (t.people, t.visits, t.money, t.gifts) == (2, 3, Decimal("800.50"), 2)
    march = figures.months[2]
    assert (march.people, march.visits, march.money, march.gifts) == (1, 2, Decimal("800.50"), 1)
    assert figures.months[6].visits == 1 and figures.months[6].money == 0
    assert {b.name: b.figures.visits for b in figures.branches} == {"第一支部": 2, "第二支部": 1}
    assert (mine.total.visits, [b.name for b in mine.branches]) == (2, ["第一支部"])
    assert last.total.money == Decimal(1000) and figures.years[:2] == [year, year - 1]
    assert year - 3 in figures.years and year - 3 not in mine.years  # another branch's year


async def test_branches_are_ordered_as_the_org_pages_order_them(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    """第一、第二、第三 — by the number, not by the name's pinyin (第三 before 第二)."""
    third = await add_unit(services, district, "branch", "第三支部", points.roster.center)
    member_c = await add_person(services, district, "三支部人", third)
    year = clock.today().year
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add_all([
                condolence_visit(district, person, date(year, 1, 5), "100")
                for person in (member_c, points.member_d, points.member_a)
            ])  # fmt: skip
        admin = await identity_of(
            services, district.tenant_id, district.users[Role.TENANT_ADMIN].id
        )
        async with services.db.session() as session:
            figures = await CondolenceService(session).year_figures(admin, year, year)
            branches = await CardService(session).branches(admin)
    assert [b.name for b in figures.branches] == ["第一支部", "第二支部", "第三支部"]
    assert [b.name for b in branches] == ["第一支部", "第二支部", "第三支部"]
