"""Demo hardship aid and condolence money: the fund given its year's money, eight
members helped with 35,000 yuan this year (source 002's figures), one application
waiting from the branch secretary, one refused, one approved and not yet paid; and
condolence money and gifts on a few dozen visits spread over the year."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select, update

from app.access import tenant_identity
from app.care.aid.forms import ApplicationForm, Decision, IncomeForm, PaymentForm
from app.care.aid.fund import FundService
from app.care.aid.models import AidApplication, ReasonKind
from app.care.aid.service import AidService
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.demo.roster import _user_with
from app.grid.models import Visit
from app.people.models import Person
from app.people.scope import people_in
from app.state import AppServices

PAID = [8000, 6000, 5000, 5000, 4000, 3000, 2000, 2000]
"""Eight members, 35,000 yuan."""
STORIES = {
    ReasonKind.ILLNESS: ["突发脑梗住院，医疗费自付部分较多", "确诊肺癌，需长期化疗",
                         "心脏搭桥手术，家中无人照料"],
    ReasonKind.ACCIDENT: ["家中失火，衣物家具损毁", "老伴意外摔伤骨折"],
    ReasonKind.HARDSHIP: ["独居，收入低，冬季取暖困难", "子女下岗，家庭生活困难"],
}  # fmt: skip
GIFTS = ["米、油", "慰问信", "牛奶、水果", "棉被", "米、面、油"]


async def has_care_aid(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(AidApplication.id).limit(1)) is not None


async def _who(services: AppServices, role: Role, tenant_id: UUID) -> Identity:
    async with services.db.unit() as session:
        user = (await session.execute(_user_with(role))).one()
        found = await tenant_identity(session, user.id, tenant_id)
    assert found is not None
    return found[0]


def _story(rng: random.Random) -> tuple[ReasonKind, str]:
    kind = rng.choice(list(ReasonKind))
    return kind, rng.choice(STORIES[kind])


async def _apply(
    services: AppServices, who: Identity, person: UUID, asked: int, rng: random.Random,
    applied: date,
) -> UUID:  # fmt: skip
    kind, story = _story(rng)
    async with services.db.unit() as session:
        application = await AidService(session).apply(
            who, ApplicationForm(person, kind, story, Decimal(asked)), []
        )
        application.applied_at = datetime.combine(applied, time(9, 30), clock.CHINA_TIME)
    return application.id


async def seed_demo_care_aid(services: AppServices, tenant_id: UUID, seed: int = 15) -> None:
    """Run inside the district's tenant scope, after the roster and the grid."""
    rng = random.Random(seed)
    today = clock.today()
    start = date(today.year, 1, 1)
    admin = await _who(services, Role.TENANT_ADMIN, tenant_id)
    secretary = await _who(services, Role.BRANCH_SECRETARY, tenant_id)
    async with services.db.unit() as session:
        people = list(await session.scalars(
            select(Person.id).where(Person.deceased_on.is_(None)).order_by(Person.sort_key)
        ))  # fmt: skip
        branch = list(await session.scalars(
            select(Person.id).where(people_in(secretary.scope), Person.deceased_on.is_(None))
        ))  # fmt: skip
        funds = FundService(session)
        await funds.record_income(admin, IncomeForm(start, Decimal(30000), "区财政专项拨款"))
        await funds.record_income(
            admin, IncomeForm(start + timedelta(days=40), Decimal(10000), "老干部党费返还及捐款")
        )
    if not people:
        return
    helped = rng.sample(people, min(len(people), len(PAID) + 2))
    span = max((today - start).days, 1)
    for person, amount in zip(helped, PAID, strict=False):
        paid_on = start + timedelta(days=rng.randrange(20, span + 20) % span)
        applied = max(paid_on - timedelta(days=7), start)
        application = await _apply(services, admin, person, amount + 1000, rng, applied)
        async with services.db.unit() as session:
            aid = AidService(session)
            await aid.decide(admin, application, Decision(True, "经审核情况属实", Decimal(amount)))
            # Decided a few days after applying, as it would have been that day.
            decided = max(paid_on - timedelta(days=3), applied)
            await session.execute(
                update(AidApplication)
                .where(AidApplication.id == application)
                .values(decided_at=datetime.combine(decided, time(15), clock.CHINA_TIME))
            )
            await aid.pay(admin, application, PaymentForm(paid_on, Decimal(amount)))
    refused = await _apply(services, admin, helped[-2], 3000, rng, today - timedelta(days=20))
    approved = await _apply(services, admin, helped[-1], 1500, rng, today - timedelta(days=5))
    async with services.db.unit() as session:
        aid = AidService(session)
        await aid.decide(admin, refused, Decision(False, "已享受民政临时救助，本年度不再重复补助"))
        await aid.decide(admin, approved, Decision(True, "情况属实", Decimal(1500)))
    who, pool = (secretary, branch) if branch else (admin, people)
    await _apply(services, who, rng.choice(pool), 2000, rng, today)  # waiting
    await _condolence_visits(services, tenant_id, people, rng)


async def _condolence_visits(
    services: AppServices, tenant_id: UUID, people: list[UUID], rng: random.Random
) -> None:
    """Visits that gave condolence money or gifts, as grid workers log them (insert
    only: the visit log is never rewritten)."""
    today = clock.today()
    start = date(today.year, 1, 1)
    async with services.db.unit() as session:
        worker = (await session.execute(_user_with(Role.GRID_WORKER))).one()
        for _ in range(40):
            money = rng.choice([None, 200, 300, 500, 500, 800, 1000])
            gifts = rng.choice([None, *GIFTS]) if money else rng.choice(GIFTS)
            session.add(Visit(
                tenant_id=tenant_id, person_id=rng.choice(people),
                visited_on=start + timedelta(days=rng.randrange((today - start).days + 1)),
                kind=rng.choice(["holiday", "hardship", "hospital"]), place="home",
                notes="送去慰问", condolence_money=Decimal(money) if money else None,
                condolence_gifts=gifts, visitor_id=worker.id, visitor_name=worker.name,
                logged_at=clock.now(),
            ))  # fmt: skip
