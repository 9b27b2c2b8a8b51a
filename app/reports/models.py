"""A report is a row: what was asked (kind, parameters), by whom, how far its build
has got, and where its file is — so a lost job or a dead worker loses nothing the
sweep cannot start again (app.reports.running)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"
    """Done, and its file deleted when the district's keeping time ran out."""


STATUS_LABELS = {
    ReportStatus.QUEUED: N_("Waiting to start"),
    ReportStatus.RUNNING: N_("Being made"),
    ReportStatus.DONE: N_("Ready"),
    ReportStatus.FAILED: N_("Could not be made"),
    ReportStatus.EXPIRED: N_("Deleted after its keeping time"),
}
WAITING = (ReportStatus.QUEUED, ReportStatus.RUNNING)

DEFAULT_KEEP_DAYS = 7


class Report(TenantMixin, Base):
    __tablename__ = "reports"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "requested_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    kind: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    """What the kind's builder receives, checked when the report was asked for."""
    subject: Mapped[str] = mapped_column(Text)
    """What the report is about in words (a branch's or the district's name), as it was
    called when asked for: the list names reports by it."""
    requested_by: Mapped[UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(8), default=ReportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    attempt: Mapped[int] = mapped_column(SmallInteger, default=1)
    """Counts the times the build was queued: each has a job id of its own (arq keeps a
    finished job's id blocked for an hour) and only the newest may finish the row."""
    file_key: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    """Why it failed: a msgid, shown in the reader's language with `error_args`."""
    error_args: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The last time the row changed (queued, started, progressed): the sweep re-queues
    a waiting report that has not moved for a while."""
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def waiting(self) -> bool:
        return self.status in WAITING


class ReportSettings(TenantMixin, Base):
    """The district's choices about reports; no row means the defaults."""

    __tablename__ = "report_settings"

    keep_days: Mapped[int] = mapped_column(SmallInteger, default=DEFAULT_KEEP_DAYS)
    """Days a finished report's file is kept before it is deleted."""
    changed_by_name: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
