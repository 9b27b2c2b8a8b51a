"""The fund (困难党员帮扶基金): income, the ledger with its running balance, and the
year's totals. One fund per district; the balance is income − payments, read under
the fund row's lock whenever money goes out (app.care.aid.service.AidService.pay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.care.aid.forms import IncomeForm
from app.care.aid.models import FUND_NAME, AidApplication, AidFund, AidIncome, AidPayment
from app.care.aid.scope import decides, sees
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.people.models import Person


@dataclass(frozen=True)
class LedgerLine:
    day: date
    income: Decimal | None
    payment: Decimal | None
    what: str
    """The income's source, or the person paid."""
    balance: Decimal


@dataclass(frozen=True)
class YearTotals:
    year: int
    people_helped: int
    paid: Decimal
    payments: int
    income: Decimal


async def install_aid_fund(session: AsyncSession, tenant_id: UUID) -> None:
    """A new district's one fund, in the caller's transaction (signup, like the other
    presets; a second call is a no-op: one fund per district)."""
    await session.execute(
        insert(AidFund)
        .values(tenant_id=tenant_id, name=FUND_NAME)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )


class FundService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def the_fund(self, *, for_update: bool = False) -> AidFund:
        """The district's fund: made with the district (install_aid_fund; the migration
        made it for the districts before), so reading it writes nothing."""
        query = select(AidFund)
        if for_update:
            query = query.with_for_update()
        fund = await self.session.scalar(query)
        assert fund is not None
        return fund

    async def balance(self, fund_id: UUID) -> Decimal:
        income = select(func.coalesce(func.sum(AidIncome.amount), 0)).where(
            AidIncome.fund_id == fund_id
        )
        paid = select(func.coalesce(func.sum(AidPayment.amount), 0)).where(
            AidPayment.fund_id == fund_id
        )
        found = await self.session.scalar(select(income.scalar_subquery() - paid.scalar_subquery()))
        return Decimal(found or 0)

    async def record_income(self, identity: Identity, form: IncomeForm) -> AidIncome:
        decides(identity)
        fund = await self.the_fund(for_update=True)
        entry = AidIncome(
            tenant_id=require_tenant(), fund_id=fund.id, received_on=form.received_on,
            amount=form.amount, source=form.source, recorded_by=identity.user_id,
            recorded_by_name=identity.name,
        )  # fmt: skip
        self.session.add(entry)
        await record(
            self.session, identity.actor, "aid.income_recorded", subject_type="aid_fund",
            subject_id=fund.id, subject_name=fund.name,
            changes={"amount": str(form.amount), "received_on": form.received_on.isoformat(),
                     "source": form.source},
        )  # fmt: skip
        await self.session.flush()
        return entry

    async def ledger(self, fund_id: UUID, year: int) -> list[LedgerLine]:
        """The year's income and payments in date order, each with the balance after it
        (the balance brought forward from earlier years included)."""
        start = date(year, 1, 1)
        income = select(
            AidIncome.received_on.label("day"), AidIncome.recorded_at.label("at"),
            AidIncome.amount.label("income"), literal(None).label("payment"),
            AidIncome.source.label("what"),
        ).where(AidIncome.fund_id == fund_id)  # fmt: skip
        paid = (
            select(
                AidPayment.paid_on, AidPayment.recorded_at, literal(None), AidPayment.amount,
                Person.name,
            )
            .join(AidApplication, (AidApplication.tenant_id == AidPayment.tenant_id)
                  & (AidApplication.id == AidPayment.application_id))
            .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                  & (Person.id == AidApplication.person_id))
            .where(AidPayment.fund_id == fund_id)
        )  # fmt: skip
        both = union_all(income, paid).subquery()
        rows = (
            await self.session.execute(
                select(both)
                .where(both.c.day < date(year + 1, 1, 1))
                .order_by(both.c.day, both.c.at)
            )
        ).all()
        balance, lines = Decimal(0), []
        for row in rows:
            balance += (row.income or 0) - (row.payment or 0)
            if row.day >= start:
                lines.append(LedgerLine(row.day, row.income, row.payment, row.what, balance))
        return lines

    async def year_totals(self, identity: Identity, year: int) -> YearTotals:
        """People helped and yuan paid in `year` (the sources' "8 members, 35,000
        yuan"): of the people this user sees; the fund's income for the admin."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        people, paid, count = (
            await self.session.execute(
                select(func.count(AidApplication.person_id.distinct()),
                       func.coalesce(func.sum(AidPayment.amount), 0), func.count())
                .select_from(AidPayment)
                .join(AidApplication, (AidApplication.tenant_id == AidPayment.tenant_id)
                      & (AidApplication.id == AidPayment.application_id))
                .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                      & (Person.id == AidApplication.person_id))
                .where(AidPayment.paid_on.between(start, end), sees(identity))
            )
        ).one()  # fmt: skip
        income = Decimal(0)
        if Role.TENANT_ADMIN in identity.roles:
            income = Decimal(
                await self.session.scalar(
                    select(func.coalesce(func.sum(AidIncome.amount), 0)).where(
                        AidIncome.received_on.between(start, end)
                    )
                )
                or 0
            )
        return YearTotals(year, people, Decimal(paid), count, income)
