"""Organisational life: the meeting kinds a district owes, meetings, attendance, files,
thought reports. Tables and guards: migrations/versions/20261215_orglife_volunteering.py.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Boolean, Date, DateTime, LargeBinary, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class Frequency(enum.StrEnum):
    """How often a branch owes a meeting of a kind (NONE: held when needed)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    NONE = "none"


PER_YEAR = {
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.YEARLY: 1,
    Frequency.NONE: 0,
}

FREQUENCY_LABELS = {
    Frequency.MONTHLY: N_("Every month"),
    Frequency.QUARTERLY: N_("Every quarter"),
    Frequency.HALF_YEARLY: N_("Every half year"),
    Frequency.YEARLY: N_("Every year"),
    Frequency.NONE: N_("When needed"),
}


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: N_("Planned"),
    MeetingStatus.HELD: N_("Held"),
    MeetingStatus.CANCELLED: N_("Cancelled"),
}


class Presence(enum.StrEnum):
    """How a member took part in a meeting."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    ONLINE = "online"
    """Mobile members (流动党员) who joined from afar."""
    HOME_STUDY = "home_study"
    """送学上门: the material was taken to the member's home, on `home_study_on`."""


ATTENDED = (Presence.PRESENT, Presence.ONLINE, Presence.HOME_STUDY)
"""Took part: these score the meeting kind's feed."""

PRESENCE_LABELS = {
    Presence.PRESENT: N_("Present"),
    Presence.ABSENT: N_("Absent"),
    Presence.EXCUSED: N_("Excused"),
    Presence.ONLINE: N_("Online"),
    Presence.HOME_STUDY: N_("Studied at home"),
}


class ReportChannel(enum.StrEnum):
    WECHAT = "wechat"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    ONLINE = "online"


REPORT_CHANNEL_LABELS = {
    ReportChannel.WECHAT: N_("WeChat"),
    ReportChannel.PHONE: N_("Phone"),
    ReportChannel.LETTER: N_("Letter"),
    ReportChannel.IN_PERSON: N_("In person"),
    ReportChannel.ONLINE: N_("Online platform"),
}


class MeetingKind(TenantMixin, Base):
    """A kind of meeting the district's branches hold, and how often each owes one.

    Written from the preset (app/presets/orglife/) when the district is created; the
    admin tunes the name, frequency and whether it is used. `code` is a
    app.points.feeds.MeetingKindCode: the rule set scores attendance by it."""

    __tablename__ = "meeting_kinds"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    frequency: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class OrgLifeSettings(TenantMixin, Base):
    """The district's cadence of mobile members' thought reports."""

    __tablename__ = "orglife_settings"

    thought_report_months: Mapped[int] = mapped_column(SmallInteger, default=3)
    changed_by_name: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Meeting(TenantMixin, Base):
    """A meeting of a branch (or of one of its party groups): planned, then held."""

    __tablename__ = "meetings"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    branch_id: Mapped[UUID] = mapped_column()
    group_id: Mapped[UUID | None] = mapped_column()
    """A party group's meeting (党小组会): its members are the ones expected."""
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(Text)
    host_name: Mapped[str | None] = mapped_column(Text)
    recorder_name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.PLANNED)
    held_on: Mapped[date | None] = mapped_column(Date)
    minutes: Mapped[str | None] = mapped_column(Text)
    planned_by: Mapped[UUID] = mapped_column()
    planned_by_name: Mapped[str] = mapped_column(Text)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[UUID | None] = mapped_column()
    recorded_by_name: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MeetingFile(TenantMixin, Base):
    """A photo (re-encoded, EXIF stripped) or an attachment of a held meeting."""

    __tablename__ = "meeting_files"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    meeting_id: Mapped[UUID] = mapped_column()
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column()
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Attendance(TenantMixin, Base):
    """One member at one meeting (one row each: the primary key refuses a second).

    `event_id` is the point event this attendance wrote (None: nothing scored — exempt,
    excused, or no item feeds the kind); a correction reverses it and writes anew, and
    `revision` makes each write's ledger reference new."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    presence: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    home_study_on: Mapped[date | None] = mapped_column(Date)
    home_study_by_name: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[UUID | None] = mapped_column()
    revision: Mapped[int] = mapped_column(SmallInteger, default=1)
    recorded_by: Mapped[UUID] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ThoughtReport(TenantMixin, Base):
    """A mobile member's periodic thought report (思想汇报), as the branch received it."""

    __tablename__ = "thought_reports"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    person_id: Mapped[UUID] = mapped_column()
    reported_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[UUID | None] = mapped_column()
    recorded_by: Mapped[UUID] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
