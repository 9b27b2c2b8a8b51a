"""The due list: the grid worker's home screen, and the same per grid for secretaries
and the district admin.

Who is due a visit, why, by when; overdue first. One indexed read of the open items of
the people currently in the chosen grids (the hot path of the phone: a Core query, no
ORM objects).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.core.scope import Scope
from app.grid.due import HORIZON_DAYS, listed_items, on_the_list, overdue
from app.grid.models import Grid, GridAssignment, VisitDueItem, VisitRule
from app.grid.occasions import first_monday, occasion_words, round_birthday
from app.grid.scope import grid_for, grids_seen
from app.people.models import Person


@dataclass(frozen=True)
class DueRow:
    rule_id: UUID
    person_id: UUID
    name: str
    phone: str | None
    address: str | None
    rule_name: str
    trigger: str
    opens_on: date
    due_at: datetime
    grid_name: str
    occasion: str = ""
    born: date | None = None
    joined: date | None = None
    married: date | None = None

    @property
    def occasion_words(self) -> str | None:
        """A person's occasion in words ("80 岁整寿", "入党 50 周年", "金婚")."""
        return occasion_words(self.occasion, self.born, self.joined, self.married)

    @property
    def round_birthday(self) -> int | None:
        return round_birthday(self.occasion, self.born)

    @property
    def last_day(self) -> date:
        """The day by which to visit (an item is due at the end of it)."""
        return (self.due_at.astimezone(clock.CHINA_TIME) - timedelta(microseconds=1)).date()

    @property
    def has_hour(self) -> bool:
        """Concern items are due at an hour ("48 hours"), calendar ones by a day."""
        local = self.due_at.astimezone(clock.CHINA_TIME)
        return (local.hour, local.minute) != (0, 0)


@dataclass(frozen=True)
class HolidayGroup:
    """A holiday asks the same of everyone in the grid: one line with a count, whose
    people open on their own page — not 150 rows on a phone."""

    rule_id: UUID
    rule_name: str
    count: int
    first: DueRow
    """The row whose deadline and window the line shows (all share them)."""


def grouped(rows: list[DueRow]) -> tuple[list[DueRow], list[HolidayGroup]]:
    """Personal items as rows; holiday items as one group per rule and deadline."""
    people: list[DueRow] = []
    groups: dict[tuple[UUID, datetime], HolidayGroup] = {}
    for row in rows:
        if row.trigger != "holiday":
            people.append(row)
            continue
        key = (row.rule_id, row.due_at)
        if key in groups:
            groups[key] = HolidayGroup(
                row.rule_id, row.rule_name, groups[key].count + 1, groups[key].first
            )
        else:
            groups[key] = HolidayGroup(row.rule_id, row.rule_name, 1, row)
    return people, list(groups.values())


@dataclass(frozen=True)
class GridChoice:
    id: UUID
    name: str
    overdue: int
    open_now: int


@dataclass(frozen=True)
class DueList:
    """The sections of the list, each what its heading says, as the calendar has it:
    overdue; due this week (the last day falls by this Sunday); open now but due later
    (a long holiday window); not open yet (opens within the week: a visit before then
    does not answer it)."""

    grids: list[GridChoice]
    chosen: list[UUID]
    overdue: list[DueRow]
    this_week: list[DueRow]
    later: list[DueRow]
    not_open: list[DueRow]
    holidays_overdue: list[HolidayGroup]
    holidays_this_week: list[HolidayGroup]
    holidays_later: list[HolidayGroup]
    holidays_not_open: list[HolidayGroup]
    holiday: str | None = None
    """When one holiday's people are shown (?holiday=<rule>): its name."""

    @property
    def empty(self) -> bool:
        return not (
            self.overdue or self.this_week or self.later or self.not_open
            or self.holidays_overdue or self.holidays_this_week or self.holidays_later
            or self.holidays_not_open
        )  # fmt: skip


def section(row: DueRow, now: datetime, today: date) -> str:
    """Which section of the list an item belongs in (see DueList)."""
    if row.due_at <= now:
        return "overdue"
    if row.opens_on > today:
        return "not_open"
    if row.last_day <= first_monday(today) + timedelta(days=6):
        return "this_week"
    return "later"


SECTIONS = ("overdue", "this_week", "later", "not_open")


