"""Hardship aid for the tests: the fund given money, an application for 党员甲 (of the
branch secretary's 第一支部) and one for 党员丁 (of 第二支部), decided as asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from app.care.aid.forms import ApplicationForm, Decision, IncomeForm, PaymentForm
from app.care.aid.fund import FundService
from app.care.aid.models import ReasonKind
from app.care.aid.service import AidService
from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import District, PointsRoster, identity_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Aid:
    points: PointsRoster
    mine: UUID
    """党员甲's application (第一支部: the secretary's)."""
    other: UUID
    """党员丁's application (第二支部)."""


async def give_income(services: AppServices, district: District, amount: str) -> None:
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await FundService(session).record_income(
                admin, IncomeForm(clock.today(), Decimal(amount), "区财政拨款")
            )


async def apply_for(
    services: AppServices,
    district: District,
    person: UUID,
    asked: str,
    *,
    approve: str | None = None,
    role: Role = Role.TENANT_ADMIN,
    files: list[tuple[str, str, bytes]] | None = None,
) -> UUID:
    """An application for `person`, approved for `approve` yuan when given."""
    who = await identity_of(services, district.tenant_id, district.users[role].id)
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    form = ApplicationForm(person, ReasonKind.ILLNESS, "住院治疗，自付费用高", Decimal(asked))
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            application = await AidService(session).apply(who, form, files or [])
        if approve:
            async with services.db.unit() as session:
                await AidService(session).decide(
                    admin, application.id, Decision(True, "情况属实", Decimal(approve))
                )
    return application.id


async def pay(
    services: AppServices, district: District, application: UUID, amount: str,
    paid_on: date | None = None,
) -> None:  # fmt: skip
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await AidService(session).pay(
                admin, application, PaymentForm(paid_on or clock.today(), Decimal(amount))
            )


async def make_aid(services: AppServices, district: District, points: PointsRoster) -> Aid:
    await give_income(services, district, "10000")
    mine = await apply_for(services, district, points.member_a, "3000",
                           files=[("诊断书.pdf", "application/pdf", PDF)])  # fmt: skip
    other = await apply_for(services, district, points.member_d, "2000", approve="2000")
    return Aid(points, mine, other)


async def every_aid_change(services: AppServices, district: District, points: PointsRoster) -> None:
    """Each audited step of aid once (the change log's walk): income, an application
    with evidence approved and paid, one refused."""
    await give_income(services, district, "5000")
    paid = await apply_for(services, district, points.member_a, "1000", approve="800",
                           files=[("诊断书.pdf", "application/pdf", PDF)])  # fmt: skip
    await pay(services, district, paid, "800")
    refused = await apply_for(services, district, points.member_b, "500")
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await AidService(session).decide(admin, refused, Decision(False, "已享受其他救助"))
