"""Claims and awards: the two human ways onto the ledger.

A grid worker or a member claims an item for a member, with a date and evidence; the
branch secretary approves (the event is written then) or rejects with a reason. A
secretary may also award directly. Both run the ledger's checks, at the claim and
again at approval, so a claim that is over a cap, for an exempt member or under
retired rules is refused with its reason and writes nothing.

Who may claim for whom: a member for themself; a grid worker for the members of
their grids; whoever leads a unit (a secretary, a group leader) for the members under
it; the district admin for everyone. Only secretaries and the admin decide claims
and award, and never for themselves.

Claim and award forms carry an id made when they were shown (`app/db/form_ids.py`,
as visits and service requests do): sent again after a lost answer, the claim or the
ledger entry is saved once; an id that already names different points is refused.

Over 400 lines: claims and awards run the same ledger checks at claim and at approval,
kept together so the two paths cannot drift; issue 12 moves the listing queries out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import anyio
from sqlalchemy import ColumnElement, and_, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Identity
from app.core.roles import Role
from app.core.scope import Scope
from app.core.validators import multiline_text, plain_text
from app.db.commit import commit_or_refuse
from app.db.form_ids import FormUsed, hold_form_id
from app.grid.scope import served_by
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.people.pinyin import looks_like_pinyin, normalise_query
from app.people.scope import people_in
from app.points import ledger
from app.points.models import (
    Awarder,
    Claim,
    ClaimStatus,
    Photo,
    PointEvent,
    RuleCategory,
    RuleItem,
    Source,
)
from app.points.periods import Kept
from app.points.photos import JPEG, evidence_jpeg
from app.points.versions import in_force, kept
from app.state import AppServices
from tenants.context import require_tenant

MAX_EVIDENCE = 500
OWN_POINTS = N_(
    "You cannot award or approve points for yourself; the district administrator does that."
)
PICK_LIMIT = 20
FORM_USED = N_(
    "This form was already sent with different details, so nothing was saved. Check what "
    "you typed and send it again to make it a new entry."
)


@dataclass(frozen=True)
class ClaimForm:
    person_id: UUID
    item_id: UUID | None
    occurred_on: str
    quantity: str
    evidence: str
    photo: bytes | None = None
    form_id: UUID | None = None
    """Made when the form was shown: the claim's (or the awarded entry's) id."""


@dataclass(frozen=True)
class SentClaim:
    claim: Claim
    repeated: bool = False
    """The same form was sent before (a retry after a lost answer): nothing new."""


@dataclass(frozen=True)
class Awarded:
    event: PointEvent
    repeated: bool = False


@dataclass(frozen=True)
class ClaimRow:
    claim: Claim
    person_name: str
    branch_name: str
    item_code: str
    item_name: str
    points: Decimal
    own: bool = False
    """A claim for the viewer themself: someone else decides it (OWN_POINTS)."""


def claim_condition(identity: Identity, scope: Scope) -> ColumnElement[bool]:
    """The people this account may claim points for."""
    if Role.TENANT_ADMIN in identity.roles:
        return true()
    own = Person.user_id == identity.user_id
    if not scope.empty:
        return served_by(scope) | own
    return own if Role.MEMBER in identity.roles else false()


def may_award(identity: Identity) -> bool:
    return bool(identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})


def claimed(claim: Claim) -> tuple[object, ...]:
    """What a claim form sent: a retry sends the same, another use of its id does not."""
    return (claim.claimed_by, claim.person_id, claim.rule_item_id, claim.occurred_on,
            claim.quantity, claim.evidence, claim.photo_id is not None)  # fmt: skip


def awarded(event: PointEvent) -> tuple[object, ...]:
    """What an award form sent (see `claimed`)."""
    return (event.recorded_by, event.source, event.person_id, event.rule_item_id,
            event.occurred_on, event.quantity, event.note)  # fmt: skip


def read_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise Refused(
            N_("Please give the date as year-month-day, for example 2026-05-01.")
        ) from exc


def read_evidence(text: str) -> str | None:
    try:
        evidence = multiline_text(text)
    except FieldError as exc:
        raise Refused(exc.message) from exc
    if len(evidence) > MAX_EVIDENCE:
        raise Refused(N_("Please keep the evidence under %(n)s characters."), n=MAX_EVIDENCE)
    return evidence or None


class ClaimService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db

    async def scope(self, session: AsyncSession, identity: Identity) -> Scope:
        return identity.scope

    # --- what the forms offer -------------------------------------------------------

    async def person_for(self, identity: Identity, person_id: UUID) -> Person:
        async with self.db.session() as session:
            return await self._person(session, identity, person_id)

    async def _person(self, session: AsyncSession, identity: Identity, person_id: UUID) -> Person:
        condition = claim_condition(identity, await self.scope(session, identity))
        person = await session.scalar(
            select(Person).where(Person.id == person_id, Person.party_member, condition)
        )
        if person is None:
            raise NotFound()
        return person

    async def pick(self, identity: Identity, query: str) -> list[tuple[Person, str]]:
        """Party members to claim for, by name or pinyin (no phone or ID search here)."""
        text = normalise_query(query)
        async with self.db.session() as session:
            condition = claim_condition(identity, await self.scope(session, identity))
            found = select(Person, OrgUnit.name).join(
                OrgUnit,
                and_(OrgUnit.tenant_id == Person.tenant_id, OrgUnit.id == Person.branch_id),
            )
            found = found.where(
                condition, Person.party_member, Person.deceased_on.is_(None), ~Person.infirm
            )
            if not text:  # before a search: oneself, when one is a party member
                found = found.where(Person.user_id == identity.user_id)
            elif looks_like_pinyin(text):
                found = found.where(Person.search_keys.like(f"%{text}%"))
            else:
                found = found.where(Person.name.contains(query.strip(), autoescape=True))
            rows = await session.execute(found.order_by(Person.sort_key).limit(PICK_LIMIT))
            return [(p, branch) for p, branch in rows]

    async def kept(self) -> Kept:
        """The days a claim may be dated in: since the district's first rules."""
        async with self.db.session() as session:
            return await kept(session)

    async def claims_for_others(self, identity: Identity) -> bool:
        """Whether this account may claim for anyone but themself (see claim_condition):
        a member claims only for themself, so their form offers no one else."""
        if Role.TENANT_ADMIN in identity.roles:
            return True
        async with self.db.session() as session:
            return not (await self.scope(session, identity)).empty

    async def own_person(self, identity: Identity) -> Person | None:
        async with self.db.session() as session:
            return await session.scalar(select(Person).where(Person.user_id == identity.user_id))

    async def items(self, identity: Identity, *, award: bool) -> list[tuple[str, list[RuleItem]]]:
        """Items of the rules in force today that this form may use, by category.

        Claims use items a grid worker may claim (and, for a member claiming for
        themself, only those that add points); awards use items a secretary awards.
        Items scored only by an automatic source are never offered.
        """
        async with self.db.session() as session:
            version = await in_force(session)
            if version is None:
                return []
            wanted = Awarder.SECRETARY if award else Awarder.GRID_WORKER
            query = (
                select(RuleCategory.name, RuleItem)
                .join(
                    RuleCategory,
                    and_(
                        RuleCategory.tenant_id == RuleItem.tenant_id,
                        RuleCategory.id == RuleItem.category_id,
                    ),
                )
                .where(RuleItem.rule_set_id == version.id, RuleItem.awarders.any_() == wanted)
                .order_by(RuleCategory.position, RuleItem.position)
            )
            if not award and not identity.roles & {Role.GRID_WORKER, Role.BRANCH_SECRETARY}:
                query = query.where(RuleItem.points > 0)
            grouped: dict[str, list[RuleItem]] = {}
            for category, item in await session.execute(query):
                grouped.setdefault(category, []).append(item)
            return list(grouped.items())

    # --- claiming and awarding -----------------------------------------------------

    async def _entry(
        self,
        session: AsyncSession,
        identity: Identity,
        form: ClaimForm,
        *,
        award: bool,
        has_photo: bool = False,
    ) -> ledger.Entry:
        """The event a claim or award would write, read from the form (NotFound before
        any input); the ledger's checks come after the form's id is held."""
        person = await self._person(session, identity, form.person_id)
        if award and person.user_id == identity.user_id:
            raise Refused(OWN_POINTS)
        if form.item_id is None:
            raise Refused(N_("Please choose an item."))
        item = await session.get(RuleItem, {"tenant_id": require_tenant(), "id": form.item_id})
        if item is None:
            raise Refused(N_("Please choose an item."))
        wanted = Awarder.SECRETARY if award else Awarder.GRID_WORKER
        if wanted not in item.awarders:
            if Awarder.AUTOMATIC in item.awarders and len(item.awarders) == 1:
                raise Refused(N_("This item is scored automatically and cannot be claimed."))
            if award:
                raise Refused(N_("This item is not one a secretary awards; it is claimed."))
            raise Refused(N_("This item is awarded by the branch secretary, not claimed."))
        if not award and item.points < 0 and person.user_id == identity.user_id:
            raise Refused(N_("Deductions are recorded by the branch secretary."))
        occurred_on = read_date(form.occurred_on)
        quantity = ledger.read_quantity(form.quantity, item.unit)
        evidence = read_evidence(form.evidence)
        if item.evidence_required and not (evidence or has_photo):
            raise Refused(N_("This item needs evidence: a few words or a photo."))
        return ledger.Entry(
            person, item, occurred_on, quantity, Source.AWARD if award else Source.CLAIM, evidence,
            id=form.form_id or uuid4(),
        )  # fmt: skip

    async def submit(self, identity: Identity, form: ClaimForm) -> SentClaim:
        await self.person_for(identity, form.person_id)  # not found before any input
        photo = None
        if form.photo:  # decoded off the event loop, before a transaction is open
            jpeg = await anyio.to_thread.run_sync(evidence_jpeg, form.photo)
            photo = Photo(tenant_id=require_tenant(), content=jpeg, content_type=JPEG,
                          uploaded_by=identity.user_id)  # fmt: skip
        async with self.db.session() as session:
            entry = await self._entry(
                session, identity, form, award=False, has_photo=photo is not None
            )
            await hold_form_id(session, "point_claims", entry.id)
            sent = await session.get(Claim, {"tenant_id": require_tenant(), "id": entry.id})
            if sent is not None:  # this form was sent before: the same claim, or refused
                if claimed(sent) != (identity.user_id, *entry.content(), photo is not None):
                    raise FormUsed(FORM_USED)
                return SentClaim(sent, repeated=True)
            await ledger.check(session, entry)
            if photo is not None:
                session.add(photo)
                await session.flush()
            claim = Claim(
                id=entry.id, tenant_id=require_tenant(), person_id=entry.person.id,
                rule_item_id=entry.item.id, occurred_on=entry.occurred_on,
                quantity=entry.quantity, evidence=entry.note,
                photo_id=photo.id if photo else None, claimed_by=identity.user_id,
                claimed_by_name=identity.name, status=ClaimStatus.PENDING,
            )  # fmt: skip
            session.add(claim)
            await session.commit()
            return SentClaim(claim)

    async def award(self, identity: Identity, form: ClaimForm) -> Awarded:
        """A secretary's direct award: on the ledger at once, the form's id its entry's.

        An award has no photo: the secretary saw it happen, and the note says what."""
        if not may_award(identity):
            raise NotFound()
        async with self.db.session() as session:
            entry = await self._entry(session, identity, form, award=True)
            await hold_form_id(session, "point_events", entry.id)
            sent = await session.get(PointEvent, {"tenant_id": require_tenant(), "id": entry.id})
            if sent is not None:  # checked before the ledger's caps, which it now fills
                if awarded(sent) != (identity.user_id, Source.AWARD, *entry.content()):
                    raise FormUsed(FORM_USED)
                return Awarded(sent, repeated=True)
            event = await ledger.write(session, entry, identity.actor)
            await record(
                session, identity.actor, "points.awarded", subject_type="person",
                subject_id=entry.person.id, subject_name=entry.person.name,
                changes={"item": entry.item.code, "points": str(event.points),
                         "occurred_on": entry.occurred_on.isoformat()},
            )  # fmt: skip
            await session.commit()
            return Awarded(event)

    # --- deciding ------------------------------------------------------------------

    async def _decidable(self, session: AsyncSession, identity: Identity, claim_id: UUID) -> Claim:
        """The claim, locked, if this account may decide it (else NotFound)."""
        if not may_award(identity):
            raise NotFound()
        scope = await self.scope(session, identity)
        claim = await session.scalar(
            select(Claim)
            .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
            .where(Claim.id == claim_id, people_in(scope))
            .with_for_update(of=Claim)
        )
        if claim is None:
            raise NotFound()
        if claim.status != ClaimStatus.PENDING:
            raise Refused(N_("This claim has already been decided."))
        return claim

    async def approve(self, identity: Identity, claim_id: UUID) -> Claim:
        """Write the claim's event. Two secretaries approving at once: the row lock makes
        the second see a decided claim, and the unique claim_id on the ledger backs it."""
        async with self.db.session() as session:
            claim = await self._decidable(session, identity, claim_id)
            person = await session.get(
                Person, {"tenant_id": claim.tenant_id, "id": claim.person_id}
            )
            item = await session.get(
                RuleItem, {"tenant_id": claim.tenant_id, "id": claim.rule_item_id}
            )
            assert person is not None and item is not None  # foreign keys
            if person.user_id == identity.user_id:
                raise Refused(OWN_POINTS)
            # Rules activated since the claim was made score it by their item of the code.
            item = await ledger.item_in_force(session, item, claim.occurred_on)
            entry = ledger.Entry(person, item, claim.occurred_on, claim.quantity, Source.CLAIM,
                                 claim.evidence, claim_id=claim.id)  # fmt: skip
            await ledger.write(session, entry, identity.actor)
            self._decide(claim, identity, ClaimStatus.APPROVED, None)
            await record(
                session, identity.actor, "points.claim_decided", subject_type="person",
                subject_id=person.id, subject_name=person.name,
                changes={"claim": str(claim.id), "decision": "approved", "item": item.code},
            )  # fmt: skip
            await commit_or_refuse(
                session,
                {"point_events_tenant_id_claim_id_key": N_("This claim has already been decided.")},
            )
            return claim

    async def reject(self, identity: Identity, claim_id: UUID, reason: str) -> Claim:
        async with self.db.session() as session:
            claim = await self._decidable(session, identity, claim_id)
            try:
                reason = plain_text(reason)[:300]
            except FieldError as exc:
                raise Refused(exc.message) from exc
            if not reason:
                raise Refused(N_("Please give the reason for rejecting, so the claimant knows."))
            self._decide(claim, identity, ClaimStatus.REJECTED, reason)
            name = await session.scalar(select(Person.name).where(Person.id == claim.person_id))
            await record(
                session, identity.actor, "points.claim_decided", subject_type="person",
                subject_id=claim.person_id, subject_name=name,
                changes={"claim": str(claim.id), "decision": "rejected", "reason": reason},
            )  # fmt: skip
            await session.commit()
            return claim

    @staticmethod
    def _decide(claim: Claim, identity: Identity, status: str, reason: str | None) -> None:
        claim.status = status
        claim.decided_by = identity.user_id
        claim.decided_by_name = identity.name
        claim.decided_at = clock.now()
        claim.decision_reason = reason

    # --- lists ---------------------------------------------------------------------

    async def waiting(self, identity: Identity) -> int:
        """How many claims wait for this secretary (or admin) to decide: not those for
        themself, which someone else decides."""
        if not may_award(identity):
            return 0
        async with self.db.session() as session:
            scope = await self.scope(session, identity)
            return (
                await session.scalar(
                    select(func.count())
                    .select_from(Claim)
                    .join(
                        Person,
                        and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id),
                    )
                    .where(
                        Claim.status == ClaimStatus.PENDING,
                        people_in(scope),
                        Person.user_id.is_distinct_from(identity.user_id),
                    )
                )
                or 0
            )

    async def to_decide(self, identity: Identity) -> list[ClaimRow]:
        """Pending claims for the people this secretary (or admin) decides, oldest first;
        one for themself is listed as theirs, to be decided by someone else."""
        if not may_award(identity):
            return []
        async with self.db.session() as session:
            scope = await self.scope(session, identity)
            return await self._rows(
                session,
                [Claim.status == ClaimStatus.PENDING, people_in(scope)],
                Claim.claimed_at.asc(),
                viewer=identity,
            )

    async def mine(self, identity: Identity, limit: int = 50) -> list[ClaimRow]:
        """Claims this account made, newest first."""
        async with self.db.session() as session:
            return await self._rows(
                session, [Claim.claimed_by == identity.user_id], Claim.claimed_at.desc(), limit
            )

    async def _rows(
        self, session: AsyncSession, where: list[Any], order: Any, limit: int = 200,
        viewer: Identity | None = None,
    ) -> list[ClaimRow]:  # fmt: skip
        query = (
            select(
                Claim,
                Person.name,
                OrgUnit.name,
                RuleItem.code,
                RuleItem.name,
                RuleItem.points,
                Person.user_id,
            )
            .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
            .join(
                RuleItem,
                and_(RuleItem.tenant_id == Claim.tenant_id, RuleItem.id == Claim.rule_item_id),
            )
            .outerjoin(
                OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id, OrgUnit.id == Person.branch_id)
            )
            .where(*where)
            .order_by(order)
            .limit(limit)
        )
        viewer_id = viewer.user_id if viewer else None
        rows = await session.execute(query)
        return [
            ClaimRow(
                claim,
                name,
                branch or "",
                code,
                item_name,
                points * claim.quantity,
                own=viewer_id is not None and user_id == viewer_id,
            )
            for claim, name, branch, code, item_name, points, user_id in rows
        ]

    async def photo(self, identity: Identity, photo_id: UUID) -> bytes:
        """A claim's photo, for the claimant and those who decide it."""
        async with self.db.session() as session:
            scope = await self.scope(session, identity)
            visible = people_in(scope) if may_award(identity) else false()
            found = await session.scalar(
                select(Photo.content)
                .join(Claim, and_(Claim.tenant_id == Photo.tenant_id, Claim.photo_id == Photo.id))
                .join(
                    Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id)
                )
                .where(Photo.id == photo_id, visible | (Claim.claimed_by == identity.user_id))
                .limit(1)
            )
        if found is None:
            raise NotFound()
        return found
