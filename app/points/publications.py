"""Publication (公示) of a branch's half-year ranking: objections, answers, the snapshot.

Points are tallied each quarter and the ranking made public each half-year, after its
tally (source 000: 每季度统计, 每半年公布). So a secretary (or the admin) puts a
branch's half-year up for objections only once the half-year has ended: members check
the whole half-year, and publishing, which closes the half-year on the ledger, cannot
cut off entries of its last days (a ranking put up on 7 December and published on the
15th would refuse every entry dated 15–31 December). A ranking put up earlier, when the
app still allowed it, is published only after its half-year ends, for the same reason.

While the ranking is up, the branch's members may object to an entry, with a reason,
until the objection window closes (`objection_days` of the rules after opening). The
secretary answers each objection; upholding one needs a correction through the ledger
— a reversing event or an awarded item — so the ledger stays the one source of points.
Until it is published the page shows the standings as the ledger has them now, so
members and the secretary see a correction at once; nothing is stored for it. After the
window, with every objection answered, publishing writes the ranking as entries and
freezes them: the database refuses any later change, and the page never moves again
whatever the ledger does.

Who sees what: the admin every publication, a secretary those of the branches they
lead, anyone else (members, grid workers) those of their own branch. Anything else
is NotFound, as another district's would be.

Over 400 lines: the half-year's states (open, objections, answers, snapshot) and their
refusals are one workflow; issue 12 splits the objections from the publication.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, and_, delete, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Identity
from app.core.roles import Role
from app.core.scope import Scope
from app.core.validators import plain_text
from app.db.commit import commit_or_refuse
from app.db.form_ids import FormUsed, hold_form_id
from app.i18n import N_
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from app.points import ledger
from app.points.models import (
    Objection,
    ObjectionStatus,
    PointEvent,
    Publication,
    PublicationEntry,
    PublicationStatus,
    RuleCategory,
    RuleItem,
    RuleSet,
    Source,
)
from app.points.periods import Kept, Period, half_of, parse_half
from app.points.standings import Ranking, branch_ranking, category_names
from app.points.tally import ZERO
from app.points.versions import active_versions, kept
from app.state import AppServices
from tenants.context import require_tenant

TENTH = Decimal("0.1")
MAX_REASON = 500
MAX_ANSWER = 500

UNIQUE_HALF = "point_publications_tenant_id_branch_id_period_start_key"
ALREADY_CORRECTED = "point_events_tenant_id_reverses_id_key"
OPENED_MEANWHILE = N_("This half-year's ranking has just been put up for this branch.")
ALREADY_OPEN = N_("The ranking of %(branch)s for %(period)s has already been put up.")
FORM_USED = N_(
    "This form was already used to send a different objection, so nothing was saved. Check "
    "what you typed and send it again to raise it as a new objection."
)


def may_manage(identity: Identity) -> bool:
    """Opening, answering and publishing are for the secretary and the admin."""
    return bool(identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})


NOT_ENDED = N_(
    "The ranking of %(period)s can be put up once the half-year has ended, from %(date)s."
)
PUBLISH_AFTER_END = N_("%(period)s ends on %(end)s; the ranking can be published after that.")


def why_not_open(half: Period, span: Kept) -> Refused | None:
    """Why this half-year's ranking cannot be put up now, or None when it can."""
    if half.end >= span.today:
        return Refused(NOT_ENDED, period=half.label, date=(half.end + timedelta(1)).isoformat())
    if span.since is None:
        return Refused(N_("No point rules were in force in %(period)s."), period=half.label)
    if not span.holds(half):
        return Refused(N_("The district's point rules start on %(date)s; %(period)s is before "
                          "that."), date=span.since.isoformat(), period=half.label)  # fmt: skip
    return None


def offered_halves(span: Kept) -> list[Period]:
    """The half-years a secretary may put up: the last two that have ended, under rules."""
    last = half_of(span.today).previous()
    return [h for h in (last, last.previous()) if why_not_open(h, span) is None]


def first_to_open(span: Kept) -> tuple[Period, date]:
    """While none may be put up yet: the first half-year that will be, and from when."""
    half = half_of(max(span.today, span.since or span.today))
    return half, half.end + timedelta(1)


