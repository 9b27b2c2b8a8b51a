"""Reading the audit log in words: the district's page, a person's, a unit's and an
account's history. It names the people, units and point entries the events mention
(names.py) and words their details (words.py), so it sits above the capabilities;
recording is service.py, which knows none of them.
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
from app.audit.service import ACTION_LABELS, OTHER_CHANGE
from app.audit.words import SUBJECT_LABELS, Line, Names, describe
from app.i18n import _


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
    session: AsyncSession, limit: int = 200, subject_id: UUID | None = None
) -> list[AuditRow]:
    """The newest events of the district, or of one subject (an account, a person, a
    unit), with the ids their details mention named."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
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
