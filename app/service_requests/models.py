"""Service requests (诉求): a need logged for a person, with a category whose SLA the
district sets ("水坏不过夜，电坏不过天"), a status flow, an escalation chain and the
person's satisfaction."""

from __future__ import annotations

import enum
from datetime import datetime, time
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKeyConstraint, SmallInteger, String, Text, Time
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class RequestStatus(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"


STATUS_LABELS = {
    RequestStatus.NEW: N_("New"),
    RequestStatus.ASSIGNED: N_("Assigned"),
    RequestStatus.IN_PROGRESS: N_("In progress"),
    RequestStatus.RESOLVED: N_("Resolved"),
    RequestStatus.CONFIRMED: N_("Confirmed"),
    RequestStatus.REOPENED: N_("Reopened"),
}

OPEN_STATUSES = (
    RequestStatus.NEW,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.REOPENED,
)
"""The SLA clock runs in these; it stops at resolved."""


class Holder(enum.StrEnum):
    """Who holds a request at an escalation level."""

    ASSIGNEE = "assignee"
    UNIT_LEADER = "unit_leader"
    ADMIN = "admin"


class RequestCategory(TenantMixin, Base):
    __tablename__ = "request_categories"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(Text)
    sla_hours: Mapped[int | None] = mapped_column(SmallInteger)
    """Due this many hours after the request is logged."""
    same_day_by: Mapped[time | None] = mapped_column(Time)
    """Or due the same day by this time (水坏不过夜: by 22:00)."""
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EscalationLevel(TenantMixin, Base):
    __tablename__ = "escalation_levels"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    holder: Mapped[str] = mapped_column(String(16))
    limit_hours: Mapped[int | None] = mapped_column(SmallInteger)
    """How long this level has once the level before it ran out (level 1: the SLA)."""


class ServiceRequest(TenantMixin, Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["request_categories.tenant_id", "request_categories.id"],
        ),
        ForeignKeyConstraint(["tenant_id", "assignee_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "grid_id"], ["grids.tenant_id", "grids.id"]),
        ForeignKeyConstraint(["tenant_id", "created_by"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "resolved_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    category_id: Mapped[UUID] = mapped_column()
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.NEW)
    assignee_id: Mapped[UUID | None] = mapped_column()
    grid_id: Mapped[UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[UUID] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    level: Mapped[int] = mapped_column(SmallInteger, default=1)
    """The escalation level last recorded (the clock may already have moved it on)."""
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[UUID | None] = mapped_column()
    callback_by: Mapped[list[UUID]] = mapped_column(ARRAY(PgUUID(as_uuid=True)), default=list)
    """While resolved: the accounts asked to call the person back (queries.call_back),
    decided at resolution like an assignment."""
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    callback_level: Mapped[int | None] = mapped_column(SmallInteger)
    """After a satisfaction of 1 or 2, the level that calls the person back."""
    reopen_count: Mapped[int] = mapped_column(default=0)


class RequestEvent(TenantMixin, Base):
    """The request's history, one row per step; never rewritten."""

    __tablename__ = "service_request_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "request_id"], ["service_requests.tenant_id", "service_requests.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    request_id: Mapped[UUID] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[UUID | None] = mapped_column()
    actor_name: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str | None] = mapped_column(String(12))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
