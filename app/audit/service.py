"""Recording and reading the audit log.

Services call `record()` inside the transaction that makes the change, so an event
exists exactly when its change does. The table grants only SELECT and INSERT to the
app: history cannot be edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.names import find_names
from app.audit.words import SUBJECT_LABELS, Line, Names, describe
from app.db import Database
from app.i18n import N_, _
from tenants.context import require_tenant


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user, platform staff, a signup applicant, or the system."""

    kind: str
    name: str
    id: UUID | None = None


SYSTEM = Actor("system", "系统")

# Labels for the audit page; the action codes are stable identifiers. What each
# action's details say is in words.py.
ACTION_LABELS = {
    "tenant.signed_up": N_("Signed up"),
    "tenant.approved": N_("Signup approved"),
    "tenant.rejected": N_("Signup rejected"),
    "account.invited": N_("Invited"),
    "invitation.revoked": N_("Invitation withdrawn"),
    "account.created": N_("Account created from an invitation"),
    "account.disabled": N_("Account disabled"),
    "account.enabled": N_("Account enabled"),
    "account.roles_changed": N_("Roles changed"),
    "password.reset_link": N_("Password reset link issued"),
    "password.reset": N_("Password set by reset link"),
    "password.changed": N_("Password changed"),
    "org.unit_created": N_("Unit added"),
    "org.unit_renamed": N_("Unit renamed"),
    "org.unit_moved": N_("Unit moved"),
    "org.unit_retired": N_("Unit retired"),
    "org.leader_set": N_("Leader named"),
    "person.created": N_("Person added"),
    "person.updated": N_("Person changed"),
    "person.account_linked": N_("Login account linked"),
    "person.not_duplicate": N_("Marked as not a duplicate"),
    "people.exported": N_("Roster downloaded"),
    "roster.imported": N_("Roster imported"),
    "points.reversed": N_("Points entry corrected"),
    "points.claim_decided": N_("Points claim decided"),
    "points.awarded": N_("Points awarded"),
    "points.draft_changed": N_("Draft point rules changed"),
    "points.rules_activated": N_("Point rules activated"),
    "points.publication_opened": N_("Ranking put up for objections"),
    "points.objection_answered": N_("Objection answered"),
    "points.published": N_("Ranking published"),
    "points.ledger_exported": N_("Points ledger downloaded"),
    "grid.created": N_("Grid added"),
    "grid.changed": N_("Grid changed"),
    "grid.retired": N_("Grid retired"),
    "grid.worker_added": N_("Grid worker added to a grid"),
    "grid.worker_removed": N_("Grid worker removed from a grid"),
    "grid.people_assigned": N_("People assigned to a grid"),
    "grid.person_removed": N_("Person taken out of a grid"),
    "visit_rule.changed": N_("Must-visit rule changed"),
    "service.meeting_day_changed": N_("Meeting day changed"),
}
OTHER_CHANGE = N_("Other change")  # an action of a newer version of the app


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    subject_type: str,
    subject_id: UUID | None = None,
    subject_name: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an event to the current tenant's log, in the caller's transaction."""
    tenant_id = require_tenant()
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEvent(
            tenant_id=tenant_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_name=subject_name,
            changes=changes or {},
        )
    )


@dataclass(frozen=True)
class AuditRow:
    """An event as the log shows it: in words (see words.py), ids already named."""

    at: datetime
    actor_name: str
    action: str
    subject_type: str
    subject_name: str | None
    changes: dict[str, Any]
    names: Names = field(default_factory=Names, repr=False)

    @property
    def what(self) -> str:
        return _(ACTION_LABELS.get(self.action, OTHER_CHANGE))

    @property
    def concerning(self) -> str:
        if self.subject_name:
            return self.subject_name
        label = SUBJECT_LABELS.get(self.subject_type)
        return _(label) if label else ""

    @property
    def lines(self) -> list[Line]:
        return describe(self.action, self.changes, self.names)


async def latest_events(
    db: Database, limit: int = 200, subject_id: UUID | None = None
) -> list[AuditRow]:
    """The newest events of the district, or of one subject (an account, a person, a
    unit), with the ids their details mention named."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    async with db.session() as session:
        events = (await session.scalars(query)).all()
        names = await find_names(session, events)
    rows = []
    for e in events:
        subject = e.subject_name or _subject_name(e, names)
        rows.append(AuditRow(e.at, e.actor_name, e.action, e.subject_type, subject,
                             e.changes or {}, names))  # fmt: skip
    return rows


def _subject_name(event: AuditEvent, names: Names) -> str | None:
    """The name of a subject recorded by id only (a person, before names were kept)."""
    if event.subject_id is None:
        return None
    found = {"person": names.people, "org_unit": names.units}.get(event.subject_type, {})
    return found.get(str(event.subject_id))
