"""Publication (公示) of a branch's half-year ranking: putting it up, its page, and
publishing it.

While the ranking is up, the branch's members may object to an entry (objections.py).
Until it is published the page shows the standings as the ledger has them now, so
members and the secretary see a correction at once; nothing is stored for it. After
the window, with every objection answered, publishing writes the ranking as entries
and freezes them: the database refuses any later change, and the page never moves
again whatever the ledger does. When each step may be taken, and who sees which
publication, is in states.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.audit.service import record
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.db.commit import commit_or_refuse
from app.db.tenant import require_tenant
from app.i18n import N_
from app.notifications.outbox import notify
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from app.points.models import (
    Objection,
    ObjectionStatus,
    PointEvent,
    Publication,
    PublicationEntry,
    PublicationStatus,
    RuleSet,
)
from app.points.notices import ranking_published, ranking_put_up
from app.points.periods import Period, parse_half
from app.points.publications.states import (
    PublicationRow,
    Viewer,
    first_to_open,
    locked,
    may_manage,
    offered_halves,
    publication_rows,
    viewer_of,
    visible,
    why_not_open,
    why_not_publish,
)
from app.points.rules.versions import kept
from app.points.standings import Ranking, branch_ranking, category_names
from app.points.tally import ZERO

TENTH = Decimal("0.1")
UNIQUE_HALF = "point_publications_tenant_id_branch_id_period_start_key"
OPENED_MEANWHILE = N_("This half-year's ranking has just been put up for this branch.")
ALREADY_OPEN = N_("The ranking of %(branch)s for %(period)s has already been put up.")


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


async def branch_accounts(session: AsyncSession, branch_id: UUID, identity: Identity) -> list[UUID]:
    """The branch's living members with an active account, told when its ranking is put
    up and published (not whoever did it)."""
    found = await session.scalars(
        select(User.id)
        .join(Person, and_(Person.tenant_id == User.tenant_id, Person.user_id == User.id))
        .where(
            Person.branch_id == branch_id,
            Person.deceased_on.is_(None),
            User.is_active,
            User.id != identity.user_id,
        )
    )
    return list(found)


class PublicationService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _branches(self, viewer: Viewer) -> list[OrgUnit]:
        if not may_manage(viewer.identity):
            return []
        found = await self.session.scalars(
            select(OrgUnit).where(
                OrgUnit.kind == UnitKind.BRANCH,
                OrgUnit.retired_at.is_(None),
                units_under(viewer.identity.scope),
            )
        )
        return sorted(found, key=lambda unit: unit_sort_key(unit.name))

    # --- the list and opening ------------------------------------------------------

    async def listing(self, identity: Identity) -> Listing:
        viewer = await viewer_of(self.session, identity)
        branches = await self._branches(viewer)
        span = await kept(self.session)
        return Listing(
            rows=await publication_rows(self.session, viewer.sees()),
            may_open=bool(branches),
            branches=branches,
            halves=offered_halves(span),
            first=first_to_open(span),
        )

    async def open(self, identity: Identity, branch_id: UUID | None, half_key: str) -> Publication:
        """Put a branch's half-year ranking up for objections, once the half-year is over.

        Nothing of the ranking is stored now: its page and the objections read the
        ledger as it stands until publishing writes the entries."""
        session = self.session
        viewer = await viewer_of(session, identity)
        branch = next((b for b in await self._branches(viewer) if b.id == branch_id), None)
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
        await session.flush()
        notice = ranking_put_up(publication.id, branch.name, half, publication.objections_close_on)
        await notify(session, await branch_accounts(session, branch.id, identity), notice)
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
        session = self.session
        viewer = await viewer_of(session, identity)
        row = await visible(session, viewer, publication_id)
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

    # --- publishing ----------------------------------------------------------------

    async def publish(self, identity: Identity, publication_id: UUID) -> Publication:
        """Recompute the entries (so upheld corrections count) and freeze them."""
        session = self.session
        viewer = await viewer_of(session, identity)
        row = await visible(session, viewer, publication_id, manage=True)
        publication = await locked(session, publication_id, share=False)
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
        notice = ranking_published(publication.id, row.branch_name, row.period)
        await notify(
            session, await branch_accounts(session, publication.branch_id, identity), notice
        )
        await record(
            session, identity.actor, "points.published", subject_type="unit",
            subject_id=publication.branch_id, subject_name=row.branch_name,
            changes={"period": row.period.key, "entries": len(entries),
                     "rule_version": ranking.rule_set.version},
        )  # fmt: skip
        await session.commit()
        return publication
