"""The figures of a quarterly points report, from the same standings the points pages
show (app.points.standings): each branch's ranking, its exempt members apart, and per
branch how many took part, the average, the highest and lowest score and the points
of each category."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.db.tenant import require_tenant
from app.i18n import DEFAULT_LOCALE, N_, translations
from app.points.periods import Period
from app.points.standings import (
    Ranking,
    Standing,
    branches,
    category_names,
    rankings,
    version_for,
)
from app.points.tally import ZERO
from tenants.models import Tenant

BRANCH_GONE = N_("The branch of this report no longer exists.")
TENTH = Decimal("0.1")


class Figures:
    """What the report says of a set of ranked members: a branch's, or the district's."""

    def members(self) -> list[Standing]:
        raise NotImplementedError

    @property
    def ranked(self) -> int:
        return len(self.members())

    @property
    def taking_part(self) -> int:
        """Ranked members with anything on the ledger's tally this quarter."""
        return sum(1 for s in self.members() if s.categories)

    @property
    def share_taking_part(self) -> Decimal | None:
        """Of the ranked, the percentage taking part."""
        ranked = self.ranked
        return (Decimal(100) * self.taking_part / ranked).quantize(TENTH) if ranked else None

    @property
    def average(self) -> Decimal | None:
        scores = [s.score for s in self.members()]
        return (sum(scores, ZERO) / len(scores)).quantize(TENTH) if scores else None

    def category_points(self, category: str) -> Decimal:
        return sum((s.categories.get(category, ZERO) for s in self.members()), ZERO)


@dataclass
class BranchFigures(Figures):
    id: UUID
    name: str
    ranking: Ranking

    def members(self) -> list[Standing]:
        return self.ranking.ranked

    @property
    def exempt(self) -> int:
        return len(self.ranking.exempt)

    @property
    def highest(self) -> Decimal | None:
        return self.ranking.ranked[0].score if self.ranking.ranked else None

    @property
    def lowest(self) -> Decimal | None:
        return self.ranking.ranked[-1].score if self.ranking.ranked else None


@dataclass
class PointsReport(Figures):
    district: str
    subject: str
    """The branch's name, or the district's for the district's report."""
    period: Period
    period_name: str
    """The quarter in Chinese (2026年第四季度): the document is Chinese."""
    version: int | None
    base_score: Decimal | None
    categories: list[str]
    branches: list[BranchFigures]

    def members(self) -> list[Standing]:
        return [s for b in self.branches for s in b.ranking.ranked]

    @property
    def whole_district(self) -> bool:
        return self.subject == self.district

    @property
    def exempt(self) -> int:
        return sum(b.exempt for b in self.branches)


async def points_report(
    session: AsyncSession, period: Period, branch_id: UUID | None
) -> PointsReport:
    """One statement for every branch's standings (or the one branch's)."""
    district = await session.scalar(select(Tenant.name).where(Tenant.id == require_tenant()))
    units = await branches(session)
    if branch_id is not None:
        units = [u for u in units if u.id == branch_id]
        if not units:
            raise Refused(BRANCH_GONE)
    found = await rankings(session, period, branch_id=branch_id)
    rule_set = await version_for(session, period)
    categories = await category_names(session, rule_set)
    empty = Ranking(period, rule_set, categories)
    figures = [BranchFigures(u.id, u.name, found.get(u.id, empty)) for u in units]
    chinese = translations(DEFAULT_LOCALE).gettext
    return PointsReport(
        district=district or "",
        subject=units[0].name if branch_id is not None else (district or ""),
        period=period,
        period_name=period.name(chinese),
        version=rule_set.version if rule_set else None,
        base_score=rule_set.base_score if rule_set else None,
        categories=categories,
        branches=figures,
    )