def why_not_publish(publication: Publication, today: date, waiting: int) -> Refused | None:
    """Why the ranking cannot be published now, or None when it can: the page shows the
    same words in place of the button."""
    if publication.status == PublicationStatus.PUBLISHED:
        return Refused(N_("This ranking has already been published."))
    if today <= publication.period_end:
        return Refused(PUBLISH_AFTER_END, period=half_of(publication.period_start).label,
                       end=publication.period_end.isoformat())  # fmt: skip
    if today <= publication.objections_close_on:
        return Refused(
            N_("Members may object until %(date)s; the ranking can be published after that."),
            date=publication.objections_close_on.isoformat(),
        )
    if waiting:
        return Refused(
            N_("%(n)s objection(s) still wait for an answer. Please answer them first."),
            n=waiting,
        )
    return None


def read_text(raw: str, *, empty: str, limit: int) -> str:
    try:
        text = plain_text(raw)
    except FieldError as exc:
        raise Refused(exc.message) from exc
    if not text:
        raise Refused(empty)
    if len(text) > limit:
        raise Refused(N_("Please keep it under %(n)s characters."), n=limit)
    return text


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the branches they lead and the branch they belong to."""

    identity: Identity
    scope: Scope
    person: Person | None

    @property
    def manages(self) -> ColumnElement[bool]:
        """Branches this viewer opens, answers and publishes for."""
        if not may_manage(self.identity):
            return false()
        return Publication.branch_id.in_(select(OrgUnit.id).where(units_under(self.scope)))

    @property
    def own_branch(self) -> UUID | None:
        return self.person.branch_id if self.person else None

    def sees(self) -> ColumnElement[bool]:
        condition = self.manages
        if self.own_branch is not None:
            condition = condition | (Publication.branch_id == self.own_branch)
        return condition


@dataclass(frozen=True)
class PublicationRow:
    publication: Publication
    branch_name: str
    version: int

    @property
    def period(self) -> Period:
        return half_of(self.publication.period_start)

    @property
    def is_open(self) -> bool:
        return self.publication.status == PublicationStatus.OBJECTION

    @property
    def published_on(self) -> date | None:
        at = self.publication.published_at
        return at.astimezone(clock.CHINA_TIME).date() if at else None


@dataclass
class Listing:
    rows: list[PublicationRow]
    may_open: bool
    branches: list[OrgUnit]
    halves: list[Period]
    first: tuple[Period, date]
    """While no half-year may be put up: the first that will be, and from when."""


@dataclass(frozen=True)
class ObjectionRow:
    objection: Objection
    person_name: str
    correction: Decimal | None
    """Points of the correcting event of an upheld objection."""


@dataclass
class PublicationPage:
    row: PublicationRow
    base_score: Decimal | None
    categories: list[str]
    ranked: list[PublicationEntry]
    exempt: list[PublicationEntry]
    own_person_id: UUID | None
    may_manage: bool
    may_object: bool
    window_open: bool
    objections: list[ObjectionRow] = field(default_factory=list)

    @property
    def publication(self) -> Publication:
        return self.row.publication

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.objection.status == ObjectionStatus.OPEN)

    @property
    def why_not_publish(self) -> Refused | None:
        """For a manager of an open ranking: what stands in the way of publishing it."""
        return why_not_publish(self.publication, clock.today(), self.open_objections)


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


@dataclass(frozen=True)
class AnswerForm:
    decision: str
    answer: str
    correction: str = ""
    """'reverse' an event or 'award' an item, when upheld."""
    event_id: UUID | None = None
    item_id: UUID | None = None
    occurred_on: str = ""
    quantity: str = ""


def entry_rows(publication: Publication, ranking: Ranking) -> list[PublicationEntry]:
    """The ranking as entries: ranked members with their rank, the exempt without one."""
    entries = []
    for standing in [*ranking.ranked, *ranking.exempt]:
        entries.append(
            PublicationEntry(
                tenant_id=publication.tenant_id, publication_id=publication.id,
                person_id=standing.person_id, person_name=standing.name,
                rank=None if standing.exempt else standing.rank, score=standing.score,
                exempt=standing.exempt,
                categories={c: str(standing.categories.get(c, ZERO).quantize(TENTH))
                            for c in ranking.categories},
            )
        )  # fmt: skip
    return entries


class PublicationService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db

    async def _viewer(self, session: AsyncSession, identity: Identity) -> Viewer:
        scope = identity.scope
        person = await session.scalar(
            select(Person).where(Person.user_id == identity.user_id).limit(1)
        )
        return Viewer(identity, scope, person)

    async def _rows(
        self, session: AsyncSession, *where: ColumnElement[bool]
    ) -> list[PublicationRow]:
        query = (
            select(Publication, OrgUnit.name, RuleSet.version)
            .join(OrgUnit, and_(OrgUnit.tenant_id == Publication.tenant_id,
                                OrgUnit.id == Publication.branch_id))
            .join(RuleSet, and_(RuleSet.tenant_id == Publication.tenant_id,
                                RuleSet.id == Publication.rule_set_id))
            .where(*where)
        )  # fmt: skip
        rows = [
            PublicationRow(p, name, version) for p, name, version in await session.execute(query)
        ]
        # Newest half-year first, its branches in unit order (第一、第二…第十二).
        rows.sort(key=lambda row: unit_sort_key(row.branch_name))
        rows.sort(key=lambda row: row.publication.period_start, reverse=True)
        return rows

    async def _visible(
        self, session: AsyncSession, viewer: Viewer, publication_id: UUID, *, manage: bool = False
    ) -> PublicationRow:
        """The publication if this viewer sees it (or manages it, with `manage`)."""
        condition = viewer.manages if manage else viewer.sees()
        rows = await self._rows(session, Publication.id == publication_id, condition)
        if not rows:
            raise NotFound()
        return rows[0]

    async def _lock(
        self, session: AsyncSession, publication_id: UUID, *, share: bool
    ) -> Publication:
        """Lock the publication and read it again: objections and answers take a shared
        lock, publishing an exclusive one, so publishing waits for them and sees them."""
        publication = await session.scalar(
            select(Publication)
            .where(Publication.id == publication_id)
            .with_for_update(read=share)
            .execution_options(populate_existing=True)
        )
        assert publication is not None  # the caller found it visible
        return publication

    async def _branches(self, session: AsyncSession, viewer: Viewer) -> list[OrgUnit]:
        if not may_manage(viewer.identity):
            return []
        found = await session.scalars(
            select(OrgUnit).where(
                OrgUnit.kind == UnitKind.BRANCH,
                OrgUnit.retired_at.is_(None),
                units_under(viewer.scope),
            )
        )
        return sorted(found, key=lambda unit: unit_sort_key(unit.name))

    # --- the list and opening ------------------------------------------------------

    async def listing(self, identity: Identity) -> Listing:
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            branches = await self._branches(session, viewer)
            span = await kept(session)
            return Listing(
                rows=await self._rows(session, viewer.sees()),
                may_open=bool(branches),
                branches=branches,
                halves=offered_halves(span),
                first=first_to_open(span),
            )

    async def open(self, identity: Identity, branch_id: UUID | None, half_key: str) -> Publication:
        """Put a branch's half-year ranking up for objections, once the half-year is over.

        Nothing of the ranking is stored now: its page and the objections read the
        ledger as it stands until publishing writes the entries."""
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            branch = next(
                (b for b in await self._branches(session, viewer) if b.id == branch_id), None
            )
            if branch is None:
                raise Refused(N_("Please choose one of your branches."))
            half = parse_half(half_key)
            if half is None:
                raise Refused(N_("Please choose a half-year."))
            span = await kept(session)
            refusal = why_not_open(half, span)
            if refusal is not None:
                raise refusal
            if await session.scalar(
                select(Publication.id).where(
                    Publication.branch_id == branch.id, Publication.period_start == half.start
                )
            ):
                raise Refused(ALREADY_OPEN, branch=branch.name, period=half.label)
            ranking = await branch_ranking(session, branch.id, half)
            rule_set = ranking.rule_set
            if rule_set is None:
                raise Refused(N_("No point rules were in force in %(period)s."), period=half.label)
            publication = Publication(
                tenant_id=require_tenant(), branch_id=branch.id, period_start=half.start,
                period_end=half.end, rule_set_id=rule_set.id, status=PublicationStatus.OBJECTION,
                objections_close_on=span.today + timedelta(days=rule_set.objection_days),
                opened_by=identity.user_id, opened_by_name=identity.name,
            )  # fmt: skip
            session.add(publication)
            await record(
                session, identity.actor, "points.publication_opened", subject_type="unit",
                subject_id=branch.id, subject_name=branch.name,
                changes={"period": half.key, "entries": len(ranking.ranked) + len(ranking.exempt),
                         "closes": publication.objections_close_on.isoformat()},
            )  # fmt: skip
            await commit_or_refuse(session, {UNIQUE_HALF: OPENED_MEANWHILE})
            return publication

    # --- one publication -----------------------------------------------------------

    async def page(self, identity: Identity, publication_id: UUID) -> PublicationPage:
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            row = await self._visible(session, viewer, publication_id)
            publication = row.publication
            manages = bool(
                await session.scalar(
                    select(Publication.id).where(Publication.id == publication.id, viewer.manages)
                )
            )
            if row.is_open:  # the ledger as it stands: corrections show at once
                ranking = await branch_ranking(session, publication.branch_id, row.period)
                rule_set = ranking.rule_set
                entries = entry_rows(publication, ranking)
                if rule_set is not None:
                    row = replace(row, version=rule_set.version)
            else:  # the snapshot taken when it was published, whatever the ledger says
                rule_set = await session.get(
                    RuleSet, {"tenant_id": publication.tenant_id, "id": publication.rule_set_id}
                )
                entries = list(
                    await session.scalars(
                        select(PublicationEntry)
                        .where(PublicationEntry.publication_id == publication.id)
                        .order_by(PublicationEntry.rank.nulls_last(), PublicationEntry.person_name)
                    )
                )
            objections = select(Objection, PointEvent.points, Person.name).outerjoin(
                PointEvent,
                and_(PointEvent.tenant_id == Objection.tenant_id,
                     PointEvent.id == Objection.event_id),
            ).join(Person, and_(Person.tenant_id == Objection.tenant_id,
                                Person.id == Objection.person_id),
            ).where(Objection.publication_id == publication.id)  # fmt: skip
            if not manages:
                objections = objections.where(Objection.raised_by == identity.user_id)
            found = await session.execute(objections.order_by(Objection.raised_at))
            window_open = row.is_open and clock.today() <= publication.objections_close_on
            member = viewer.person is not None and viewer.own_branch == publication.branch_id
            return PublicationPage(
                row=row,
                base_score=rule_set.base_score if rule_set else None,
                categories=await category_names(session, rule_set),
                ranked=[e for e in entries if not e.exempt],
                exempt=[e for e in entries if e.exempt],
                own_person_id=viewer.person.id if viewer.person else None,
                may_manage=manages,
                may_object=window_open and member and not manages,
                window_open=window_open,
                objections=[ObjectionRow(o, name, points) for o, points, name in found],
            )

    async def object(
        self, identity: Identity, publication_id: UUID, person_id: UUID | None, reason: str,
        form_id: UUID | None = None,
    ) -> Objection:  # fmt: skip
        """A member of the branch objects to an entry, with a reason, during the window.

        `form_id`, made when the form was shown, becomes the objection's id: sent again
        after a lost answer, it is raised once (see app/db/form_ids.py)."""
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            row = await self._visible(session, viewer, publication_id)
            publication = await self._lock(session, publication_id, share=True)
            if viewer.person is None or viewer.own_branch != publication.branch_id:
                raise Refused(N_("Only members of this branch can raise an objection."))
            if await session.scalar(
                select(Publication.id).where(Publication.id == publication.id, viewer.manages)
            ):
                raise Refused(N_("You answer this branch's objections; please correct the "
                                 "entry on the ledger instead."))  # fmt: skip
            text = read_text(
                reason, empty=N_("Please write what you think is wrong."), limit=MAX_REASON
            )
            form_id = form_id or uuid4()
            await hold_form_id(session, "point_objections", form_id)
            sent = await session.get(Objection, {"tenant_id": publication.tenant_id, "id": form_id})
            if sent is not None:  # this form was sent before: the same objection, or refused
                if (sent.raised_by, sent.publication_id, sent.person_id, sent.reason) != (
                    identity.user_id, publication.id, person_id, text
                ):  # fmt: skip
                    raise FormUsed(FORM_USED)
                return sent
            if not row.is_open or clock.today() > publication.objections_close_on:
                raise Refused(
                    N_("The time for objections ended on %(date)s."),
                    date=publication.objections_close_on.isoformat(),
                )
            # The names the page offers: the ranking as it stands (see page()).
            ranking = await branch_ranking(session, publication.branch_id, row.period)
            if person_id not in {s.person_id for s in [*ranking.ranked, *ranking.exempt]}:
                raise Refused(N_("Please choose a name from the ranking."))
            objection = Objection(
                id=form_id, tenant_id=publication.tenant_id, publication_id=publication.id,
                person_id=person_id, raised_by=identity.user_id,
                raised_by_name=identity.name, reason=text, status=ObjectionStatus.OPEN,
            )  # fmt: skip
            session.add(objection)
            await session.commit()
            return objection

    # --- answering -----------------------------------------------------------------

    async def _objection(
        self, session: AsyncSession, viewer: Viewer, publication_id: UUID, objection_id: UUID,
        *, lock: bool = False,
    ) -> tuple[PublicationRow, Objection]:  # fmt: skip
        row = await self._visible(session, viewer, publication_id, manage=True)
        query = select(Objection).where(
            Objection.id == objection_id, Objection.publication_id == row.publication.id
        )
        if lock:
            await self._lock(session, publication_id, share=True)
            query = query.with_for_update()
        objection = await session.scalar(query)
        if objection is None:
            raise NotFound()
        return row, objection

    async def _events(
        self, session: AsyncSession, person_id: UUID, period: Period
    ) -> list[EventChoice]:
        """The member's events of the half-year that a correction may reverse."""
        reversal = aliased(PointEvent)
        rows = await session.execute(
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

    async def _item_groups(
        self, session: AsyncSession, period: Period
    ) -> list[tuple[str, list[RuleItem]]]:
        """Items of every version in force during the half-year, by category."""
        versions = []
        ends_after = None
        for version in await active_versions(session):  # newest start first
            assert version.effective_from is not None
            if version.effective_from <= period.end and (
                ends_after is None or ends_after > period.start
            ):
                versions.append(version)
            ends_after = version.effective_from
        several = len(versions) > 1
        groups: list[tuple[str, list[RuleItem]]] = []
        for version in reversed(versions):
            rows = await session.execute(
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
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            row, objection = await self._objection(session, viewer, publication_id, objection_id)
            name = await session.scalar(select(Person.name).where(Person.id == objection.person_id))
            span = await kept(session)
            return AnswerPage(
                row=row,
                objection=objection,
                person_name=name or "",
                events=await self._events(session, objection.person_id, row.period),
                item_groups=await self._item_groups(session, row.period),
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
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            row, objection = await self._objection(
                session, viewer, publication_id, objection_id, lock=True
            )
            if objection.status != ObjectionStatus.OPEN or not row.is_open:
                raise Refused(N_("This objection has already been answered."))
            if form.decision not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
                raise Refused(N_("Please choose whether the objection is upheld or rejected."))
            answer = read_text(
                form.answer, empty=N_("Please write your answer to the member."), limit=MAX_ANSWER
            )
            event = None
            if form.decision == ObjectionStatus.UPHELD:
                event = await self._correct(session, identity, row.period, objection, form, answer)
            objection.status = form.decision
            objection.answer = answer
            objection.answered_by = identity.user_id
            objection.answered_by_name = identity.name
            objection.answered_at = clock.now()
            objection.event_id = event.id if event else None
            name = await session.scalar(select(Person.name).where(Person.id == objection.person_id))
            await record(
                session, identity.actor, "points.objection_answered", subject_type="person",
                subject_id=objection.person_id, subject_name=name,
                changes={"objection": str(objection.id), "decision": form.decision,
                         "answer": answer, "event": str(event.id) if event else None},
            )  # fmt: skip
            await commit_or_refuse(
                session, {ALREADY_CORRECTED: N_("This entry has already been corrected.")}
            )
            return objection

    async def _correct(
        self, session: AsyncSession, identity: Identity, period: Period, objection: Objection,
        form: AnswerForm, answer: str,
    ) -> PointEvent:  # fmt: skip
        """The correcting event of an upheld objection: a reversal or an award."""
        if form.correction == "reverse":
            choices = await self._events(session, objection.person_id, period)
            chosen = next((c.event for c in choices if c.event.id == form.event_id), None)
            if chosen is None:
                raise Refused(N_("Please choose the entry to cancel from the list."))
            return await ledger.reverse(session, chosen, answer, identity.actor)
        if form.correction == "award":
            person = await session.get(
                Person, {"tenant_id": objection.tenant_id, "id": objection.person_id}
            )
            item = None
            if form.item_id is not None:
                item = await session.get(
                    RuleItem, {"tenant_id": objection.tenant_id, "id": form.item_id}
                )
            if person is None or item is None:
                raise Refused(N_("Please choose an item."))
            try:
                day = date.fromisoformat(form.occurred_on.strip())
            except ValueError as exc:
                raise Refused(
                    N_("Please give the date as year-month-day, for example 2026-05-01.")
                ) from exc
            if not period.contains(day):
                span = await kept(session)
                raise Refused(
                    N_("The date must be within %(period)s (%(start)s to %(end)s)."),
                    period=period.label, start=span.first_day_in(period).isoformat(),
                    end=span.last_day_in(period).isoformat(),
                )  # fmt: skip
            quantity = ledger.read_quantity(form.quantity, item.unit)
            event = await ledger.write(
                session, ledger.Entry(person, item, day, quantity, Source.AWARD, answer),
                identity.actor,
            )  # fmt: skip
            await record(
                session, identity.actor, "points.awarded", subject_type="person",
                subject_id=person.id, subject_name=person.name,
                changes={"item": item.code, "points": str(event.points),
                         "occurred_on": day.isoformat(), "objection": str(objection.id)},
            )  # fmt: skip
            return event
        raise Refused(
            N_("An upheld objection needs a correction: cancel an entry or award an item.")
        )

    # --- publishing ----------------------------------------------------------------

    async def publish(self, identity: Identity, publication_id: UUID) -> Publication:
        """Recompute the entries (so upheld corrections count) and freeze them."""
        async with self.db.session() as session:
            viewer = await self._viewer(session, identity)
            row = await self._visible(session, viewer, publication_id, manage=True)
            publication = await self._lock(session, publication_id, share=False)
            waiting = await session.scalar(
                select(func.count()).where(
                    Objection.publication_id == publication.id,
                    Objection.status == ObjectionStatus.OPEN,
                )
            )
            refusal = why_not_publish(publication, clock.today(), waiting or 0)
            if refusal is not None:
                raise refusal
            ranking = await branch_ranking(session, publication.branch_id, row.period)
            assert ranking.rule_set is not None  # there were rules when it was opened
            # Entries an earlier version wrote at opening: the ranking now is the one.
            await session.execute(
                delete(PublicationEntry).where(PublicationEntry.publication_id == publication.id)
            )
            entries = entry_rows(publication, ranking)
            session.add_all(entries)
            await session.flush()  # the entries before the status that freezes them
            publication.rule_set_id = ranking.rule_set.id
            publication.status = PublicationStatus.PUBLISHED
            publication.published_at = clock.now()
            publication.published_by = identity.user_id
            publication.published_by_name = identity.name
            await record(
                session, identity.actor, "points.published", subject_type="unit",
                subject_id=publication.branch_id, subject_name=row.branch_name,
                changes={"period": row.period.key, "entries": len(entries),
                         "rule_version": ranking.rule_set.version},
            )  # fmt: skip
            await session.commit()
            return publication
