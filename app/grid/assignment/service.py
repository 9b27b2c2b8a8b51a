"""Household assignment (定人包户): putting people into grids, in bulk, from a filtered
list of the district's people; and the list of people nobody answers for yet.

A reassignment ends the person's current row and starts a new one in the same
transaction, so the history says who answered for them when; the partial unique index
uq_grid_assignments_current keeps at most one open row per person, even when two
admins assign the same person at once. Deceased people are never assigned. The
people's must-visit items are written in the same transaction, should any be missing,
so the grid's due list is whole at once.

A household is the people living at one address: addresses are compared without
their spaces (half- and full-width), since rosters type them both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.pagination import Page, paginate
from app.core.roles import Role
from app.db.commit import commit_or_refuse
from app.db.tenant import require_tenant
from app.grid import due
from app.grid.assignment.forms import AssignFilter, AssignForm
from app.grid.models import Grid, GridAssignment
from app.i18n import N_
from app.people.models import Person
from app.people.org.service import unit_labels

MAX_AT_ONCE = 5_000
"""A bigger bulk action is more likely a mistaken filter than a plan."""
PAGE_SIZE = 50
SPACES = "[[:space:]\u3000]+"


def household(address: Any) -> Any:
    """The address as households are matched: without any spaces."""
    return func.regexp_replace(address, SPACES, "", "g")


def _current_of_person() -> list[ColumnElement[bool]]:
    return [
        GridAssignment.tenant_id == Person.tenant_id,
        GridAssignment.person_id == Person.id,
        GridAssignment.ends_at.is_(None),
    ]


@dataclass(frozen=True)
class CandidateRow:
    id: UUID
    name: str
    branch: str
    phone: str | None
    address: str | None
    grid_id: UUID | None
    grid_name: str | None


@dataclass(frozen=True)
class AssignResult:
    grid_id: UUID
    grid_name: str
    assigned: int
    """Had no grid before."""
    moved: int
    """Moved here from another grid (that row ended, kept as history)."""
    already: int
    deceased: int
    """Ticked but deceased: left out."""


class AssignmentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, wanted: AssignFilter) -> Page[CandidateRow]:
        """A page of living people matching the filter, in pinyin order, each with the
        grid they are in now; and how many match in all."""
        found = await paginate(
            self.session,
            select(Person, Grid.id, Grid.name)
            .outerjoin(GridAssignment, and_(*_current_of_person()))
            .outerjoin(
                Grid,
                and_(Grid.tenant_id == GridAssignment.tenant_id, Grid.id == GridAssignment.grid_id),
            )
            .where(*wanted.conditions())
            .order_by(Person.sort_key, Person.id),
            wanted.page,
            PAGE_SIZE,
        )
        branches = {p.branch_id for p, *_ in found.items if p.branch_id}
        labels = await unit_labels(self.session, branches)
        rows = [
            CandidateRow(
                p.id, p.name, labels.get(p.branch_id, "") if p.branch_id else "", p.phone,
                p.address, grid_id, grid_name,
            )
            for p, grid_id, grid_name in found.items
        ]  # fmt: skip
        return replace(found, items=rows)

    async def grid_choices(self) -> list[Grid]:
        """The live grids people can be assigned to."""
        found = await self.session.scalars(
            select(Grid).where(Grid.retired_at.is_(None)).order_by(Grid.name)
        )
        return list(found)

    async def assign(self, identity: Identity, form: AssignForm) -> AssignResult:
        """Put the chosen people (and their households, when asked) into the grid."""
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        session = self.session
        deceased = 0
        found: dict[UUID, bool] = {}
        if not form.everyone and form.person_ids:
            if len(form.person_ids) > MAX_AT_ONCE:
                raise _too_many()
            found = dict(
                (
                    await session.execute(
                        select(Person.id, Person.deceased_on.is_not(None)).where(
                            Person.id.in_(form.person_ids)
                        )
                    )
                ).all()
            )
            if len(found) != len(form.person_ids):
                raise NotFound()  # someone of another district, or no one
            deceased = sum(found.values())
        grid = await self._target(form.grid_id)
        if form.everyone:
            chosen = list(
                await session.scalars(
                    select(Person.id).where(*form.filter.conditions()).limit(MAX_AT_ONCE + 1)
                )
            )
            if not chosen:
                raise Refused(N_("Nobody matches the filter, so nobody was assigned."))
        else:
            if not form.person_ids:
                raise Refused(
                    N_("Please tick the people to assign, or choose everyone who matches.")
                )
            chosen = [p for p in form.person_ids if not found[p]]
        if form.households and chosen:
            chosen = await self._with_households(chosen)
        if len(chosen) > MAX_AT_ONCE:
            raise _too_many()
        if not chosen:
            raise Refused(N_("Deceased people are not assigned to grids."))
        assigned, moved, already = await self._move_into(grid, chosen, identity)
        await due.refresh(session, clock.today(), person_ids=chosen)
        await record(
            session, identity.actor, "grid.people_assigned", subject_type="grid",
            subject_id=grid.id, subject_name=grid.name,
            changes={"assigned": assigned, "moved": moved, "already": already,
                     "deceased_left_out": deceased, "households": form.households,
                     "everyone_matching": form.everyone},
        )  # fmt: skip
        await commit_or_refuse(
            session,
            {"uq_grid_assignments_current": N_(
                "Someone changed these people's grids at the same moment. Please try again."
            )},
        )  # fmt: skip
        return AssignResult(grid.id, grid.name, assigned, moved, already, deceased)

    async def _target(self, grid_id: UUID | None) -> Grid:
        """The grid, share-locked so that it is not retired while people join it."""
        grid = None
        if grid_id is not None:
            grid = await self.session.scalar(
                select(Grid).where(Grid.id == grid_id).with_for_update(read=True)
            )
        if grid is None:
            raise Refused(N_("Please choose the grid to assign them to."))
        if grid.retired_at is not None:
            raise Refused(N_("%(name)s is retired. Please choose another grid."), name=grid.name)
        return grid

    async def _with_households(self, chosen: list[UUID]) -> list[UUID]:
        """The chosen people and every living person at the same address as one of them."""
        keys = {
            key
            for key in await self.session.scalars(
                select(household(Person.address)).where(
                    Person.id.in_(chosen), Person.address.is_not(None)
                )
            )
            if key
        }
        if not keys:
            return chosen
        housemates = await self.session.scalars(
            select(Person.id)
            .where(Person.deceased_on.is_(None), household(Person.address).in_(sorted(keys)))
            .order_by(Person.sort_key)
            .limit(MAX_AT_ONCE + 1)
        )
        return list(dict.fromkeys([*chosen, *housemates]))

    async def _move_into(
        self, grid: Grid, chosen: list[UUID], identity: Identity
    ) -> tuple[int, int, int]:
        """End the open rows elsewhere and start new ones here: (new, moved, already)."""
        current = dict(
            (
                await self.session.execute(
                    select(GridAssignment.person_id, GridAssignment.grid_id)
                    .where(GridAssignment.person_id.in_(chosen), GridAssignment.ends_at.is_(None))
                    .with_for_update()
                )
            ).all()
        )
        moving = [p for p in chosen if p in current and current[p] != grid.id]
        joining = [p for p in chosen if current.get(p) != grid.id]
        now = clock.now()
        if moving:
            await self.session.execute(
                update(GridAssignment)
                .where(GridAssignment.person_id.in_(moving), GridAssignment.ends_at.is_(None))
                .values(ends_at=now, ended_by=identity.user_id)
                .execution_options(synchronize_session=False)
            )
        if joining:
            tenant_id = require_tenant()
            await self.session.execute(
                insert(GridAssignment),
                [
                    {
                        "tenant_id": tenant_id,
                        "person_id": person_id,
                        "grid_id": grid.id,
                        "starts_at": now,
                        "assigned_by": identity.user_id,
                    }
                    for person_id in joining
                ],
            )
        return len(joining) - len(moving), len(moving), len(chosen) - len(joining)


def _too_many() -> Refused:
    return Refused(
        N_("At most %(max)s people can be assigned at once. Please narrow the filter."),
        max=f"{MAX_AT_ONCE:,}",
    )
