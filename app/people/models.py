"""Organisation and roster: the org tree, the district's people, roster imports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantMixin
from app.i18n import N_


class UnitKind(enum.StrEnum):
    CENTER = "center"
    SUBCENTER = "subcenter"
    BRANCH = "branch"
    GROUP = "group"


# Which kinds may sit under which: center → sub-center → branch → party group; a
# branch may also hang directly under the center.
CHILD_KINDS: dict[UnitKind, tuple[UnitKind, ...]] = {
    UnitKind.CENTER: (UnitKind.SUBCENTER, UnitKind.BRANCH),
    UnitKind.SUBCENTER: (UnitKind.BRANCH,),
    UnitKind.BRANCH: (UnitKind.GROUP,),
    UnitKind.GROUP: (),
}

UNIT_KIND_LABELS = {
    UnitKind.CENTER: N_("Center"),
    UnitKind.SUBCENTER: N_("Sub-center"),
    UnitKind.BRANCH: N_("Party branch"),
    UnitKind.GROUP: N_("Party group"),
}

LEADER_LABELS = {
    UnitKind.CENTER: N_("Head"),
    UnitKind.SUBCENTER: N_("Head"),
    UnitKind.BRANCH: N_("Secretary"),
    UnitKind.GROUP: N_("Group leader"),
}


class Category(enum.StrEnum):
    MILITARY_RETIREE = "military_retiree"
    RETIRED_CADRE = "retired_cadre"
    VETERAN = "veteran"
    STAFF_MEMBER = "staff_member"


CATEGORY_LABELS = {
    Category.MILITARY_RETIREE: N_("Retired military cadre"),
    Category.RETIRED_CADRE: N_("Retired cadre"),
    Category.VETERAN: N_("Veteran"),
    Category.STAFF_MEMBER: N_("Serving party member"),
}

GENDER_LABELS = {"male": N_("Male"), "female": N_("Female")}

IMPORT_STATUS_LABELS = {
    "uploaded": N_("Waiting to be checked"),
    "checking": N_("Being checked"),
    "checked": N_("Checked, not imported yet"),
    "failed": N_("Could not be read"),
    "committing": N_("Being imported"),
    "committed": N_("Imported"),
    "discarded": N_("Discarded"),
}

OUTCOME_LABELS = {
    "new": N_("New person"),
    "update": N_("Updates a person"),
    "same": N_("Already up to date"),
    "error": N_("Not imported"),
}


class OrgUnit(TenantMixin, Base):
    __tablename__ = "org_units"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "leader_person_id"],
            ["people.tenant_id", "people.id"],
            use_alter=True,
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    parent_id: Mapped[UUID | None] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    path: Mapped[list[UUID]] = mapped_column(ARRAY(PgUUID(as_uuid=True)))
    """Ancestors and the unit itself, root first: a subtree is `path @> [unit]`."""
    leader_person_id: Mapped[UUID | None] = mapped_column()
    """书记 of a branch, 负责人 of a (sub-)center, 组长 of a group: their data scope."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Person(TenantMixin, Base):
    __tablename__ = "people"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "branch_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "group_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(Text)
    search_keys: Mapped[str] = mapped_column(Text)
    """Pinyin and initials (`zhangjianguo zjg`), kept in step with the name."""
    sort_key: Mapped[str] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(6))
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_day_known: Mapped[bool] = mapped_column(Boolean, default=True)
    """False when the roster gave only year and month (出生年月); the date holds day 1."""
    category: Mapped[str] = mapped_column(String(20))
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    party_joined_on: Mapped[date | None] = mapped_column(Date)
    party_joined_day_known: Mapped[bool] = mapped_column(Boolean, default=True)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """AES-GCM under the current key (app.people.crypto); never stored in clear."""
    id_number_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    """Keyed hash of the ID number: finds a person by ID without decrypting."""
    id_tail: Mapped[str | None] = mapped_column(String(4))
    """The last four characters, which the masked form shows anyway: search by ID tail."""
    phone: Mapped[str | None] = mapped_column(String(20))
    """A mobile's 11 digits, a landline as 0532-82861234, or a local number (82861234)."""
    address: Mapped[str | None] = mapped_column(Text)
    branch_id: Mapped[UUID | None] = mapped_column()
    group_id: Mapped[UUID | None] = mapped_column()
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    infirm: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased_on: Mapped[date | None] = mapped_column(Date)
    married_on: Mapped[date | None] = mapped_column(Date)
    """For golden and diamond wedding anniversaries; not before the 16th birthday."""
    health_notes: Mapped[str | None] = mapped_column(Text)
    family_contact_name: Mapped[str | None] = mapped_column(Text)
    family_contact_phone: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class DuplicateDismissal(TenantMixin, Base):
    """An admin's verdict that two look-alike people are different people."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "person_a"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "person_b"], ["people.tenant_id", "people.id"]),
        ForeignKeyConstraint(["tenant_id", "dismissed_by"], ["users.tenant_id", "users.id"]),
    )

    person_a: Mapped[UUID] = mapped_column(primary_key=True)
    person_b: Mapped[UUID] = mapped_column(primary_key=True)
    dismissed_by: Mapped[UUID] = mapped_column()
    dismissed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    CHECKING = "checking"
    CHECKED = "checked"
    FAILED = "failed"
    COMMITTING = "committing"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class RosterImport(TenantMixin, Base):
    __tablename__ = "roster_imports"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "uploaded_by"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "committed_by"], ["users.tenant_id", "users.id"]),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    filename: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[UUID] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    status: Mapped[str] = mapped_column(String(12), default=ImportStatus.UPLOADED)
    default_category: Mapped[str | None] = mapped_column(String(20))
    file_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The upload, encrypted like ID numbers (it holds them); dropped once checked."""
    error: Mapped[str | None] = mapped_column(Text)
    error_args: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    commit_mode: Mapped[str | None] = mapped_column(String(4))
    committed_by: Mapped[UUID | None] = mapped_column()
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """When the job of its current step was last queued (a stuck one is queued again)."""


class ImportRow(TenantMixin, Base):
    """One line of an import's dry run: what it will become, or why it cannot."""

    __tablename__ = "roster_import_rows"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "import_id"],
            ["roster_imports.tenant_id", "roster_imports.id"],
            ondelete="CASCADE",
        ),
    )

    import_id: Mapped[UUID] = mapped_column(primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8))
    person_id: Mapped[UUID | None] = mapped_column()
    name: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    """What refuses the row: field, column as the file names it, message, args."""
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    """Contact values the row is imported without, in the same shape."""
    suspects: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    infirm_sign: Mapped[str | None] = mapped_column(Text)
    """The health note's words that propose the infirm flag (卧床)…"""
    infirm_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    """…and whether the admin confirmed it: only then does the commit set the flag."""
    cells_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """A row with problems or warnings: its cells as the file had them, encrypted; the
    only rows a commit keeps (app.people.imports.problems)."""
