"""Hardship aid: who may see and decide what, and the fund's rules.

Aid is sensitive (a member's illness, a family's money). The district admin — the
leader who decides — sees every application and the fund. A branch secretary applies
for the people of their branch and sees those applications and their outcome, not the
fund. Grid workers and members see nothing (the routes' guards answer 403).

The fund's rules: money is paid only on an approved application, never more than the
amount approved (payments may come in parts) and never more than the fund holds
(balance = income − payments). A payment locks the fund's row first, so two payments
at once are made one after the other and the second sees the first's money gone.
Every step is written to the audit log with the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from babel.dates import format_skeleton
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from app.audit.service import record
from app.care.aid.forms import ApplicationForm, Decision, PaymentForm
from app.care.aid.fund import FundService
from app.care.aid.models import (
    AidApplication,
    AidEvidence,
    AidPayment,
    AidStatus,
)
from app.care.aid.scope import decides, sees
from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.money import yuan_text
from app.core.pagination import Page, paginate
from app.db.tenant import require_tenant
from app.i18n import N_, current_locale
from app.people.models import OrgUnit, Person
from app.people.search import search_condition

PAGE_SIZE = 20
PICK_LIMIT = 20


@dataclass(frozen=True)
class ApplicationView:
    application: AidApplication
    person: Person
    branch: str | None
    evidence: list[AidEvidence]
    payments: list[AidPayment]

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def left_to_pay(self) -> Decimal:
        return (self.application.approved_amount or Decimal(0)) - self.paid


class AidService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Applications

    def _listed(self, identity: Identity) -> Select[AidApplication, str, str, Decimal]:
        paid = (
            select(func.coalesce(func.sum(AidPayment.amount), 0))
            .where(AidPayment.application_id == AidApplication.id)
            .scalar_subquery()
        )
        return (
            select(AidApplication, Person.name, OrgUnit.name, paid)
            .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                  & (Person.id == AidApplication.person_id))
            .outerjoin(OrgUnit, (OrgUnit.tenant_id == Person.tenant_id)
                       & (OrgUnit.id == Person.branch_id))
            .where(sees(identity))
        )  # fmt: skip

    async def page(
        self, identity: Identity, *, status: str = "", kind: str = "", year: int | None = None,
        number: int = 1,
    ) -> Page[Any]:  # fmt: skip
        query = self._listed(identity)
        if status:
            query = query.where(AidApplication.status == status)
        if kind:
            query = query.where(AidApplication.reason_kind == kind)
        if year:
            # The year as China reckons it, whatever the database session's time zone.
            first = datetime(year, 1, 1, tzinfo=CHINA_TIME)
            after = datetime(year + 1, 1, 1, tzinfo=CHINA_TIME)
            query = query.where(
                AidApplication.applied_at >= first, AidApplication.applied_at < after
            )
        query = query.order_by(AidApplication.applied_at.desc(), AidApplication.id)
        return await paginate(self.session, query, number, PAGE_SIZE)

    async def pick(self, identity: Identity, query: str) -> list[Person]:
        """Living people this user may apply for, by name, pinyin or phone tail."""
        condition = search_condition(query)
        if condition is None:
            return []
        found = await self.session.scalars(
            select(Person)
            .where(condition, sees(identity), Person.deceased_on.is_(None))
            .order_by(Person.sort_key)
            .limit(PICK_LIMIT)
        )
        return list(found)

    async def person(self, identity: Identity, person_id: UUID) -> Person:
        person = await self.session.scalar(
            select(Person).where(Person.id == person_id, sees(identity))
        )
        if person is None:
            raise NotFound()
        return person

    async def apply(
        self, identity: Identity, form: ApplicationForm, files: list[tuple[str, str, bytes]]
    ) -> AidApplication:
        person = await self.person(identity, form.person_id)
        if person.deceased_on is not None:
            raise Refused(N_("%(name)s has passed away."), name=person.name)
        application = AidApplication(
            tenant_id=require_tenant(), person_id=person.id, reason_kind=form.reason_kind,
            description=form.description, amount_asked=form.amount_asked,
            status=AidStatus.PENDING, applied_by=identity.user_id,
            applied_by_name=identity.name, applied_at=clock.now(),
        )  # fmt: skip
        self.session.add(application)
        await self.session.flush()
        for name, media_type, content in files:
            evidence = AidEvidence(
                tenant_id=require_tenant(), application_id=application.id, filename=name,
                content_type=media_type, content=content, size=len(content),
                uploaded_by=identity.user_id,
            )  # fmt: skip
            self.session.add(evidence)
        await record(
            self.session, identity.actor, "aid.applied", subject_type="aid_application",
            subject_id=application.id, subject_name=person.name,
            changes={"reason_kind": form.reason_kind.value,
                     "amount_asked": str(form.amount_asked), "files": len(files)},
        )  # fmt: skip
        await self.session.flush()
        return application

    async def _locked(self, identity: Identity, application_id: UUID) -> AidApplication:
        application = await self.session.scalar(
            select(AidApplication)
            .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                  & (Person.id == AidApplication.person_id))
            .where(AidApplication.id == application_id, sees(identity))
            .with_for_update(of=AidApplication)
        )  # fmt: skip
        if application is None:
            raise NotFound()
        return application

    async def view(self, identity: Identity, application_id: UUID) -> ApplicationView:
        row = (
            await self.session.execute(
                select(AidApplication, Person, OrgUnit.name)
                .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                      & (Person.id == AidApplication.person_id))
                .outerjoin(OrgUnit, (OrgUnit.tenant_id == Person.tenant_id)
                           & (OrgUnit.id == Person.branch_id))
                .where(AidApplication.id == application_id, sees(identity))
            )
        ).first()  # fmt: skip
        if row is None:
            raise NotFound()
        evidence = await self.session.scalars(
            select(AidEvidence)
            .where(AidEvidence.application_id == application_id)
            .order_by(AidEvidence.uploaded_at)
        )
        payments = await self.session.scalars(
            select(AidPayment)
            .where(AidPayment.application_id == application_id)
            .order_by(AidPayment.paid_on, AidPayment.recorded_at)
        )
        return ApplicationView(row[0], row[1], row[2], list(evidence), list(payments))

    async def decide(
        self, identity: Identity, application_id: UUID, decision: Decision
    ) -> AidApplication:
        decides(identity)
        application = await self._locked(identity, application_id)
        if application.status != AidStatus.PENDING:
            raise Refused(N_("This application was already decided."))
        amount = decision.approved_amount
        if decision.approve and amount is not None and amount > application.amount_asked:
            raise Refused(
                N_("The approved amount cannot be more than the %(asked)s asked for."),
                asked=yuan_text(application.amount_asked),
            )
        application.status = AidStatus.APPROVED if decision.approve else AidStatus.REFUSED
        application.approved_amount = amount if decision.approve else None
        application.decision_reason = decision.reason
        application.decided_by, application.decided_by_name = identity.user_id, identity.name
        application.decided_at = clock.now()
        person = await self.session.get(
            Person, {"tenant_id": require_tenant(), "id": application.person_id}
        )
        changes: dict[str, Any] = {"reason": decision.reason}
        if amount is not None:
            changes["approved_amount"] = str(amount)
        await record(
            self.session, identity.actor, "aid.approved" if decision.approve else "aid.refused",
            subject_type="aid_application", subject_id=application.id,
            subject_name=person.name if person else None, changes=changes,
        )  # fmt: skip
        await self.session.flush()
        return application

    async def pay(self, identity: Identity, application_id: UUID, form: PaymentForm) -> AidPayment:
        """Pay from the fund. The fund's row is locked before anything is read, so a
        payment running at the same time waits here and then sees this one's money gone."""
        decides(identity)
        funds = FundService(self.session)
        fund = await funds.the_fund(for_update=True)
        application = await self._locked(identity, application_id)
        if application.status == AidStatus.PENDING:
            raise Refused(N_("This application is not approved yet; nothing can be paid."))
        if application.status == AidStatus.REFUSED:
            raise Refused(N_("This application was refused; nothing can be paid."))
        if application.status == AidStatus.PAID:
            raise Refused(N_("The approved amount is already paid in full."))
        if application.decided_at is not None:
            decided = application.decided_at.astimezone(CHINA_TIME).date()
            if form.paid_on < decided:
                raise Refused(
                    N_("A payment cannot be dated before the decision on %(date)s."),
                    date=format_skeleton("MMMd", decided, locale=current_locale.get()),
                )
        approved = application.approved_amount or Decimal(0)
        paid = Decimal(
            await self.session.scalar(
                select(func.coalesce(func.sum(AidPayment.amount), 0)).where(
                    AidPayment.application_id == application.id
                )
            )
            or 0
        )
        if paid + form.amount > approved:
            raise Refused(
                N_("%(amount)s is more than the %(left)s left of the approved amount."),
                amount=yuan_text(form.amount), left=yuan_text(approved - paid),
            )  # fmt: skip
        balance = await funds.balance(fund.id)
        if form.amount > balance:
            raise Refused(
                N_("The fund holds %(balance)s, less than %(amount)s. Please record the "
                   "fund's income first."),
                balance=yuan_text(balance), amount=yuan_text(form.amount),
            )  # fmt: skip
        payment = AidPayment(
            tenant_id=require_tenant(), fund_id=fund.id, application_id=application.id,
            paid_on=form.paid_on, amount=form.amount, paid_by=identity.user_id,
            paid_by_name=identity.name,
        )  # fmt: skip
        self.session.add(payment)
        if paid + form.amount == approved:
            application.status = AidStatus.PAID
        person = await self.session.get(
            Person, {"tenant_id": require_tenant(), "id": application.person_id}
        )
        await record(
            self.session, identity.actor, "aid.paid", subject_type="aid_application",
            subject_id=application.id, subject_name=person.name if person else None,
            changes={"amount": str(form.amount), "paid_on": form.paid_on.isoformat()},
        )  # fmt: skip
        await self.session.flush()
        return payment

    async def evidence(self, identity: Identity, evidence_id: UUID) -> AidEvidence:
        found = await self.session.scalar(
            select(AidEvidence)
            .join(AidApplication, (AidApplication.tenant_id == AidEvidence.tenant_id)
                  & (AidApplication.id == AidEvidence.application_id))
            .join(Person, (Person.tenant_id == AidApplication.tenant_id)
                  & (Person.id == AidApplication.person_id))
            .where(AidEvidence.id == evidence_id, sees(identity))
            .options(undefer(AidEvidence.content))
        )  # fmt: skip
        if found is None:
            raise NotFound()
        return found
