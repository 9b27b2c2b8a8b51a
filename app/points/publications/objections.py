"""Objections to a half-year's ranking while it is up, and the secretary's answers.

The branch's members may object to an entry, with a reason, until the objection
window closes (`objection_days` of the rules after opening). The secretary answers
each objection; upholding one needs a correction through the ledger — a reversing
event or an awarded item — so the ledger stays the one source of points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.db.commit import commit_or_refuse
from app.db.form_ids import FormUsed, hold_form_id
from app.i18n import N_
from app.notifications.outbox import notify
from app.people.models import Person
from app.points import ledger
from app.points.forms import DAY_FORMAT
from app.points.models import (
    Objection,
    ObjectionStatus,
    PointEvent,
    Publication,
    RuleCategory,
    RuleItem,
    Source,
)
from app.points.notices import objection_answered
from app.points.periods import Period
from app.points.publications.forms import AnswerForm
from app.points.publications.states import PublicationRow, Viewer, locked, viewer_of, visible
from app.points.rules.versions import active_versions, kept
from app.points.standings import branch_ranking

FORM_USED = N_(
    "This form was already used to send a different objection, so nothing was saved. Check "
    "what you typed and send it again to raise it as a new objection."
)


@dataclass(frozen=True)
class EventChoice:
    event: PointEvent
    code: str
    item: str


@dataclass
class AnswerPage:
    row: PublicationRow
    objection: Objection
    person_name: str
    events: list[EventChoice]
    item_groups: list[tuple[str, list[RuleItem]]]
    first_day: date
    last_day: date
    """The days a missing item may be dated: the half-year's, under rules, not after today."""


class ObjectionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def object(
        self, identity: Identity, publication_id: UUID, person_id: UUID | None, reason: str,
        form_id: UUID | None = None,
    ) -> Objection:  # fmt: skip
        """A member of the branch objects to an entry, with a reason (as the objection form
        gives it: forms.parse_objection), during the window.

        `form_id`, made when the form was shown, becomes the objection's id: sent again
        after a lost answer, it is raised once (see app/db/form_ids.py)."""
        session = self.session
        viewer = await viewer_of(session, identity)
        row = await visible(session, viewer, publication_id)
        publication = await locked(session, publication_id, share=True)
        if viewer.person is None or viewer.own_branch != publication.branch_id:
            raise Refused(N_("Only members of this branch can raise an objection."))
        if await session.scalar(
            select(Publication.id).where(Publication.id == publication.id, viewer.manages)
        ):
            raise Refused(N_("You answer this branch's objections; please correct the "
                             "entry on the ledger instead."))  # fmt: skip
        form_id = form_id or uuid4()
        await hold_form_id(session, "point_objections", form_id)
        sent = await session.get(Objection, {"tenant_id": publication.tenant_id, "id": form_id})
        if sent is not None:  # this form was sent before: the same objection, or refused
            if (sent.raised_by, sent.publication_id, sent.person_id, sent.reason) != (
                identity.user_id, publication.id, person_id, reason
            ):  # fmt: skip
                raise FormUsed(FORM_USED)
            return sent
        if not row.is_open or clock.today() > publication.objections_close_on:
            raise Refused(
                N_("The time for objections ended on %(date)s."),
                date=publication.objections_close_on.isoformat(),
            )
        # The names the page offers: the ranking as it stands (see PublicationService.page).
        ranking = await branch_ranking(session, publication.branch_id, row.period)
        if person_id not in {s.person_id for s in [*ranking.ranked, *ranking.exempt]}:
            raise Refused(N_("Please choose a name from the ranking."))
        objection = Objection(
            id=form_id, tenant_id=publication.tenant_id, publication_id=publication.id,
            person_id=person_id, raised_by=identity.user_id,
            raised_by_name=identity.name, reason=reason, status=ObjectionStatus.OPEN,
        )  # fmt: skip
        session.add(objection)
        await session.commit()
        return objection

    # --- answering -----------------------------------------------------------------

    async def _objection(
        self, viewer: Viewer, publication_id: UUID, objection_id: UUID, *, lock: bool = False
    ) -> tuple[PublicationRow, Objection]:
        row = await visible(self.session, viewer, publication_id, manage=True)
        query = select(Objection).where(
            Objection.id == objection_id, Objection.publication_id == row.publication.id
        )
        if lock:
            await locked(self.session, publication_id, share=True)
            query = query.with_for_update().execution_options(populate_existing=True)
        objection = await self.session.scalar(query)
        if objection is None:
            raise NotFound()
        return row, objection

    async def _events(self, person_id: UUID, period: Period) -> list[EventChoice]:
        """The member's events of the half-year that a correction may reverse."""
        reversal = aliased(PointEvent)
        rows = await self.session.execute(
            select(PointEvent, RuleItem.code, RuleItem.name)
            .join(RuleItem, and_(RuleItem.tenant_id == PointEvent.tenant_id,
                                 RuleItem.id == PointEvent.rule_item_id))
            .outerjoin(reversal, and_(reversal.tenant_id == PointEvent.tenant_id,
                                      reversal.reverses_id == PointEvent.id))
            .where(
                PointEvent.person_id == person_id,
                PointEvent.occurred_on.between(period.start, period.end),
                PointEvent.source != Source.REVERSAL,
                reversal.id.is_(None),
            )
            .order_by(PointEvent.occurred_on, PointEvent.recorded_at)
        )  # fmt: skip
        return [EventChoice(event, code, name) for event, code, name in rows]

    async def _item_groups(self, period: Period) -> list[tuple[str, list[RuleItem]]]:
        """Items of every version in force during the half-year, by category."""
        versions = []
        ends_after = None
        for version in await active_versions(self.session):  # newest start first
            assert version.effective_from is not None
            if version.effective_from <= period.end and (
                ends_after is None or ends_after > period.start
            ):
                versions.append(version)
            ends_after = version.effective_from
        several = len(versions) > 1
        groups: list[tuple[str, list[RuleItem]]] = []
        for version in reversed(versions):
            rows = await self.session.execute(
                select(RuleCategory.name, RuleItem)
                .join(RuleCategory, and_(RuleCategory.tenant_id == RuleItem.tenant_id,
                                         RuleCategory.id == RuleItem.category_id))
                .where(RuleItem.rule_set_id == version.id)
                .order_by(RuleCategory.position, RuleItem.position)
            )  # fmt: skip
            by_category: dict[str, list[RuleItem]] = {}
            for category, item in rows:
                label = f"{category}（v{version.version}）" if several else category
                by_category.setdefault(label, []).append(item)
            groups.extend(by_category.items())
        return groups

    async def answer_page(
        self, identity: Identity, publication_id: UUID, objection_id: UUID
    ) -> AnswerPage:
        viewer = await viewer_of(self.session, identity)
        row, objection = await self._objection(viewer, publication_id, objection_id)
        name = await self.session.scalar(
            select(Person.name).where(Person.id == objection.person_id)
        )
        span = await kept(self.session)
        return AnswerPage(
            row=row,
            objection=objection,
            person_name=name or "",
            events=await self._events(objection.person_id, row.period),
            item_groups=await self._item_groups(row.period),
            first_day=span.first_day_in(row.period),
            last_day=span.last_day_in(row.period),
        )

    async def answer(
        self, identity: Identity, publication_id: UUID, objection_id: UUID, form: AnswerForm
    ) -> Objection:
        """Uphold (with a correction on the ledger) or reject (with the reason shown).

        The objection row is locked and its status checked again, so of two answers
        given at once the second finds it answered.
        """
        session = self.session
        viewer = await viewer_of(session, identity)
        row, objection = await self._objection(viewer, publication_id, objection_id, lock=True)
        if objection.status != ObjectionStatus.OPEN or not row.is_open:
            raise Refused(N_("This objection has already been answered."))
        event = None
        if form.decision == ObjectionStatus.UPHELD:
            event = await self._correct(identity, row.period, objection, form)
        objection.status = form.decision
        objection.answer = form.answer
        objection.answered_by = identity.user_id
        objection.answered_by_name = identity.name
        objection.answered_at = clock.now()
        objection.event_id = event.id if event else None
        name = await session.scalar(select(Person.name).where(Person.id == objection.person_id))
        notice = objection_answered(
            objection.id, publication_id, name or "", form.decision == ObjectionStatus.UPHELD,
            form.answer,
        )  # fmt: skip
        await notify(session, [objection.raised_by], notice)
        await record(
            session, identity.actor, "points.objection_answered", subject_type="person",
            subject_id=objection.person_id, subject_name=name,
            changes={"objection": str(objection.id), "decision": form.decision,
                     "answer": form.answer, "event": str(event.id) if event else None},
        )  # fmt: skip
        await commit_or_refuse(session, ledger.CORRECTED_TWICE)
        return objection

    async def _correct(
        self, identity: Identity, period: Period, objection: Objection, form: AnswerForm
    ) -> PointEvent:
        """The correcting event of an upheld objection: a reversal or an award."""
        session = self.session
        if form.correction == "reverse":
            choices = await self._events(objection.person_id, period)
            chosen = next((c.event for c in choices if c.event.id == form.event_id), None)
            if chosen is None:
                raise Refused(N_("Please choose the entry to cancel from the list."))
            return await ledger.reverse(session, chosen, form.answer, identity.actor)
        if form.correction != "award":
            raise Refused(
                N_("An upheld objection needs a correction: cancel an entry or award an item.")
            )
        person = await session.get(
            Person, {"tenant_id": objection.tenant_id, "id": objection.person_id}
        )
        item = None
        if form.item_id is not None:
            item = await session.get(RuleItem, {"tenant_id": objection.tenant_id,
                                                "id": form.item_id})  # fmt: skip
        if person is None or item is None:
            raise Refused(N_("Please choose an item."))
        if form.occurred_on is None:  # the form always gives one (forms.parse_answer)
            raise Refused(DAY_FORMAT)
        day = form.occurred_on
        if not period.contains(day):
            span = await kept(session)
            raise Refused(
                N_("The date must be within %(period)s (%(start)s to %(end)s)."),
                period=period.label, start=span.first_day_in(period).isoformat(),
                end=span.last_day_in(period).isoformat(),
            )  # fmt: skip
        quantity = ledger.read_quantity(form.quantity, item.unit)
        event = await ledger.write(
            session, ledger.Entry(person, item, day, quantity, Source.AWARD, form.answer),
            identity.actor,
        )  # fmt: skip
        await record(
            session, identity.actor, "points.awarded", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"item": item.code, "points": str(event.points),
                     "occurred_on": day.isoformat(), "objection": str(objection.id)},
        )  # fmt: skip
        return event
