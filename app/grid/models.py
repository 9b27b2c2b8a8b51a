"""Grid service: grids and household assignment (定人包户), must-visit rules (四必访 /
五个必访) and the due items they produce, concerns that call for a visit, and visits
with the four knows (四个知道)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class VisitKind(enum.StrEnum):
    HOLIDAY = "holiday"
    HOSPITAL = "hospital"
    BIRTHDAY = "birthday"
    HARDSHIP = "hardship"
    EMOTIONAL = "emotional"
    DISPUTE = "dispute"
    ROUTINE = "routine"
    HOME_STUDY = "home_study"
    """送学上门: a meeting's study material taken to an infirm member's home."""
    POLITICAL_BIRTHDAY = "political_birthday"
    """政治生日: the anniversary of joining the Party, with its gifts (app.care)."""
    WEDDING = "wedding"
    """A golden (50th) or diamond (60th) wedding anniversary."""
    CONDOLENCE = "condolence"
    """吊唁: to a deceased member's family (after-care, app.care)."""


VISIT_KIND_LABELS = {
    VisitKind.HOLIDAY: N_("Holiday visit"),
    VisitKind.HOSPITAL: N_("Hospital visit"),
    VisitKind.BIRTHDAY: N_("Birthday visit"),
    VisitKind.HARDSHIP: N_("Hardship visit"),
    VisitKind.EMOTIONAL: N_("Emotional support"),
    VisitKind.DISPUTE: N_("Dispute"),
    VisitKind.ROUTINE: N_("Routine visit"),
    VisitKind.HOME_STUDY: N_("Study delivered home"),
    VisitKind.POLITICAL_BIRTHDAY: N_("Political birthday visit"),
    VisitKind.WEDDING: N_("Wedding anniversary visit"),
    VisitKind.CONDOLENCE: N_("Condolence visit to the family"),
}


class Place(enum.StrEnum):
    HOME = "home"
    HOSPITAL = "hospital"
    PHONE = "phone"


PLACE_LABELS = {
    Place.HOME: N_("At home"),
    Place.HOSPITAL: N_("At the hospital"),
    Place.PHONE: N_("By phone"),
}


class Trigger(enum.StrEnum):
    """What makes a visit due."""

    BIRTHDAY = "birthday"
    HOLIDAY = "holiday"
    HOSPITALISATION = "hospitalisation"
    HARDSHIP = "hardship"
    DISPUTE = "dispute"
    EMOTIONAL = "emotional"
    HOME_STUDY = "home_study"
    """An infirm member missed a meeting's study (written by organisational life, due
    `due_hours` after the meeting's day; see app.grid.events)."""
    POLITICAL_BIRTHDAY = "political_birthday"
    """The anniversary of `party_joined_on`, in the week that holds it, like a birthday."""
    WEDDING = "wedding"
    """The 50th and 60th anniversaries of `married_on`, in the week that holds them."""


CONCERN_TRIGGERS = (
    Trigger.HOSPITALISATION,
    Trigger.HARDSHIP,
    Trigger.DISPUTE,
    Trigger.EMOTIONAL,
)

SATISFIED_BY = {
    Trigger.BIRTHDAY: VisitKind.BIRTHDAY,
    Trigger.HOLIDAY: VisitKind.HOLIDAY,
    Trigger.HOSPITALISATION: VisitKind.HOSPITAL,
    Trigger.HARDSHIP: VisitKind.HARDSHIP,
    Trigger.DISPUTE: VisitKind.DISPUTE,
    Trigger.EMOTIONAL: VisitKind.EMOTIONAL,
    Trigger.HOME_STUDY: VisitKind.HOME_STUDY,
    Trigger.POLITICAL_BIRTHDAY: VisitKind.POLITICAL_BIRTHDAY,
    Trigger.WEDDING: VisitKind.WEDDING,
}
"""The kind of visit that answers each trigger."""

CONCERN_LABELS = {
    Trigger.HOSPITALISATION: N_("In hospital"),
    Trigger.HARDSHIP: N_("Family hardship"),
    Trigger.DISPUTE: N_("Dispute"),
    Trigger.EMOTIONAL: N_("Emotional trouble"),
}


