"""Points (积分管理): rule sets and their versions, the ledger, claims, publications.

The tables and their guards (frozen active rules, an append-only ledger, a tally
kept by trigger, frozen publications) are in migrations/versions/20261124_points.py.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class RuleSetStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


class Unit(enum.StrEnum):
    """How an item counts: once per event, per hour given, or per occurrence."""

    EVENT = "event"
    HOUR = "hour"
    OCCURRENCE = "occurrence"


class Awarder(enum.StrEnum):
    """Who may put an item on the ledger: the secretary directly, a grid worker by a
    claim the secretary approves, or an automatic source (attendance, volunteering)."""

    SECRETARY = "secretary"
    GRID_WORKER = "grid_worker"
    AUTOMATIC = "automatic"


class Source(enum.StrEnum):
    CLAIM = "claim"
    AWARD = "award"
    AUTOMATIC = "automatic"
    REVERSAL = "reversal"


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PublicationStatus(enum.StrEnum):
    OBJECTION = "objection"
    PUBLISHED = "published"


class ObjectionStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


UNIT_LABELS = {
    Unit.EVENT: N_("per event"),
    Unit.HOUR: N_("per hour"),
    Unit.OCCURRENCE: N_("per occurrence"),
}
RATE_LABELS = {
    Unit.EVENT: N_("%(points)s points each time"),
    Unit.HOUR: N_("%(points)s points an hour"),
    Unit.OCCURRENCE: N_("%(points)s points a time, several times in one entry"),
}
"""An item's points in the words of a picker: "参加支部集中学习（每次+2分）"."""
AWARDER_LABELS = {
    Awarder.SECRETARY: N_("Branch secretary"),
    Awarder.GRID_WORKER: N_("Grid worker (claim)"),
    Awarder.AUTOMATIC: N_("Automatic"),
}
SOURCE_LABELS = {
    Source.CLAIM: N_("Claim approved"),
    Source.AWARD: N_("Awarded"),
    Source.AUTOMATIC: N_("Automatic"),
    Source.REVERSAL: N_("Correction"),
}
CLAIM_STATUS_LABELS = {
    ClaimStatus.PENDING: N_("Waiting for approval"),
    ClaimStatus.APPROVED: N_("Approved"),
    ClaimStatus.REJECTED: N_("Rejected"),
}
OBJECTION_STATUS_LABELS = {
    ObjectionStatus.OPEN: N_("Waiting for an answer"),
    ObjectionStatus.UPHELD: N_("Upheld"),
    ObjectionStatus.REJECTED: N_("Rejected"),
}


class RuleSet(TenantMixin, Base):
    __tablename__ = "point_rule_sets"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(8))
    preset: Mapped[str | None] = mapped_column(String(60))
    base_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    objection_days: Mapped[int] = mapped_column(default=7)
    effective_from: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    activated_by: Mapped[UUID | None] = mapped_column()
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RuleCategory(TenantMixin, Base):
    __tablename__ = "point_categories"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "rule_set_id"], ["point_rule_sets.tenant_id", "point_rule_sets.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    rule_set_id: Mapped[UUID] = mapped_column()
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(Text)


class RuleItem(TenantMixin, Base):
    __tablename__ = "point_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "rule_set_id"], ["point_rule_sets.tenant_id", "point_rule_sets.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "category_id"], ["point_categories.tenant_id", "point_categories.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    rule_set_id: Mapped[UUID] = mapped_column()
    category_id: Mapped[UUID] = mapped_column()
    position: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    points: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    unit: Mapped[str] = mapped_column(String(10))
    cap_quarter: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    cap_year: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    awarders: Mapped[list[str]] = mapped_column(ARRAY(Text))
    feeds: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    """The automatic sources that score this item (app.points.feeds.Feed)."""


class Photo(TenantMixin, Base):
    """Evidence photo, re-encoded on upload (EXIF and location stripped)."""

    __tablename__ = "point_photos"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Claim(TenantMixin, Base):
    __tablename__ = "point_claims"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    rule_item_id: Mapped[UUID] = mapped_column()
    occurred_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Numeric(7, 1))
    evidence: Mapped[str | None] = mapped_column(Text)
    photo_id: Mapped[UUID | None] = mapped_column()
    claimed_by: Mapped[UUID] = mapped_column()
    claimed_by_name: Mapped[str] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.PENDING)
    decided_by: Mapped[UUID | None] = mapped_column()
    decided_by_name: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class PointEvent(TenantMixin, Base):
    """One line of the ledger. Never updated or deleted (the database refuses)."""

    __tablename__ = "point_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    branch_id: Mapped[UUID | None] = mapped_column()
    rule_item_id: Mapped[UUID] = mapped_column()
    occurred_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Numeric(7, 1))
    points: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    source: Mapped[str] = mapped_column(String(10))
    claim_id: Mapped[UUID | None] = mapped_column()
    reverses_id: Mapped[UUID | None] = mapped_column()
    source_ref: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[UUID | None] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Tally(TenantMixin, Base):
    """Sums of one person's events of one item in one quarter (kept by trigger)."""

    __tablename__ = "point_tallies"

    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    quarter_start: Mapped[date] = mapped_column(Date, primary_key=True)
    rule_item_id: Mapped[UUID] = mapped_column(primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(9, 1))
    points: Mapped[Decimal] = mapped_column(Numeric(11, 2))
    events: Mapped[int] = mapped_column()


class Publication(TenantMixin, Base):
    __tablename__ = "point_publications"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    branch_id: Mapped[UUID] = mapped_column()
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    rule_set_id: Mapped[UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(10))
    objections_close_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[UUID] = mapped_column()
    opened_by_name: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_by: Mapped[UUID | None] = mapped_column()
    published_by_name: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PublicationEntry(TenantMixin, Base):
    __tablename__ = "point_publication_entries"

    publication_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_name: Mapped[str] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column()
    score: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    exempt: Mapped[bool] = mapped_column(Boolean)
    categories: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Objection(TenantMixin, Base):
    __tablename__ = "point_objections"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    publication_id: Mapped[UUID] = mapped_column()
    person_id: Mapped[UUID] = mapped_column()
    raised_by: Mapped[UUID] = mapped_column()
    raised_by_name: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(String(10), default=ObjectionStatus.OPEN)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[UUID | None] = mapped_column()
    answered_by_name: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[UUID | None] = mapped_column()
