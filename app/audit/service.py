"""Recording the audit log.

Services call `record()` inside the transaction that makes the change, so an event
exists exactly when its change does. The table grants only SELECT and INSERT to the
app: history cannot be edited. This module knows no capability, so every capability
may record; reading the log in words (which names people, units and point entries)
is `log.py`, above the capabilities.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.core.identity import Actor
from app.db.tenant import require_tenant
from app.i18n import N_

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
    "roster.rows_to_fix_downloaded": N_("Rows to fix downloaded"),
    "roster.rows_to_fix_deleted": N_("Rows to fix deleted"),
    "points.reversed": N_("Points entry corrected"),
    "points.claim_decided": N_("Points claim decided"),
    "points.awarded": N_("Points awarded"),
    "points.draft_changed": N_("Draft point rules changed"),
    "points.rules_activated": N_("Point rules activated"),
    "points.publication_opened": N_("Ranking put up for objections"),
    "points.objection_answered": N_("Objection answered"),
    "points.published": N_("Ranking published"),
    "points.ledger_exported": N_("Points ledger downloaded"),
    "report.downloaded": N_("Report downloaded"),
    "grid.created": N_("Grid added"),
    "grid.changed": N_("Grid changed"),
    "grid.retired": N_("Grid retired"),
    "grid.worker_added": N_("Grid worker added to a grid"),
    "grid.worker_removed": N_("Grid worker removed from a grid"),
    "grid.people_assigned": N_("People assigned to a grid"),
    "grid.person_removed": N_("Person taken out of a grid"),
    "visit_rule.changed": N_("Must-visit rule changed"),
    "service.meeting_day_changed": N_("Meeting day changed"),
    "meeting_kind.changed": N_("Meeting kind changed"),
    "orglife.cadence_changed": N_("Thought report cadence changed"),
    "notify.gateway_set": N_("Message gateway set"),
    "notify.gateway_removed": N_("Message gateway removed"),
    "certificate.issued": N_("Volunteer service certificate issued"),
    "certificate.revoked": N_("Volunteer service certificate revoked"),
    "meeting.cancelled": N_("Meeting cancelled"),
    "meeting.attendance_corrected": N_("Attendance corrected"),
    "volunteer.team_created": N_("Volunteer team added"),
    "volunteer.team_changed": N_("Volunteer team changed"),
    "volunteer.team_retired": N_("Volunteer team retired"),
    "volunteer.member_added": N_("Volunteer joined a team"),
    "volunteer.member_left": N_("Volunteer left a team"),
    "volunteer.activity_recorded": N_("Volunteer activity recorded"),
    "volunteer.hours_corrected": N_("Volunteer hours corrected"),
    "volunteer.activity_cancelled": N_("Volunteer activity cancelled"),
    "care.gift_delivered": N_("Political birthday gift delivered"),
    "care.gifts_posted": N_("Political birthday gifts posted"),
    "care.gift_unticked": N_("Political birthday gift taken back"),
    "aid.applied": N_("Aid applied for"),
    "aid.approved": N_("Aid approved"),
    "aid.refused": N_("Aid refused"),
    "aid.paid": N_("Aid paid"),
    "aid.income_recorded": N_("Aid fund income recorded"),
    "after_care.recorded": N_("Death recorded (after-care)"),
    "after_care.help_added": N_("Help to the family recorded"),
    "after_care.undone": N_("Death record undone"),
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
