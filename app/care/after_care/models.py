"""After-care's tables: a death recorded (the case) and the help given to the family."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, Numeric, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin


class AfterCareCase(TenantMixin, Base):
    """A death recorded through after-care, and what the record changed — kept so an
    administrator can undo a mistaken one exactly (the roster's date before, the
    concerns closed, the due items removed, the account disabled)."""

    __tablename__ = "after_care_cases"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_id"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "recorded_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    deceased_on: Mapped[date] = mapped_column(Date)
    cause: Mapped[str | None] = mapped_column(Text)
    previous_deceased_on: Mapped[date | None] = mapped_column(Date)
    """The roster's date of death before this record (an import may have had one)."""
    closed_concerns: Mapped[list[UUID]] = mapped_column(ARRAY(PgUUID(as_uuid=True)), default=list)
    """Open concerns (in hospital …) the death closed: an undo opens them again."""
    removed_due_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    """The unanswered due items the death removed (calendar, concern, 送学上门), each
    row as it was: an undo inserts them again — neither the week-ahead refresh nor the
    meetings could write them back."""
    account_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    """The person's login was disabled by this record: an undo enables it again."""
    recorded_by: Mapped[UUID] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_name: Mapped[str | None] = mapped_column(Text)
    undo_reason: Mapped[str | None] = mapped_column(Text)


class AfterCareHelp(TenantMixin, Base):
    """One piece of help given to the family: a day, what, who gave it, money if any."""

    __tablename__ = "after_care_help"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "case_id"], ["after_care_cases.tenant_id", "after_care_cases.id"]
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    case_id: Mapped[UUID] = mapped_column()
    given_on: Mapped[date] = mapped_column(Date)
    what: Mapped[str] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(Text)
    money: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    """Yuan; None when the help was not money (or not only)."""
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
