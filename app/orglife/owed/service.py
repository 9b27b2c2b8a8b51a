"""Meetings owed per branch: this year's held and planned meetings per kind, read from
the `meetings` table (held counts in the year of `held_on`; planned shows as planned in
the year it starts; cancelled counts nowhere), against what each kind's frequency asks
(app.orglife.owed.periods). Branches are those of the user's scope: the admin's every
branch, a secretary's their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.pagination import Page, page_within
from app.db.tenant import require_tenant
from app.orglife.kinds.service import meeting_kinds
from app.orglife.models import Frequency, Meeting, MeetingKind, MeetingStatus
from app.orglife.owed.periods import due_by, kept, owed_in_year
from app.people.models import OrgUnit
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from tenants.models import Tenant

BRANCH = "branch"
PAGE_SIZE = 20
SORTS = ("shortfall", "overdue", "name")


@dataclass(frozen=True)
class KindCount:
    code: str
    name: str
    frequency: str
    owed: int
    """Owed in the whole year (pro rata in the district's first year)."""
    due: int
    """Of those, the periods already ended."""
    held: int
    planned: int
    kept: int = 0
    """Owed periods with a meeting held in them."""
    kept_due: int = 0
    """Of those, the periods already ended."""

    @property
    def shortfall(self) -> int:
        """Still to hold this year: owed periods without a meeting."""
        return max(0, self.owed - self.kept)

    @property
    def overdue(self) -> int:
        """Behind: periods ended without a meeting held in them."""
        return max(0, self.due - self.kept_due)


@dataclass
class BranchOwed:
    id: UUID
    name: str
    kinds: list[KindCount] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return sum(k.shortfall for k in self.kinds)

    @property
    def overdue(self) -> int:
        return sum(k.overdue for k in self.kinds)

    @property
    def short(self) -> list[KindCount]:
        return [k for k in self.kinds if k.shortfall]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return (datetime.combine(date(year, 1, 1), time(), clock.CHINA_TIME),
            datetime.combine(date(year + 1, 1, 1), time(), clock.CHINA_TIME))  # fmt: skip


class OwedService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def branches(self, identity: Identity) -> list[OrgUnit]:
        """The branches in this user's scope, by name."""
        found = await self.session.scalars(
            select(OrgUnit).where(
                OrgUnit.kind == BRANCH, OrgUnit.retired_at.is_(None), units_under(identity.scope)
            )
        )
        return sorted(found, key=lambda unit: unit_sort_key(unit.name))  # 第二 before 第十

    async def branch(self, identity: Identity, branch_id: UUID) -> OrgUnit:
        """One branch of the user's scope (another's, or no branch: NotFound)."""
        unit = await self.session.scalar(
            select(OrgUnit).where(
                OrgUnit.id == branch_id, OrgUnit.kind == BRANCH, units_under(identity.scope)
            )
        )
        if unit is None:
            raise NotFound()
        return unit

    async def started(self) -> date:
        """When the district started: its approval (or signup), China time."""
        when = await self.session.scalar(
            select(func.coalesce(Tenant.decided_at, Tenant.created_at)).where(
                Tenant.id == require_tenant()
            )
        )
        return when.astimezone(clock.CHINA_TIME).date() if when else date(1900, 1, 1)

    async def owed(self, branches: Sequence[OrgUnit], year: int) -> list[BranchOwed]:
        """Each branch's counts per kind in use that a frequency makes owed, in `year`."""
        kinds = [k for k in await meeting_kinds(self.session, enabled_only=True)
                 if k.frequency != Frequency.NONE]  # fmt: skip
        counts = await self._counts([b.id for b in branches], year)
        started, today = await self.started(), clock.today()
        return [
            BranchOwed(branch.id, branch.name, [
                self._count(kind, year, started, today,
                            counts.get((branch.id, kind.code), (0, 0, set())))
                for kind in kinds
            ])
            for branch in branches
        ]  # fmt: skip

    @staticmethod
    def _count(
        kind: MeetingKind,
        year: int,
        started: date,
        today: date,
        counted: tuple[int, int, set[int]],
    ) -> KindCount:
        held, planned, months = counted
        frequency = kind.frequency
        return KindCount(
            kind.code, kind.name, frequency, owed_in_year(frequency, year, started),
            due_by(frequency, year, started, today), held, planned,
            kept(frequency, year, started, months), kept(frequency, year, started, months, today),
        )  # fmt: skip

    async def _counts(
        self, branch_ids: Sequence[UUID], year: int
    ) -> dict[tuple[UUID, str], tuple[int, int, set[int]]]:
        """(held, planned, the months with one held) per branch and kind in `year`."""
        if not branch_ids:
            return {}
        start, end = year_bounds(year)
        held = Meeting.status == MeetingStatus.HELD
        planned = Meeting.status == MeetingStatus.PLANNED
        first, after = date(year, 1, 1), date(year + 1, 1, 1)
        rows = await self.session.execute(
            select(
                Meeting.branch_id, Meeting.kind,
                func.count().filter(held), func.count().filter(planned),
                func.array_agg(func.distinct(func.extract("month", Meeting.held_on))).filter(held),
            )
            .where(
                Meeting.branch_id.in_(branch_ids),
                or_(
                    and_(held, Meeting.held_on >= first, Meeting.held_on < after),
                    and_(planned, Meeting.starts_at >= start, Meeting.starts_at < end),
                ),
            )
            .group_by(Meeting.branch_id, Meeting.kind)
        )  # fmt: skip
        return {(b, k): (int(h), int(p), {int(m) for m in months or ()})
                for b, k, h, p, months in rows}  # fmt: skip

    async def overview(
        self, identity: Identity, year: int, sort: str, number: int
    ) -> Page[BranchOwed]:
        """Every branch of the scope with its shortfall, sorted (most behind first by
        default), a page at a time. A district has tens of branches, a few hundred at
        most: they are counted in one query and sorted here."""
        rows = await self.owed(await self.branches(identity), year)
        if sort == "overdue":
            rows.sort(key=lambda r: (-r.overdue, -r.shortfall, r.name))
        elif sort == "name":
            rows.sort(key=lambda r: r.name)
        else:
            rows.sort(key=lambda r: (-r.shortfall, -r.overdue, r.name))
        number = page_within(number, len(rows), PAGE_SIZE)
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        return Page(rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, pages, len(rows))

    async def overdue_now(self, identity: Identity) -> list[BranchOwed]:
        """The branches of the scope behind this year (a period ended without its
        meeting), most behind first: the home page's card."""
        rows = await self.owed(await self.branches(identity), clock.today().year)
        return sorted((r for r in rows if r.overdue), key=lambda r: (-r.overdue, r.name))

    async def meetings_in(self, branch_id: UUID, first: date, last: date) -> list[Meeting]:
        """A branch's planned and held meetings (and its groups') between two days."""
        start = datetime.combine(first, time(), clock.CHINA_TIME)
        end = datetime.combine(last, time.max, clock.CHINA_TIME)
        found = await self.session.scalars(
            select(Meeting)
            .where(
                Meeting.branch_id == branch_id,
                Meeting.status != MeetingStatus.CANCELLED,
                or_(and_(Meeting.held_on >= first, Meeting.held_on <= last),
                    and_(Meeting.held_on.is_(None), Meeting.starts_at >= start,
                         Meeting.starts_at <= end)),
            )
            .order_by(Meeting.starts_at)
        )  # fmt: skip
        return list(found)