class ServiceSettings(TenantMixin, Base):
    __tablename__ = "service_settings"

    meeting_day: Mapped[int] = mapped_column(SmallInteger, default=10)
    """见面日: the day of each month cadres meet their grid worker (000: the 10th)."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Grid(TenantMixin, Base):
    __tablename__ = "grids"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "unit_id"], ["org_units.tenant_id", "org_units.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[UUID | None] = mapped_column()
    """The org unit (usually a sub-center) the grid belongs to; its leaders see it."""
    month_target: Mapped[int] = mapped_column(SmallInteger, default=30)
    """Share of the grid's people to visit each month, in percent."""
    quarter_target: Mapped[int] = mapped_column(SmallInteger, default=90)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GridWorker(TenantMixin, Base):
    __tablename__ = "grid_workers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "grid_id"], ["grids.tenant_id", "grids.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    grid_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GridAssignment(TenantMixin, Base):
    """A person in a grid from `starts_at` until `ends_at` (open: still there)."""

    __tablename__ = "grid_assignments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "grid_id"], ["grids.tenant_id", "grids.id"]),
        ForeignKeyConstraint(["tenant_id", "assigned_by"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "ended_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    grid_id: Mapped[UUID] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[UUID | None] = mapped_column()
    ended_by: Mapped[UUID | None] = mapped_column()


class VisitRule(TenantMixin, Base):
    """A must-visit rule: a trigger and the window or deadline it gives."""

    __tablename__ = "visit_rules"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    code: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(20))
    holiday: Mapped[str | None] = mapped_column(String(20))
    days_before: Mapped[int] = mapped_column(SmallInteger, default=0)
    """Holidays: the window opens this many days before the day."""
    days_after: Mapped[int] = mapped_column(SmallInteger, default=0)
    """Holidays: and closes this many days after it."""
    due_hours: Mapped[int | None] = mapped_column(SmallInteger)
    """Concerns: the visit is due this many hours after the concern was noted."""
    party_only: Mapped[bool] = mapped_column(Boolean, default=False)
    in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    """A phone call does not count (a hospital visit is made in person)."""
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Concern(TenantMixin, Base):
    """A situation that calls for a visit: in hospital, hardship, dispute, emotional."""

    __tablename__ = "concerns"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "noted_by"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "closed_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    noted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    noted_by: Mapped[UUID] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[UUID | None] = mapped_column()


class VisitPhoto(TenantMixin, Base):
    __tablename__ = "visit_photos"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Visit(TenantMixin, Base):
    """A visit as it happened; the four knows are what the worker learnt that day."""

    __tablename__ = "visits"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "photo_id"], ["visit_photos.tenant_id", "visit_photos.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "grid_id"], ["grids.tenant_id", "grids.id"]),
        ForeignKeyConstraint(["tenant_id", "visitor_id"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    visited_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)
    knows_where: Mapped[str | None] = mapped_column(Text)
    knows_doing: Mapped[str | None] = mapped_column(Text)
    knows_difficulties: Mapped[str | None] = mapped_column(Text)
    knows_help: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    condolence_money: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    """慰问金 given on the visit, in yuan: the year's total is a sum of the visit log."""
    condolence_gifts: Mapped[str | None] = mapped_column(Text)
    """慰问品: what was given, in the giver's words (米、油、慰问信)."""
    photo_id: Mapped[UUID | None] = mapped_column()
    grid_id: Mapped[UUID | None] = mapped_column()
    visitor_id: Mapped[UUID] = mapped_column()
    visitor_name: Mapped[str] = mapped_column(Text)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VisitDueItem(TenantMixin, Base):
    """One visit a rule asks for: a person, an occasion, a window and a deadline."""

    __tablename__ = "visit_due_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "rule_id"],
            ["visit_rules.tenant_id", "visit_rules.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["tenant_id", "concern_id"], ["concerns.tenant_id", "concerns.id"]),
        ForeignKeyConstraint(["tenant_id", "visit_id"], ["visits.tenant_id", "visits.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    rule_id: Mapped[UUID] = mapped_column()
    occasion: Mapped[str] = mapped_column(String(60))
    opens_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    concern_id: Mapped[UUID | None] = mapped_column()
    visit_id: Mapped[UUID | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
