"""Declarative base. Models describe tables that migrations create; never create_all."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantMixin:
    """A tenant-owned row: `tenant_id` leads the primary key; RLS guards the table."""

    tenant_id: Mapped[UUID] = mapped_column(primary_key=True)
