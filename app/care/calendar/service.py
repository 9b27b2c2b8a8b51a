"""The care calendar (关怀日历) and the collective birthday party list (集体生日会).

Both are computed from the roster when asked, month by month, by the must-visit
engine's own calendar arithmetic (app.grid.occasions): a political birthday on the
anniversary of joining the Party (a month-only joining date on that month's first
Monday), a birthday with the round ones (70, 80, 90, 100) marked, a golden (50) or
diamond (60) wedding; 29 February on the 28th in common years. The deceased are never
on them. The due list holds the visits these ask for (app.grid.due); this is the view
over the whole month a secretary plans with — gifts, a card, the party.

One statement per page: the month is a prefilter in SQL (the month of the birth,
joining or wedding day; weddings of the two anniversary years only), the day is
computed here for the rows it lets through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, extract, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.errors import NotFound
from app.core.identity import Identity
from app.db.tenant import require_tenant
from app.grid.occasions import (
    WEDDING_ANNIVERSARIES,
    occasion_words,
    person_day,
    round_birthday,
)
from app.grid.scope import served_by
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under
from tenants.models import Tenant

KINDS = ("political_birthday", "birthday", "wedding")
"""In the order a day lists them: the Party's occasion first."""


@dataclass(frozen=True)
class CareItem:
    """One person's occasion on the calendar."""

    day: date
    kind: str
    """political_birthday, birthday or wedding (the must-visit triggers of the same name)."""
    name: str
    branch: str | None
    born: date | None
    joined: date | None
    married: date | None
    sort_key: str
    day_known: bool = True
    """False: the roster has only the month (of birth, or of joining), so the day shown
    is where the engine puts it, not the person's own."""
    person_id: UUID | None = None
    """Whose occasion: the calendar links a political birthday to that person's gifts."""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.day.year}"

    @property
    def words(self) -> str | None:
        """ "入党 50 周年", "80 岁整寿", "金婚"."""
        return occasion_words(self.key, self.born, self.joined, self.married)

    @property
    def round_age(self) -> int | None:
        return round_birthday(self.key, self.born)

    @property
    def age(self) -> int | None:
        return self.day.year - self.born.year if self.born else None


@dataclass(frozen=True)
class Choice:
    id: UUID
    name: str
    kind: str


@dataclass(frozen=True)
class CareMonth:
    month: date
    """The month's first day."""
    items: list[CareItem]
    branches: list[Choice]
    branch: Choice | None

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def rounds(self) -> int:
        return sum(1 for item in self.items if item.round_age)

    @property
    def by_day(self) -> list[tuple[date, list[CareItem]]]:
        days: dict[date, list[CareItem]] = {}
        for item in self.items:
            days.setdefault(item.day, []).append(item)
        return list(days.items())


@dataclass(frozen=True)
class PartyList:
    """集体生日会: the people of a branch or (sub-)center whose birthday falls in the month."""

    month: date
    unit: Choice | None
    units: list[Choice]
    people: list[CareItem]

    @property
    def rounds(self) -> int:
        return sum(1 for item in self.people if item.round_age)


def in_month(month: date) -> ColumnElement[bool]:
    """Whose birthday, political birthday or golden/diamond wedding can fall in the month
    (29 February stays in February; a month-only joining date stays in its month)."""
    m, year = month.month, month.year
    return or_(
        extract("month", Person.birth_date) == m,
        and_(Person.party_member, extract("month", Person.party_joined_on) == m,
             extract("year", Person.party_joined_on) < year),
        and_(extract("month", Person.married_on) == m,
             extract("year", Person.married_on).in_([year - n for n in WEDDING_ANNIVERSARIES])),
    )  # fmt: skip


