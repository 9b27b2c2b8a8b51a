"""What the grid pages show: the grids a user sees with their workers and head
counts, one grid with its workers and people, and a person's assignment history.
Who sees which grid is app.grid.scope's rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User, UserRole
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.grid.models import Grid, GridAssignment, GridWorker
from app.grid.scope import grid_for, grids_seen
from app.people.models import Person, UnitKind
from app.people.org.service import unit_labels

GRID_UNIT_KINDS = (UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH)


@dataclass(frozen=True)
class GridRow:
    grid: Grid
    unit_label: str
    workers: list[str]
    people: int


@dataclass(frozen=True)
class WorkerRow:
    id: UUID
    name: str
    phone: str


@dataclass(frozen=True)
class GridPerson:
    id: UUID
    name: str
    branch: str
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class GridDetail:
    grid: Grid
    unit_label: str
    workers: list[WorkerRow]
    people: list[GridPerson]
    candidates: list[WorkerRow]
    """Grid workers of the district not yet in this grid (for the admin's picker)."""


@dataclass(frozen=True)
class AssignmentRow:
    grid_id: UUID
    grid_name: str
    starts_on: date
    ends_on: date | None
    assigned_by: str | None


@dataclass(frozen=True)
class PersonAssignments:
    """What the person page's "Responsible grid" card shows."""

    current: AssignmentRow | None
    workers: list[str]
    """Names of the current grid's workers."""
    rows: list[AssignmentRow]
    """Every assignment, newest first (the current one too)."""


def china_date(moment: datetime) -> date:
    return moment.astimezone(clock.CHINA_TIME).date()


def open_in(grid_id: UUID) -> list[ColumnElement[bool]]:
    """The open assignments of a grid: the people in it now."""
    return [GridAssignment.grid_id == grid_id, GridAssignment.ends_at.is_(None)]


def label(labels: dict[UUID, str], unit_id: UUID | None) -> str:
    return labels.get(unit_id, "") if unit_id else ""


async def grid_workers(session: AsyncSession, grid_id: UUID | None = None) -> list[WorkerRow]:
    """Active accounts with the grid worker role: all of them, or one grid's."""
    query = (
        select(User.id, User.name, User.phone)
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.GRID_WORKER, User.is_active)
        .order_by(User.name)
    )
    if grid_id is not None:
        query = query.join(
            GridWorker, and_(GridWorker.tenant_id == User.tenant_id, GridWorker.user_id == User.id)
        ).where(GridWorker.grid_id == grid_id)
    return [WorkerRow(*row) for row in await session.execute(query)]


class GridViews:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def grids(self, identity: Identity) -> list[GridRow]:
        """The live grids this user sees, by name, with workers and head counts."""
        session = self.session
        scope = identity.scope
        people = (
            select(func.count())
            .where(GridAssignment.grid_id == Grid.id, GridAssignment.ends_at.is_(None))
            .scalar_subquery()
        )
        rows = (
            await session.execute(
                select(Grid, people)
                .where(grids_seen(scope), Grid.retired_at.is_(None))
                .order_by(Grid.name)
            )
        ).all()
        workers: dict[UUID, list[str]] = {}
        for grid_id, name in await session.execute(
            select(GridWorker.grid_id, User.name)
            .join(
                User,
                and_(User.tenant_id == GridWorker.tenant_id, User.id == GridWorker.user_id),
            )
            .where(GridWorker.grid_id.in_([grid.id for grid, _count in rows]))
            .order_by(User.name)
        ):
            workers.setdefault(grid_id, []).append(name)
        labels = await unit_labels(session, {g.unit_id for g, _c in rows if g.unit_id})
        return [
            GridRow(grid, label(labels, grid.unit_id), workers.get(grid.id, []), count)
            for grid, count in rows
        ]

    async def grid(self, identity: Identity, grid_id: UUID) -> GridDetail:
        """One grid this user sees (NotFound otherwise): workers and people now in it."""
        session = self.session
        grid = await grid_for(session, identity.scope, grid_id)
        workers = await grid_workers(session, grid.id)
        people = list(
            await session.scalars(
                select(Person)
                .join(
                    GridAssignment,
                    and_(
                        GridAssignment.tenant_id == Person.tenant_id,
                        GridAssignment.person_id == Person.id,
                    ),
                )
                .where(*open_in(grid.id))
                .order_by(Person.sort_key, Person.id)
            )
        )
        units = {p.branch_id for p in people if p.branch_id}
        labels = await unit_labels(session, units | ({grid.unit_id} if grid.unit_id else set()))
        candidates: list[WorkerRow] = []
        if Role.TENANT_ADMIN in identity.roles and grid.retired_at is None:
            taken = {w.id for w in workers}
            candidates = [w for w in await grid_workers(session) if w.id not in taken]
        return GridDetail(
            grid,
            label(labels, grid.unit_id),
            workers,
            [
                GridPerson(p.id, p.name, label(labels, p.branch_id), p.phone, p.address)
                for p in people
            ],
            candidates,
        )

    async def history(self, person_id: UUID) -> PersonAssignments:
        """The person's grids, newest first, with who assigned them. The caller has
        already checked that the viewer may see the person."""
        session = self.session
        found = await session.execute(
            select(GridAssignment, Grid.name, User.name)
            .join(
                Grid,
                and_(
                    Grid.tenant_id == GridAssignment.tenant_id,
                    Grid.id == GridAssignment.grid_id,
                ),
            )
            .outerjoin(
                User,
                and_(
                    User.tenant_id == GridAssignment.tenant_id,
                    User.id == GridAssignment.assigned_by,
                ),
            )
            .where(GridAssignment.person_id == person_id)
            .order_by(GridAssignment.starts_at.desc(), GridAssignment.ends_at.desc())
        )
        rows = [
            AssignmentRow(
                a.grid_id,
                grid_name,
                china_date(a.starts_at),
                china_date(a.ends_at) if a.ends_at else None,
                by,
            )
            for a, grid_name, by in found
        ]
        current = next((row for row in rows if row.ends_on is None), None)
        workers = await grid_workers(session, current.grid_id) if current else []
        return PersonAssignments(current, [w.name for w in workers], rows)
