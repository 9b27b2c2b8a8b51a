"""Claims and awards: the two human ways onto the ledger.

A grid worker or a member claims an item for a member, with a date and evidence; the
branch secretary approves (the event is written then) or rejects with a reason. A
secretary may also award directly. Both run the ledger's checks, at the claim and
again at approval, so a claim that is over a cap, for an exempt member or under
retired rules is refused with its reason and writes nothing. Claims and awards are
kept together so the two paths cannot drift; who may claim for whom is in lists.py.

Claim and award forms carry an id made when they were shown (`app/db/form_ids.py`,
as visits and service requests do): sent again after a lost answer, the claim or the
ledger entry is saved once; an id that already names different points is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import anyio
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Identity
from app.core.photos import JPEG, evidence_jpeg
from app.core.validators import plain_text
from app.db.commit import commit_or_refuse
from app.db.form_ids import FormUsed, hold_form_id
from app.db.tenant import require_tenant
from app.i18n import N_
from app.notifications.outbox import notify
from app.people.models import Person
from app.people.scope import people_in
from app.points import ledger
from app.points.claims.forms import ClaimForm
from app.points.claims.lists import claimable, may_award
from app.points.models import Awarder, Claim, ClaimStatus, Photo, PointEvent, RuleItem, Source
from app.points.notices import claim_decided

OWN_POINTS = N_(
    "You cannot award or approve points for yourself; the district administrator does that."
)
FORM_USED = N_(
    "This form was already sent with different details, so nothing was saved. Check what "
    "you typed and send it again to make it a new entry."
)


@dataclass(frozen=True)
class SentClaim:
    claim: Claim
    repeated: bool = False
    """The same form was sent before (a retry after a lost answer): nothing new."""


@dataclass(frozen=True)
class Awarded:
    event: PointEvent
    repeated: bool = False


def claimed(claim: Claim) -> tuple[object, ...]:
    """What a claim form sent: a retry sends the same, another use of its id does not."""
    return (claim.claimed_by, claim.person_id, claim.rule_item_id, claim.occurred_on,
            claim.quantity, claim.evidence, claim.photo_id is not None)  # fmt: skip


def awarded(event: PointEvent) -> tuple[object, ...]:
    """What an award form sent (see `claimed`)."""
    return (event.recorded_by, event.source, event.person_id, event.rule_item_id,
            event.occurred_on, event.quantity, event.note)  # fmt: skip


class ClaimService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- claiming and awarding -----------------------------------------------------

    async def _entry(
        self, identity: Identity, form: ClaimForm, *, award: bool, has_photo: bool = False
    ) -> ledger.Entry:
        """The event a claim or award would write (NotFound before any other refusal);
        the ledger's checks come after the form's id is held."""
        person = await claimable(self.session, identity, form.person_id)
        if award and person.user_id == identity.user_id:
            raise Refused(OWN_POINTS)
        item = await self.session.get(RuleItem, {"tenant_id": require_tenant(), "id": form.item_id})
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
        quantity = ledger.read_quantity(form.quantity, item.unit)
        evidence = form.evidence or None
        if item.evidence_required and not (evidence or has_photo):
            raise Refused(N_("This item needs evidence: a few words or a photo."))
        return ledger.Entry(
            person, item, form.occurred_on, quantity, Source.AWARD if award else Source.CLAIM,
            evidence, id=form.form_id or uuid4(),
        )  # fmt: skip

    async def submit(self, identity: Identity, form: ClaimForm) -> SentClaim:
        await claimable(self.session, identity, form.person_id)  # not found before any input
        photo = None
        if form.photo:
            # The read so far ends here: no connection is held while the photo is decoded
            # off the event loop (a camera's 12 MB picture takes a while).
            await self.session.commit()
            jpeg = await anyio.to_thread.run_sync(evidence_jpeg, form.photo)
            photo = Photo(tenant_id=require_tenant(), content=jpeg, content_type=JPEG,
                          uploaded_by=identity.user_id)  # fmt: skip
        session = self.session
        entry = await self._entry(identity, form, award=False, has_photo=photo is not None)
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
        session = self.session
        entry = await self._entry(identity, form, award=True)
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

    async def _decidable(self, identity: Identity, claim_id: UUID) -> Claim:
        """The claim, locked, if this account may decide it (else NotFound)."""
        if not may_award(identity):
            raise NotFound()
        claim = await self.session.scalar(
            select(Claim)
            .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
            .where(Claim.id == claim_id, people_in(identity.scope))
            .with_for_update(of=Claim)
            .execution_options(populate_existing=True)  # as it is now, not as read before
        )
        if claim is None:
            raise NotFound()
        if claim.status != ClaimStatus.PENDING:
            raise Refused(N_("This claim has already been decided."))
        return claim

    async def approve(self, identity: Identity, claim_id: UUID) -> Claim:
        """Write the claim's event. Two secretaries approving at once: the row lock makes
        the second see a decided claim, and the unique claim_id on the ledger backs it."""
        session = self.session
        claim = await self._decidable(identity, claim_id)
        person = await session.get(Person, {"tenant_id": claim.tenant_id, "id": claim.person_id})
        item = await session.get(RuleItem, {"tenant_id": claim.tenant_id, "id": claim.rule_item_id})
        assert person is not None and item is not None  # foreign keys
        if person.user_id == identity.user_id:
            raise Refused(OWN_POINTS)
        # Rules activated since the claim was made score it by their item of the code.
        item = await ledger.item_in_force(session, item, claim.occurred_on)
        entry = ledger.Entry(person, item, claim.occurred_on, claim.quantity, Source.CLAIM,
                             claim.evidence, claim_id=claim.id)  # fmt: skip
        await ledger.write(session, entry, identity.actor)
        self._decide(claim, identity, ClaimStatus.APPROVED, None)
        await self._tell_claimant(claim, identity, person.name, item.name)
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
        """Reject with a reason the claimant sees (the one field of a button's form)."""
        claim = await self._decidable(identity, claim_id)
        try:
            reason = plain_text(reason)[:300]
        except FieldError as exc:
            raise Refused(exc.message) from exc
        if not reason:
            raise Refused(N_("Please give the reason for rejecting, so the claimant knows."))
        self._decide(claim, identity, ClaimStatus.REJECTED, reason)
        name = await self.session.scalar(select(Person.name).where(Person.id == claim.person_id))
        item = await self.session.scalar(
            select(RuleItem.name).where(RuleItem.id == claim.rule_item_id)
        )
        await self._tell_claimant(claim, identity, name or "", item or "")
        await record(
            self.session, identity.actor, "points.claim_decided", subject_type="person",
            subject_id=claim.person_id, subject_name=name,
            changes={"claim": str(claim.id), "decision": "rejected", "reason": reason},
        )  # fmt: skip
        await self.session.commit()
        return claim

    async def _tell_claimant(
        self, claim: Claim, identity: Identity, person: str, item: str
    ) -> None:
        """The claimant hears the decision (not a secretary deciding their own claim)."""
        if claim.claimed_by != identity.user_id:
            notice = claim_decided(claim.id, person, item, claim.occurred_on, claim.decision_reason)
            await notify(self.session, [claim.claimed_by], notice)

    @staticmethod
    def _decide(claim: Claim, identity: Identity, status: str, reason: str | None) -> None:
        claim.status = status
        claim.decided_by = identity.user_id
        claim.decided_by_name = identity.name
        claim.decided_at = clock.now()
        claim.decision_reason = reason
