"""The person's service card: the current four knows, open concerns, the visits still
due, and the visit history — what a worker reads before knocking on the door."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound
from app.core.identity import Identity
from app.db.tenant import require_tenant
from app.grid.due import MISSED_AFTER_DAYS
from app.grid.models import Concern, Visit, VisitDueItem, VisitRule
from app.grid.scope import served_by
from app.grid.visits.service import VisitService
from app.people.models import OrgUnit, Person


@dataclass(frozen=True)
class DueItemRow:
    rule_name: str
    opens_on: Any
    due_at: datetime
    visit_id: UUID | None


@dataclass
class PersonCard:
    person: Person
    branch_name: str | None
    knows: dict[str, Any]
    concerns: list[Concern]
    due: list[DueItemRow]
    visits: list[Visit]
    extra: dict[str, Any] = field(default_factory=dict)
    """Sections other capabilities add (assignment history, service requests)."""


class PersonCardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def card(self, identity: Identity, person_id: UUID) -> PersonCard:
        session = self.session
        now = clock.now()
        visits = VisitService(session)
        person = await session.scalar(
            select(Person).where(Person.id == person_id, served_by(identity.scope))
        )
        if person is None:
            raise NotFound()
        branch = None
        if person.branch_id:
            unit = await session.get(
                OrgUnit, {"tenant_id": require_tenant(), "id": person.branch_id}
            )
            branch = unit.name if unit else None
        concerns = await session.scalars(
            select(Concern)
            .where(Concern.person_id == person_id, Concern.closed_at.is_(None))
            .order_by(Concern.noted_at)
        )
        due = await session.execute(
            select(
                VisitRule.name, VisitDueItem.opens_on, VisitDueItem.due_at, VisitDueItem.visit_id
            )
            .join(
                VisitRule,
                and_(
                    VisitRule.tenant_id == VisitDueItem.tenant_id,
                    VisitRule.id == VisitDueItem.rule_id,
                ),
            )
            .where(
                VisitDueItem.person_id == person_id,
                VisitDueItem.visit_id.is_(None),
                VisitDueItem.opens_on <= now.date(),
                VisitDueItem.due_at > now - timedelta(days=MISSED_AFTER_DAYS),
                VisitRule.enabled,
            )
            .order_by(VisitDueItem.due_at)
        )
        return PersonCard(
            person=person,
            branch_name=branch,
            knows=await visits.last_knows(person_id),
            concerns=list(concerns),
            due=[DueItemRow(*row) for row in due],
            visits=await visits.history(person_id),
        )
