"""Platform tables: provinces and tenants. Readable by the app, written only by their flows."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CHAR, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class TenantStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(CHAR(2), primary_key=True)
    """First two digits of GB/T 2260, e.g. 37 for 山东省."""
    name: Mapped[str] = mapped_column(Text, unique=True)


class Tenant(Base):
    """A district bureau (区局)."""

    __tablename__ = "tenants"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    province_code: Mapped[str] = mapped_column(CHAR(2), ForeignKey("provinces.code"))
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(CHAR(6), unique=True)
    preset: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.PENDING)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("platform_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