class DueListService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due_list(
        self, identity: Identity, grid_id: UUID | None = None, holiday: UUID | None = None
    ) -> DueList:
        """A worker's own grids by default; anyone may choose one grid they see. With
        `holiday`, that holiday rule's people one by one instead of the whole list."""
        now = clock.now()
        scope = identity.scope
        if grid_id is not None:
            chosen = [(await grid_for(self.session, scope, grid_id)).id]
        else:
            chosen = sorted(scope.grids)
        # A worker with one grid has nothing to choose: skip the counts.
        one_grid = grid_id is None and len(scope.grids) == 1 and not scope.units
        grids = [] if one_grid else await self._grid_choices(scope, now)
        rows = await self._rows(chosen, now) if chosen else []
        today = now.date()
        name = None
        groups: list[HolidayGroup] = []
        if holiday is not None:
            rows = [r for r in rows if r.rule_id == holiday and r.trigger == "holiday"]
            name = rows[0].rule_name if rows else None
            people = rows
        else:
            people, groups = grouped(rows)
        rows_by: dict[str, list[DueRow]] = {key: [] for key in SECTIONS}
        for row in people:
            rows_by[section(row, now, today)].append(row)
        groups_by: dict[str, list[HolidayGroup]] = {key: [] for key in SECTIONS}
        for group in groups:
            groups_by[section(group.first, now, today)].append(group)
        return DueList(
            grids=grids, chosen=chosen, overdue=rows_by["overdue"],
            this_week=rows_by["this_week"], later=rows_by["later"], not_open=rows_by["not_open"],
            holidays_overdue=groups_by["overdue"], holidays_this_week=groups_by["this_week"],
            holidays_later=groups_by["later"], holidays_not_open=groups_by["not_open"],
            holiday=name,
        )  # fmt: skip

    async def _rows(self, grids: list[UUID], now: datetime) -> list[DueRow]:
        today = now.astimezone(clock.CHINA_TIME).date()
        result = await self.session.execute(
            listed_items(
                now, VisitRule.id, Person.id, Person.name, Person.phone, Person.address,
                VisitRule.name, VisitRule.trigger, VisitDueItem.opens_on, VisitDueItem.due_at,
                Grid.name, VisitDueItem.occasion, Person.birth_date, Person.party_joined_on,
                Person.married_on,
            )
            .join(Grid, and_(Grid.tenant_id == GridAssignment.tenant_id,
                             Grid.id == GridAssignment.grid_id))
            .where(
                GridAssignment.grid_id.in_(grids),
                VisitDueItem.opens_on <= today + timedelta(days=HORIZON_DAYS),
            )
            .order_by(VisitDueItem.due_at, Person.sort_key)
        )  # fmt: skip
        return [DueRow(*tuple(row)) for row in result]

    async def _grid_choices(self, scope: Scope, now: datetime) -> list[GridChoice]:
        """The grids this user sees, each with its overdue and open counts."""
        result = await self.session.execute(
            select(
                Grid.id,
                Grid.name,
                func.count(VisitDueItem.id).filter(overdue(now)),
                func.count(VisitDueItem.id).filter(~overdue(now)),
            )
            .select_from(Grid)
            .outerjoin(
                GridAssignment,
                and_(
                    GridAssignment.tenant_id == Grid.tenant_id,
                    GridAssignment.grid_id == Grid.id,
                    GridAssignment.ends_at.is_(None),
                ),
            )
            .outerjoin(
                Person,
                and_(
                    Person.tenant_id == GridAssignment.tenant_id,
                    Person.id == GridAssignment.person_id,
                    Person.deceased_on.is_(None),
                ),
            )
            .outerjoin(
                VisitDueItem,
                and_(
                    VisitDueItem.tenant_id == Person.tenant_id,
                    VisitDueItem.person_id == Person.id,
                    open_now(now),
                ),
            )
            .where(grids_seen(scope), Grid.retired_at.is_(None))
            .group_by(Grid.id, Grid.name)
            .order_by(Grid.name)
        )
        return [GridChoice(*row) for row in result]


def open_now(now: datetime) -> ColumnElement[bool]:
    """Items open now: unanswered, of an enabled rule, their window opened, not yet
    missed (overdue ones included)."""
    return and_(
        on_the_list(now),
        VisitDueItem.rule_id.in_(select(VisitRule.id).where(VisitRule.enabled)),
        VisitDueItem.opens_on <= now.astimezone(clock.CHINA_TIME).date(),
    )


def overdue_count(scope: Scope, now: datetime) -> Select[int]:
    """How many must-visits are overdue in the live grids this user sees — the sum of
    the due list's grid picker (`_grid_choices`), as one count for a home page."""
    return (
        select(func.count())
        .select_from(VisitDueItem)
        .join(
            GridAssignment,
            and_(
                GridAssignment.tenant_id == VisitDueItem.tenant_id,
                GridAssignment.person_id == VisitDueItem.person_id,
                GridAssignment.ends_at.is_(None),
            ),
        )
        .join(
            Grid,
            and_(Grid.tenant_id == GridAssignment.tenant_id, Grid.id == GridAssignment.grid_id),
        )
        .join(
            Person,
            and_(Person.tenant_id == VisitDueItem.tenant_id, Person.id == VisitDueItem.person_id),
        )
        .where(
            grids_seen(scope),
            Grid.retired_at.is_(None),
            Person.deceased_on.is_(None),
            open_now(now),
            overdue(now),
        )
    )
