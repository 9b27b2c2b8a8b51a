"""The year's condolence figures (慰问), summed from the visit log: the sources'
"2,000 people visited, 1.3 million yuan of condolence money" is what this counts.

A visit counts when it gave condolence money or gifts (慰问金 / 慰问品, recorded on the
visit form). People visited are distinct people; visits, yuan and visits with gifts
add up. Per month and per branch, for the people this user sees: the district admin
everyone, a branch secretary their branch (app.people.scope.people_in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.identity import Identity
from app.grid.models import Visit
from app.people.models import OrgUnit, Person
from app.people.pinyin import unit_sort_key
from app.people.scope import people_in


@dataclass(frozen=True)
class Figures:
    people: int = 0
    visits: int = 0
    money: Decimal = Decimal(0)
    gifts: int = 0
    """Visits that gave gifts."""


@dataclass(frozen=True)
class BranchFigures:
    name: str | None
    """None: people in no branch."""
    figures: Figures


@dataclass
class YearFigures:
    year: int
    years: list[int]
    """Years with condolence visits (and this one), newest first, for the picker."""
    total: Figures
    months: list[Figures] = field(default_factory=list)
    """January to December."""
    branches: list[BranchFigures] = field(default_factory=list)


GAVE = or_(Visit.condolence_money.is_not(None), Visit.condolence_gifts.is_not(None))


def _figures(row: tuple[int, int, Decimal | None, int]) -> Figures:
    return Figures(row[0], row[1], Decimal(row[2] or 0), row[3])


class CondolenceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def year_figures(self, identity: Identity, year: int, this_year: int) -> YearFigures:
        """The year's figures of the people `identity` sees, and the years to pick from."""
        counted = (
            func.count(Visit.person_id.distinct()),
            func.count(),
            func.sum(Visit.condolence_money),
            func.count(Visit.condolence_gifts),
        )
        base = (
            select(*counted)
            .select_from(Visit)
            .join(Person, (Person.tenant_id == Visit.tenant_id) & (Person.id == Visit.person_id))
            .where(GAVE, Visit.visited_on.between(date(year, 1, 1), date(year, 12, 31)))
            .where(people_in(identity.scope))
        )
        total = _figures(tuple((await self.session.execute(base)).one()))  # type: ignore[arg-type]
        month = func.extract("month", Visit.visited_on)
        by_month = {
            int(row[4]): _figures(tuple(row[:4]))  # type: ignore[arg-type]
            for row in await self.session.execute(base.add_columns(month).group_by(month))
        }
        months = [by_month.get(m, Figures()) for m in range(1, 13)]
        by_branch = (
            base.add_columns(OrgUnit.name)
            .outerjoin(
                OrgUnit, (OrgUnit.tenant_id == Person.tenant_id) & (OrgUnit.id == Person.branch_id)
            )
            .group_by(OrgUnit.name)
        )
        branches = sorted(  # as the org pages order units: 第二 before 第三; no branch last
            (
                BranchFigures(row[4], _figures(tuple(row[:4])))  # type: ignore[arg-type]
                for row in await self.session.execute(by_branch)
            ),
            key=lambda b: (b.name is None, unit_sort_key(b.name or "")),
        )
        found = await self.session.scalars(  # the years of the people this user sees
            select(func.extract("year", Visit.visited_on))
            .join(Person, (Person.tenant_id == Visit.tenant_id) & (Person.id == Visit.person_id))
            .where(GAVE, people_in(identity.scope))
            .distinct()
        )
        years = sorted({int(y) for y in found} | {this_year}, reverse=True)
        return YearFigures(year, years, total, months, branches)
