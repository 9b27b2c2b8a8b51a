"""Possible duplicates: people the roster may hold twice, for the administrator to
check, correct, or mark as different people. Nothing is merged by itself."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.service import record
from app.core.errors import NotFound
from app.core.identity import Actor
from app.core.scope import Scope
from app.db.tenant import require_tenant
from app.people.models import DuplicateDismissal, Person
from app.people.roster.service import person_within
from app.people.scope import people_in


class DuplicateService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def possible_duplicates(self, scope: Scope) -> list[tuple[Person, Person]]:
        """Pairs with the same name and a birth date that agrees as far as both are known
        (1949年10月 and 1949-10-20 agree), whose ID numbers differ or are missing, not yet
        reviewed as different people."""
        other = aliased(Person)
        dismissed = (
            select(DuplicateDismissal.person_a)
            .where(
                DuplicateDismissal.person_a == Person.id, DuplicateDismissal.person_b == other.id
            )
            .exists()
        )
        query = (
            select(Person, other)
            .join(
                other,
                and_(
                    other.tenant_id == Person.tenant_id,
                    other.name == Person.name,
                    func.date_trunc("month", other.birth_date)
                    == func.date_trunc("month", Person.birth_date),
                    or_(
                        other.birth_date == Person.birth_date,
                        ~other.birth_day_known,
                        ~Person.birth_day_known,
                    ),
                    other.id > Person.id,
                ),
            )
            .where(
                Person.id_number_index.is_distinct_from(other.id_number_index)
                | Person.id_number_index.is_(None),
                ~dismissed,
                people_in(scope),
                other.id.in_(select(Person.id).where(people_in(scope))),
            )
            .order_by(Person.sort_key)
            .limit(500)
        )
        return [(row[0], row[1]) for row in await self.session.execute(query)]

    async def dismiss(self, scope: Scope, first: UUID, second: UUID, actor: Actor) -> None:
        """Mark two people as different: they are no longer proposed as a pair."""
        a, b = sorted((first, second))
        one = await person_within(self.session, scope, a)
        two = await person_within(self.session, scope, b)
        if one.id == two.id:
            raise NotFound()
        self.session.add(
            DuplicateDismissal(
                tenant_id=require_tenant(), person_a=a, person_b=b, dismissed_by=actor.id
            )
        )
        await record(
            self.session,
            actor,
            "person.not_duplicate",
            subject_type="person",
            subject_id=a,
            subject_name=one.name,
            changes={"different_from": [None, str(b)]},
        )
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()  # reviewed twice at once: the first verdict stands
