"""Platform tables: provinces and tenants. Readable by the app, written only by their flows."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CHAR, DateTime, ForeignKey, String, Text, func, insert
from sqlalchemy.ext.asyncio import AsyncSession
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
    slug: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(CHAR(6))
    """Unique among signups that were not rejected (a partial unique index)."""
    preset: Mapped[str] = mapped_column(String(60))
    applicant_name: Mapped[str] = mapped_column(Text)
    applicant_phone: Mapped[str] = mapped_column(String(11))
    """Who applied, so the approver can check the application is genuine."""
    status: Mapped[str] = mapped_column(String(16), server_default=TenantStatus.PENDING)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("platform_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def insert_signup(
    session: AsyncSession,
    *,
    tenant_id: UUID,
    province_code: str,
    name: str,
    slug: str,
    region_code: str,
    preset: str,
    applicant_name: str,
    applicant_phone: str,
) -> None:
    """A new, pending tenant. Only these columns may be written by the app; the
    status and decision columns change through decide_signup() alone."""
    await session.execute(
        insert(Tenant).values(
            id=tenant_id,
            province_code=province_code,
            name=name,
            slug=slug,
            region_code=region_code,
            preset=preset,
            applicant_name=applicant_name,
            applicant_phone=applicant_phone,
        )
    )
