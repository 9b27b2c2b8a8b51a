"""Volunteering: teams in three levels, members, activities with each participant's
hours, photos, and issued certificates. Tables and guards:
migrations/versions/20261215_orglife_volunteering.py.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import Date, DateTime, LargeBinary, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class Level(enum.StrEnum):
    """总站 → 分站 → 专业化服务队 (source 002)."""

    STATION = "station"
    SUBSTATION = "substation"
    TEAM = "team"


LEVEL_LABELS = {
    Level.STATION: N_("Volunteer station"),
    Level.SUBSTATION: N_("Volunteer sub-station"),
    Level.TEAM: N_("Specialist service team"),
}

PARENT_LEVEL = {Level.STATION: None, Level.SUBSTATION: Level.STATION, Level.TEAM: Level.SUBSTATION}


class Specialty(enum.StrEnum):
    """A specialist team's line of service (宣讲, 慰问, 医疗 …); OTHER names its own."""

    TALKS = "talks"  # 宣讲
    CARE_VISITS = "care_visits"  # 慰问
    MEDICAL = "medical"  # 医疗
    EPIDEMIC = "epidemic"  # 疫情防控
    CIVILITY = "civility"  # 文明使者
    EMERGENCY = "emergency"  # 应急救援
    CULTURE = "culture"  # 文体
    OTHER = "other"


SPECIALTY_LABELS = {
    Specialty.TALKS: N_("Talks and lectures"),
    Specialty.CARE_VISITS: N_("Care visits"),
    Specialty.MEDICAL: N_("Medical care"),
    Specialty.EPIDEMIC: N_("Epidemic prevention"),
    Specialty.CIVILITY: N_("Civility ambassadors"),
    Specialty.EMERGENCY: N_("Emergency rescue"),
    Specialty.CULTURE: N_("Culture and sports"),
    Specialty.OTHER: N_("Other"),
}


class Target(enum.StrEnum):
    """六进: where the service went."""

    COMMUNITY = "community"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    OFFICE = "office"
    BARRACKS = "barracks"
    VILLAGE = "village"


TARGET_LABELS = {
    Target.COMMUNITY: N_("Into a community"),
    Target.ENTERPRISE: N_("Into an enterprise"),
    Target.SCHOOL: N_("Into a school"),
    Target.OFFICE: N_("Into an office"),
    Target.BARRACKS: N_("Into barracks"),
    Target.VILLAGE: N_("Into a village"),
}


class MemberRole(enum.StrEnum):
    LEADER = "leader"
    MEMBER = "member"


class Team(TenantMixin, Base):
    """A station, sub-station or specialist team; `path` holds its ancestors and itself,
    root first, so a level's totals are `path @> [team]`."""

    __tablename__ = "volunteer_teams"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    parent_id: Mapped[UUID | None] = mapped_column()
    level: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(Text)
    specialty: Mapped[str | None] = mapped_column(String(20))
    specialty_name: Mapped[str | None] = mapped_column(Text)
    """The team's own words for its line when `specialty` is OTHER."""
    path: Mapped[list[UUID]] = mapped_column(ARRAY(PgUUID(as_uuid=True)))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamMember(TenantMixin, Base):
    """A person of the district in a team (party member or not), as leader or member."""

    __tablename__ = "volunteer_members"

    team_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(8), default=MemberRole.MEMBER)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class Activity(TenantMixin, Base):
    """One service activity of a team (its id is the form's own: a retry saves once)."""

    __tablename__ = "volunteer_activities"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    team_id: Mapped[UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    """The line of service (a Specialty)."""
    target: Mapped[str] = mapped_column(String(12))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    beneficiaries: Mapped[int] = mapped_column(default=0)
    good_deeds: Mapped[int] = mapped_column(default=0)
    recorded_by: Mapped[UUID] = mapped_column()
    recorded_by_name: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    """Bumped by each correction of the participants; the participants it writes take
    it, so their points references are new (20261217_volunteer_totals)."""
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 1), default=Decimal(0))
    """Its participants' hours added up, kept with them: the district's figures sum
    activities, not every participant's row (20261217_volunteer_totals)."""


class Participation(TenantMixin, Base):
    """A participant's hours in one activity (0.5 to 24, half hours). `event_id` is the
    point event written for them (None: not scored — not a party member, exempt, no item
    feeds hours, or the caps are full); a correction reverses it, and `revision` makes
    each write's ledger reference new."""

    __tablename__ = "volunteer_hours"

    activity_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    held_on: Mapped[date] = mapped_column(Date)
    """The activity's date, kept here so a person's totals per year are one index read."""
    team_id: Mapped[UUID] = mapped_column()
    event_id: Mapped[UUID | None] = mapped_column()
    revision: Mapped[int] = mapped_column(default=1)


class ActivityPhoto(TenantMixin, Base):
    __tablename__ = "volunteer_photos"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    activity_id: Mapped[UUID] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Certificate(TenantMixin, Base):
    """A volunteer service record certificate (志愿服务记录证明) as issued: its figures are
    kept, so the public check can show whether the hours behind it changed since."""

    __tablename__ = "volunteer_certificates"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    code: Mapped[str] = mapped_column(String(16))
    """The verification code printed on it (and in its QR): random, so unique in practice
    platform-wide (the key is per district, so the table distributes by tenant)."""
    person_id: Mapped[UUID] = mapped_column()
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    activities: Mapped[int] = mapped_column()
    issued_by: Mapped[UUID] = mapped_column()
    issued_by_name: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_name: Mapped[str | None] = mapped_column(Text)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
