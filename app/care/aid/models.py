"""Hardship aid's tables: the fund, its income, applications with their evidence, and
payments. Tables and guards: migrations/versions/20261221_care_aid.py."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_

FUND_NAME = "困难党员帮扶基金"
"""The fund every district has (source 002's 困难党员帮扶基金): a name, not a UI text."""


class ReasonKind(enum.StrEnum):
    ILLNESS = "illness"  # 重大疾病
    ACCIDENT = "accident"  # 意外变故
    HARDSHIP = "hardship"  # 生活困难


REASON_LABELS = {
    ReasonKind.ILLNESS: N_("Serious illness"),
    ReasonKind.ACCIDENT: N_("Sudden misfortune"),
    ReasonKind.HARDSHIP: N_("Hardship in daily life"),
}


class AidStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    """Approved, not yet paid in full."""
    REFUSED = "refused"
    PAID = "paid"
    """The approved amount is paid in full."""


STATUS_LABELS = {
    AidStatus.PENDING: N_("Waiting for a decision"),
    AidStatus.APPROVED: N_("Approved, to be paid"),
    AidStatus.REFUSED: N_("Refused"),
    AidStatus.PAID: N_("Paid"),
}


class AidFund(TenantMixin, Base):
    __tablename__ = "aid_funds"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AidIncome(TenantMixin, Base):
    """Money put into the fund (a budget line, a donation, Party fees returned …)."""

    __tablename__ = "aid_income"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "fund_id"], ["aid_funds.tenant_id", "aid_funds.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    fund_id: Mapped[UUID] = mapped_column()
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[UUID] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AidApplication(TenantMixin, Base):
    __tablename__ = "aid_applications"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    reason_kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    amount_asked: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(10), default=AidStatus.PENDING)
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    applied_by: Mapped[UUID] = mapped_column()
    applied_by_name: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[UUID | None] = mapped_column()
    decided_by_name: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AidEvidence(TenantMixin, Base):
    __tablename__ = "aid_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "application_id"], ["aid_applications.tenant_id", "aid_applications.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    application_id: Mapped[UUID] = mapped_column()
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AidPayment(TenantMixin, Base):
    __tablename__ = "aid_payments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "fund_id"], ["aid_funds.tenant_id", "aid_funds.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "application_id"], ["aid_applications.tenant_id", "aid_applications.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    fund_id: Mapped[UUID] = mapped_column()
    application_id: Mapped[UUID] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_by: Mapped[UUID] = mapped_column()
    paid_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
