"""The outbox: a notice's row (which is also its inbox item), its deliveries to the
outside channels, each account's choices and each district's gateways.

Rows with no tenant belong to the platform's own accounts (operators, provincial
viewers); the shared RLS policy shows them only to a transaction with no tenant.
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Text, Time, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    tenant_id: Mapped[UUID | None] = mapped_column()
    recipient_id: Mapped[UUID] = mapped_column()
    """A district account (users.id) or a platform account (platform_users.id)."""
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(Text)
    """Unique per recipient: the same notice decided twice is written once."""
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text, default="")
    """A path in the app (the thing the notice is about)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """One notice to one outside channel: worked by the worker until sent or failed."""

    __tablename__ = "notification_deliveries"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    tenant_id: Mapped[UUID | None] = mapped_column()
    notification_id: Mapped[UUID] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    """The email address or mobile number, as it was when the notice was written."""
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """Not before: now, the end of quiet hours, or the next retry."""
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NoticePreference(Base):
    """An account's choices: outside channels per kind of notice, quiet hours, email."""

    __tablename__ = "notice_preferences"

    account_id: Mapped[UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[UUID | None] = mapped_column()
    email: Mapped[str | None] = mapped_column(Text)
    quiet_start: Mapped[time] = mapped_column(Time, default=time(22))
    quiet_end: Mapped[time] = mapped_column(Time, default=time(7))
    channels: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    """kind → the outside channels chosen; a kind not listed keeps its defaults."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChannelEndpoint(Base):
    """A district's (or, with no tenant, the platform's) SMS or WeChat gateway: a
    webhook URL and the secret that signs its requests."""

    __tablename__ = "channel_endpoints"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    tenant_id: Mapped[UUID | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    """Encrypted like ID numbers (app.core.crypto)."""
    updated_by: Mapped[UUID] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