def occasions_of(row: Any, month: date, kinds: tuple[str, ...] = KINDS) -> list[CareItem]:
    """The person's occasions (of `kinds`) that fall in the month (a row of PEOPLE)."""
    found = []
    for kind in kinds:
        if kind == "political_birthday" and not row.party_member:
            continue
        day = person_day(
            kind, month.year, row.birth_date, row.party_joined_on, row.party_joined_day_known,
            row.married_on,
        )  # fmt: skip
        if day is not None and day.month == month.month:
            known = {
                "birthday": row.birth_day_known,
                "political_birthday": row.party_joined_day_known,
            }
            item = CareItem(
                day, kind, row.name, row.branch, row.birth_date, row.party_joined_on,
                row.married_on, row.sort_key, known.get(kind, True), row.id,
            )  # fmt: skip
            found.append(item)
    return found


def ordered(items: list[CareItem]) -> list[CareItem]:
    return sorted(items, key=lambda i: (i.day, KINDS.index(i.kind), i.sort_key))


Branch = aliased(OrgUnit)
PEOPLE = select(
    Person.id, Person.name, Person.sort_key, Person.birth_date, Person.birth_day_known,
    Person.party_member, Person.party_joined_on, Person.party_joined_day_known, Person.married_on,
    Branch.name.label("branch"),
).outerjoin(
    Branch, and_(Branch.tenant_id == Person.tenant_id, Branch.id == Person.branch_id)
).where(Person.deceased_on.is_(None))  # fmt: skip


class CareCalendarService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def month(
        self, identity: Identity, month: date, branch_id: UUID | None = None
    ) -> CareMonth:
        """The month's occasions of the living people this user serves (a grid worker's
        grids, a secretary's branch, the admin's district), of one branch if asked —
        which must be one of theirs (NotFound otherwise, as another district's)."""
        scope = identity.scope
        branches = await self._choices(
            OrgUnit.kind == UnitKind.BRANCH,
            OrgUnit.id.in_(select(Person.branch_id).where(served_by(scope))),
        )
        branch = self._chosen(branches, branch_id)
        query = PEOPLE.where(served_by(scope), in_month(month))
        if branch is not None:
            query = query.where(Person.branch_id == branch.id)
        items = [i for row in await self.session.execute(query) for i in occasions_of(row, month)]
        return CareMonth(month, ordered(items), branches, branch)

    async def party_list(
        self, identity: Identity, month: date, unit_id: UUID | None = None
    ) -> PartyList:
        """The birthdays of the month in a branch or a (sub-)center the user leads (the
        admin: any); the first of theirs when none is asked."""
        units = await self._choices(
            OrgUnit.kind.in_((UnitKind.BRANCH, UnitKind.CENTER, UnitKind.SUBCENTER)),
            units_under(identity.scope),
        )
        unit = self._chosen(units, unit_id) or (units[0] if units else None)
        if unit is None:
            return PartyList(month, None, units, [])
        under = select(OrgUnit.id).where(OrgUnit.path.contains([unit.id]))
        query = PEOPLE.where(
            or_(Person.branch_id.in_(under), Person.group_id.in_(under)),
            extract("month", Person.birth_date) == month.month,
        )
        people = [
            i for row in await self.session.execute(query)
            for i in occasions_of(row, month, ("birthday",))
        ]  # fmt: skip
        return PartyList(month, unit, units, ordered(people))

    async def district_name(self) -> str:
        """The district's name, at the head of a printed list."""
        name = await self.session.scalar(select(Tenant.name).where(Tenant.id == require_tenant()))
        return name or ""

    async def _choices(self, *where: ColumnElement[bool]) -> list[Choice]:
        rows = await self.session.execute(
            select(OrgUnit.id, OrgUnit.name, OrgUnit.kind).where(
                OrgUnit.retired_at.is_(None), *where
            )
        )
        kinds = (UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH)
        return sorted(
            (Choice(*row) for row in rows),
            key=lambda c: (kinds.index(UnitKind(c.kind)), unit_sort_key(c.name)),
        )

    @staticmethod
    def _chosen(choices: list[Choice], unit_id: UUID | None) -> Choice | None:
        if unit_id is None:
            return None
        for choice in choices:
            if choice.id == unit_id:
                return choice
        raise NotFound()
