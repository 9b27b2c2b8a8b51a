"""When a half-year's ranking may be put up and published, and who sees which.

Points are tallied each quarter and the ranking made public each half-year, after its
tally (source 000: 每季度统计, 每半年公布). So a secretary (or the admin) puts a
branch's half-year up for objections only once the half-year has ended: members check
the whole half-year, and publishing, which closes the half-year on the ledger, cannot
cut off entries of its last days (a ranking put up on 7 December and published on the
15th would refuse every entry dated 15–31 December). A ranking put up earlier, when the
app still allowed it, is published only after its half-year ends, for the same reason.

Who sees what: the admin every publication, a secretary those of the branches they
lead, anyone else (members, grid workers) those of their own branch. Anything else
is NotFound, as another district's would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, and_, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from app.points.models import Publication, PublicationStatus, RuleSet
from app.points.periods import Kept, Period, half_of

NOT_ENDED = N_(
    "The ranking of %(period)s can be put up once the half-year has ended, from %(date)s."
)
PUBLISH_AFTER_END = N_("%(period)s ends on %(end)s; the ranking can be published after that.")


def may_manage(identity: Identity) -> bool:
    """Opening, answering and publishing are for the secretary and the admin."""
    return bool(identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})


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


# --- who is looking ------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the branches they lead and the branch they belong to."""

    identity: Identity
    person: Person | None

    @property
    def manages(self) -> ColumnElement[bool]:
        """Branches this viewer opens, answers and publishes for."""
        if not may_manage(self.identity):
            return false()
        return Publication.branch_id.in_(select(OrgUnit.id).where(units_under(self.identity.scope)))

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


async def viewer_of(session: AsyncSession, identity: Identity) -> Viewer:
    person = await session.scalar(select(Person).where(Person.user_id == identity.user_id).limit(1))
    return Viewer(identity, person)


async def publication_rows(
    session: AsyncSession, *where: ColumnElement[bool]
) -> list[PublicationRow]:
    query = (
        select(Publication, OrgUnit.name, RuleSet.version)
        .join(OrgUnit, and_(OrgUnit.tenant_id == Publication.tenant_id,
                            OrgUnit.id == Publication.branch_id))
        .join(RuleSet, and_(RuleSet.tenant_id == Publication.tenant_id,
                            RuleSet.id == Publication.rule_set_id))
        .where(*where)
    )  # fmt: skip
    rows = [PublicationRow(p, name, version) for p, name, version in await session.execute(query)]
    # Newest half-year first, its branches in unit order (第一、第二…第十二).
    rows.sort(key=lambda row: unit_sort_key(row.branch_name))
    rows.sort(key=lambda row: row.publication.period_start, reverse=True)
    return rows


async def visible(
    session: AsyncSession, viewer: Viewer, publication_id: UUID, *, manage: bool = False
) -> PublicationRow:
    """The publication if this viewer sees it (or manages it, with `manage`)."""
    condition = viewer.manages if manage else viewer.sees()
    rows = await publication_rows(session, Publication.id == publication_id, condition)
    if not rows:
        raise NotFound()
    return rows[0]


async def locked(session: AsyncSession, publication_id: UUID, *, share: bool) -> Publication:
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
