"""Reading points: the district's tally, a branch's ranking, a member's explained
points and the branch ledger (台账) — each within the viewer's data scope.

Admins see every branch, secretaries the branches they lead, a member their own
points. Anything outside is NotFound, as another district's would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Identity
from app.core.roles import Role
from app.core.validators import plain_text
from app.db.commit import commit_or_refuse
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import people_in, units_under
from app.points import ledger
from app.points.models import PointEvent, Publication, RuleCategory, RuleItem, RuleSet
from app.points.periods import Kept, Period, quarter_of
from app.points.publications.states import PublicationRow
from app.points.rules.versions import kept
from app.points.standings import Ranking, Standing, branch_ranking, rankings
from app.points.tally import ZERO, Line, counted, quarter_caps


@dataclass(frozen=True)
class BranchSummary:
    id: UUID
    name: str
    ranked: int
    exempt: int
    average: Decimal | None
    top_name: str | None
    top_score: Decimal | None


@dataclass(frozen=True)
class ExplainedEvent:
    event: PointEvent
    code: str
    item: str
    category: str
    version: int
    counted: Decimal
    reversed_by: PointEvent | None

    @property
    def capped(self) -> bool:
        return self.counted != self.event.points


@dataclass
class MemberPoints:
    person: Person
    branch: str
    year: int
    years: list[int]
    """The years one may choose: since the district's first rules."""
    events: list[ExplainedEvent]
    quarters: dict[Period, Decimal]
    """Counted points per quarter of the year, for the quarters under the rules so far."""

    @property
    def total(self) -> Decimal:
        return sum(self.quarters.values(), ZERO)


@dataclass(frozen=True)
class LedgerLine:
    event: PointEvent
    person_name: str
    code: str
    item: str
    category: str
    version: int


Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def with_rules(query: Query) -> Query:
    """Events joined to the item that scored them, its category and its version."""
    return (
        query.join(RuleItem, and_(RuleItem.tenant_id == PointEvent.tenant_id,
                                  RuleItem.id == PointEvent.rule_item_id))
        .join(RuleCategory, and_(RuleCategory.tenant_id == RuleItem.tenant_id,
                                 RuleCategory.id == RuleItem.category_id))
        .join(RuleSet, and_(RuleSet.tenant_id == RuleItem.tenant_id,
                            RuleSet.id == RuleItem.rule_set_id))
    )  # fmt: skip


async def ledger_lines(session: AsyncSession, branch_id: UUID, period: Period) -> list[LedgerLine]:
    """A branch's events of the period in date order, corrections included: the ledger
    page and the ledger report (which checked who asked when it was asked for)."""
    rows = await session.execute(
        with_rules(select(PointEvent, Person.name, RuleItem.code, RuleItem.name,
                          RuleCategory.name, RuleSet.version))
        .join(Person, and_(Person.tenant_id == PointEvent.tenant_id,
                           Person.id == PointEvent.person_id))
        .where(PointEvent.branch_id == branch_id,
               PointEvent.occurred_on.between(period.start, period.end))
        .order_by(PointEvent.occurred_on, Person.sort_key, PointEvent.recorded_at)
    )  # fmt: skip
    return [LedgerLine(*row) for row in rows]


class PointsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _branch(self, identity: Identity, unit_id: UUID) -> OrgUnit:
        """A branch the viewer may see the ranking and ledger of."""
        if Role.TENANT_ADMIN not in identity.roles and Role.BRANCH_SECRETARY not in identity.roles:
            raise NotFound()
        unit = await self.session.scalar(
            select(OrgUnit).where(
                OrgUnit.id == unit_id, OrgUnit.kind == UnitKind.BRANCH, units_under(identity.scope)
            )
        )
        if unit is None:
            raise NotFound()
        return unit

    # --- the district and its branches --------------------------------------------

    async def kept(self) -> Kept:
        """The span a period picker offers: since the district's first rules."""
        return await kept(self.session)

    async def summaries(self, identity: Identity, period: Period) -> list[BranchSummary]:
        """One line per branch the viewer sees: how many ranked, the average, the top."""
        session = self.session
        scope = identity.scope
        units = (
            await session.execute(
                select(OrgUnit.id, OrgUnit.name).where(
                    OrgUnit.kind == UnitKind.BRANCH,
                    OrgUnit.retired_at.is_(None),
                    units_under(scope),
                )
            )
        ).all()
        units = sorted(units, key=lambda unit: unit_sort_key(unit[1]))
        if not units:
            return []
        wanted = None if scope.everyone else [unit_id for unit_id, _ in units]
        found = await rankings(session, period, branch_ids=wanted)
        result = []
        for unit_id, name in units:
            ranking = found.get(unit_id)
            ranked = ranking.ranked if ranking else []
            top = ranked[0] if ranked else None
            average = sum((s.score for s in ranked), ZERO) / len(ranked) if ranked else None
            result.append(
                BranchSummary(
                    unit_id, name, len(ranked), len(ranking.exempt) if ranking else 0,
                    average.quantize(Decimal("0.1")) if average is not None else None,
                    top.name if top else None, top.score if top else None,
                )
            )  # fmt: skip
        return result

    async def ranking(
        self, identity: Identity, unit_id: UUID, period: Period
    ) -> tuple[OrgUnit, Ranking]:
        unit = await self._branch(identity, unit_id)
        return unit, await branch_ranking(self.session, unit.id, period)

    # --- one member ----------------------------------------------------------------

    async def _visible_person(self, identity: Identity, person_id: UUID) -> Person:
        """A member's points are seen by the member, their secretary and the admin."""
        leads = (
            people_in(identity.scope)
            if identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY}
            else None
        )
        condition = Person.user_id == identity.user_id
        if leads is not None:
            condition = condition | leads
        person = await self.session.scalar(select(Person).where(Person.id == person_id, condition))
        if person is None:
            raise NotFound()
        return person

    async def own_person_id(self, identity: Identity) -> UUID | None:
        return await self.session.scalar(
            select(Person.id).where(Person.user_id == identity.user_id)
        )

    async def member(self, identity: Identity, person_id: UUID, year: int) -> MemberPoints:
        """Every event of the member's year, with what it counted for after caps (this
        year's when `year` is before the district's first rules or after today)."""
        session = self.session
        person = await self._visible_person(identity, person_id)
        span = await kept(session)
        years = span.years()
        year = year if year in years else span.today.year
        branch = await session.scalar(
            select(OrgUnit.name).where(OrgUnit.id == person.branch_id)
        ) if person.branch_id else None  # fmt: skip
        reversal = aliased(PointEvent)
        rows = (
            await session.execute(
                with_rules(select(PointEvent, RuleItem, RuleCategory.name, RuleSet.version,
                                  reversal))
                .outerjoin(reversal, and_(reversal.tenant_id == PointEvent.tenant_id,
                                          reversal.reverses_id == PointEvent.id))
                .where(
                    PointEvent.person_id == person.id,
                    PointEvent.occurred_on >= date(year, 1, 1),
                    PointEvent.occurred_on <= date(year, 12, 31),
                )
                .order_by(PointEvent.occurred_on, PointEvent.recorded_at, PointEvent.id)
            )
        ).all()  # fmt: skip
        lines = quarter_caps(
            [
                (Line(i.code, e.occurred_on, e.points, ledger.caps_of(i)), v)
                for e, i, _, v, _ in rows
            ]
        )
        events = [
            ExplainedEvent(event, item.code, item.name, category, version, count, reversed_by)
            for (event, item, category, version, reversed_by), count in zip(
                rows, counted(lines), strict=True
            )
        ]
        quarters = {q: ZERO for q in span.quarters_in(year)}
        for explained in events:
            quarters[quarter_of(explained.event.occurred_on)] += explained.counted
        events.reverse()  # newest first on the page
        return MemberPoints(person, branch or "", year, years, events, quarters)

    async def person_of_event(self, identity: Identity, event_id: UUID) -> UUID:
        session = self.session
        person_id = await session.scalar(
            select(PointEvent.person_id).where(PointEvent.id == event_id)
        )
        if person_id is None:
            raise NotFound()
        return (await self._visible_person(identity, person_id)).id

    async def reverse(
        self, identity: Identity, event_id: UUID, reason: str
    ) -> tuple[UUID, Decimal]:
        """Correct an event by a reversing one; the secretary of the member or the admin."""
        if not identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY}:
            raise NotFound()
        session = self.session
        event = await session.scalar(
            select(PointEvent)
            .join(Person, and_(Person.tenant_id == PointEvent.tenant_id,
                               Person.id == PointEvent.person_id))
            .where(PointEvent.id == event_id, people_in(identity.scope))
        )  # fmt: skip
        if event is None:
            raise NotFound()
        try:
            reason = plain_text(reason)[:300]
        except FieldError as exc:
            raise Refused(exc.message) from exc
        correction = await ledger.reverse(session, event, reason, identity.actor)
        await commit_or_refuse(session, ledger.CORRECTED_TWICE)
        return event.person_id, correction.points

    # --- the ledger (台账) ----------------------------------------------------------

    async def ledger(
        self, identity: Identity, unit_id: UUID, period: Period
    ) -> tuple[OrgUnit, list[LedgerLine]]:
        """The branch's events of the period in date order (corrections included)."""
        unit = await self._branch(identity, unit_id)
        return unit, await ledger_lines(self.session, unit.id, period)

    # --- a member's own home --------------------------------------------------------

    async def own_standing(self, identity: Identity, period: Period) -> OwnStanding | None:
        """The logged-in member's figures for their home: their place in their branch's
        ranking of `period` (the ranking itself, so the figures are the ranking page's)
        and the branch's latest half-year ranking put up. None when the account is
        linked to no person."""
        session = self.session
        found = (
            await session.execute(
                select(Person.id, Person.branch_id, OrgUnit.name)
                .outerjoin(OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id,
                                         OrgUnit.id == Person.branch_id))
                .where(Person.user_id == identity.user_id)
            )
        ).first()  # fmt: skip
        if found is None:
            return None
        person_id, branch_id, branch_name = found
        if branch_id is None:
            return OwnStanding(person_id, None, period)
        ranking = await branch_ranking(session, branch_id, period)
        standing = next(
            (s for s in [*ranking.ranked, *ranking.exempt] if s.person_id == person_id), None
        )
        latest = (
            await session.execute(
                select(Publication, RuleSet.version)
                .join(RuleSet, and_(RuleSet.tenant_id == Publication.tenant_id,
                                    RuleSet.id == Publication.rule_set_id))
                .where(Publication.branch_id == branch_id)
                .order_by(Publication.period_start.desc())
                .limit(1)
            )
        ).first()  # fmt: skip
        return OwnStanding(
            person_id, branch_name, period, standing, len(ranking.ranked),
            ranking.rule_set.base_score if ranking.rule_set else None,
            PublicationRow(latest[0], branch_name, latest[1]) if latest else None,
        )  # fmt: skip


@dataclass(frozen=True)
class OwnStanding:
    """A member's own figures for the period, as their branch's ranking has them."""

    person_id: UUID
    branch_name: str | None
    period: Period
    standing: Standing | None = None
    """None when the person is not scored (not a living party member in a branch)."""
    ranked: int = 0
    """How many of the branch's members are ranked."""
    base_score: Decimal | None = None
    publication: PublicationRow | None = None
    """The branch's latest half-year ranking, up for objections or published."""
