"""What the dashboard keeps itself: the getting-started steps an administrator has
declared done. (Whether an administrator hid the card is a column of `users`.)"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKeyConstraint, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin


class CheckedStep(enum.StrEnum):
    """Steps no table can show as done: only the administrator can say so."""

    ORG_TREE = "org_tree"
    POINT_RULES = "point_rules"


class SetupCheck(TenantMixin, Base):
    __tablename__ = "setup_checks"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "checked_by"], ["users.tenant_id", "users.id"]),
    )

    step: Mapped[str] = mapped_column(String(20), primary_key=True)
    checked_by: Mapped[UUID] = mapped_column()
    checked_by_name: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
