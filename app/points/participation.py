"""Points participation: of the members who are scored (living party members in a
branch, the exempt apart), the share who earned points in a quarter — per branch, for
the homes of the district admin (every branch) and of a secretary (their own).

"Earned" reads the quarter's tallies (app.points.models.Tally, kept by trigger): a
member whose events of the quarter sum to more than zero. An award later reversed sums
to zero and does not count; nor does a deduction alone. One statement grouped by
branch; each member's tallies are reached through the tallies' primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.charts import Chart, Series, share
from app.core.scope import Scope
from app.i18n import _
from app.people.models import OrgUnit, Person
from app.people.scope import people_in
from app.points.models import Tally
from app.points.periods import Period

MOST_BRANCHES = 12
"""Past this many branches, the chart shows those with the lowest share."""


@dataclass(frozen=True)
class BranchParticipation:
    branch_id: UUID
    name: str
    members: int
    """Scored members: living party members of the branch, the exempt left out."""
    took_part: int

    @property
    def share(self) -> int | None:
        return share(self.took_part, self.members)


@dataclass(frozen=True)
class Participation:
    period: Period
    branches: list[BranchParticipation]
    """By name."""

    @property
    def members(self) -> int:
        return sum(b.members for b in self.branches)

    @property
    def took_part(self) -> int:
        return sum(b.took_part for b in self.branches)

    def chart(self) -> Chart:
        shown = self.branches
        notes: tuple[str, ...] = ()
        if len(shown) > MOST_BRANCHES:
            shown = sorted(shown, key=lambda b: (b.share or 0, b.name))[:MOST_BRANCHES]
            notes = (
                _("The %(shown)s branches with the lowest share are shown, of %(all)s.",
                  shown=MOST_BRANCHES, all=len(self.branches)),
            )  # fmt: skip
        if self.members:
            summary = _(
                "%(share)s%% of the party members who are scored earned points in %(period)s "
                "(%(took_part)s of %(members)s).",
                share=share(self.took_part, self.members), period=self.period.label,
                took_part=self.took_part, members=self.members,
            )  # fmt: skip
        else:
            summary = _("No party members are scored in a branch yet.")
        return Chart(
            key="participation",
            title=_("Points participation this quarter, per branch"),
            summary=summary,
            kind="bars",
            category_label=_("Branch"),
            categories=tuple(b.name for b in shown),
            series=(Series(_("Earned points"), tuple(b.share for b in shown), style=1),),
            unit="%",
            notes=notes,
        )


async def participation(session: AsyncSession, scope: Scope, period: Period) -> Participation:
    """Each branch inside the scope (every branch for the admin) with its scored
    members and how many of them earned points in `period` (a quarter)."""
    earned = (
        select(func.sum(Tally.points))
        .where(
            Tally.tenant_id == Person.tenant_id,
            Tally.person_id == Person.id,
            Tally.quarter_start == period.start,
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Person.branch_id,
            OrgUnit.name,
            func.count(),
            func.count().filter(earned > 0),
        )
        .join(OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id, OrgUnit.id == Person.branch_id))
        .where(
            Person.party_member,
            Person.deceased_on.is_(None),
            Person.branch_id.is_not(None),
            ~Person.infirm,
            people_in(scope),
        )
        .group_by(Person.branch_id, OrgUnit.name)
        .order_by(OrgUnit.name)
    )
    return Participation(
        period,
        [
            BranchParticipation(branch_id, name, members, took_part)
            for branch_id, name, members, took_part in rows
            if branch_id is not None  # the query asks for a branch; this tells mypy
        ],
    )
