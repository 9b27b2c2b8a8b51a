"""Grids (网格) and who works them: the district admin names each grid, ties it to an
org unit (whose leaders then see it), sets its visit targets and its grid workers, and
retires it once its people have moved on. Others see the grids app.grid.scope
gives them, read-only (the reading side is app.grid.grids.views).

Assigning people to grids is app.grid.assignment; a person's assignment history, shown
on their page, is `GridViews.history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import func, select, update

from app.accounts.models import User
from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FormErrors, InvalidForm
from app.core.identity import Identity
from app.core.roles import Role
from app.db.commit import commit_or_refuse
from app.db.tenant import require_tenant
from app.grid.grids.forms import FIELDS, GridForm, parse_grid_form
from app.grid.grids.views import GRID_UNIT_KINDS, GridViews, grid_workers, open_in
from app.grid.models import Grid, GridAssignment, GridWorker
from app.i18n import N_
from app.people.models import OrgUnit, Person

NAME_TAKEN = N_("There is already a grid of this name. Please choose another name.")
RETIRED = N_("This grid is retired and can no longer be changed.")


class GridService(GridViews):
    """The grid pages' reading (GridViews) and the admin's changes."""

    async def _managed(self, identity: Identity, grid_id: UUID) -> Grid:
        """The grid, locked, for the admin to change (NotFound for anyone else)."""
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        grid = await self.session.scalar(select(Grid).where(Grid.id == grid_id).with_for_update())
        if grid is None:
            raise NotFound()
        return grid

    async def _check(self, values: GridForm, grid_id: UUID | None) -> None:
        """The unit is a live center, sub-center or branch; the name is free."""
        errors: FormErrors = {}
        unit = await self.session.scalar(
            select(OrgUnit).where(OrgUnit.id == values.unit_id, OrgUnit.retired_at.is_(None))
        )
        if unit is None or unit.kind not in GRID_UNIT_KINDS:
            errors["unit_id"] = N_("Please choose from the list.")
        same_name = select(Grid.id).where(Grid.name == values.name, Grid.retired_at.is_(None))
        if grid_id is not None:
            same_name = same_name.where(Grid.id != grid_id)
        if await self.session.scalar(same_name.limit(1)) is not None:
            errors["name"] = NAME_TAKEN
        if errors:
            raise InvalidForm(errors)

    async def create(self, identity: Identity, data: Mapping[str, str]) -> Grid:
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        values = parse_grid_form(data)
        session = self.session
        await self._check(values, None)
        grid = Grid(tenant_id=require_tenant(), **{key: getattr(values, key) for key in FIELDS})
        session.add(grid)
        await session.flush()
        await record(
            session, identity.actor, "grid.created", subject_type="grid",
            subject_id=grid.id, subject_name=grid.name,
            changes={key: str(getattr(values, key)) for key in FIELDS},
        )  # fmt: skip
        # Two admins adding the same name at once meet at the unique index.
        await commit_or_refuse(session, {"uq_grids_name": NAME_TAKEN})
        return grid

    async def update(self, identity: Identity, grid_id: UUID, data: Mapping[str, str]) -> Grid:
        """Save the grid form; the form is read only once the grid is known to be one
        the admin may change (NotFound first, as for another district's grid)."""
        session = self.session
        grid = await self._managed(identity, grid_id)
        if grid.retired_at is not None:
            raise Refused(RETIRED)
        values = parse_grid_form(data)
        await self._check(values, grid.id)
        changes = {
            key: [str(getattr(grid, key)), str(getattr(values, key))]
            for key in FIELDS
            if getattr(grid, key) != getattr(values, key)
        }
        if changes:
            for key in FIELDS:
                setattr(grid, key, getattr(values, key))
            await record(
                session, identity.actor, "grid.changed", subject_type="grid",
                subject_id=grid.id, subject_name=grid.name, changes=changes,
            )  # fmt: skip
        await commit_or_refuse(session, {"uq_grids_name": NAME_TAKEN})
        return grid

    async def retire(self, identity: Identity, grid_id: UUID) -> Grid:
        """Retire a grid nobody is assigned to any more (its history stays). The row
        lock makes a bulk assignment into it wait, then see it retired."""
        session = self.session
        grid = await self._managed(identity, grid_id)
        if grid.retired_at is not None:
            raise Refused(RETIRED)
        people = await session.scalar(
            select(func.count(GridAssignment.id)).where(*open_in(grid.id))
        )
        if people:
            raise Refused(
                N_("%(name)s still has %(num)s people in it. Move its people first."),
                name=grid.name, num=people,
            )  # fmt: skip
        grid.retired_at = clock.now()
        await record(
            session, identity.actor, "grid.retired", subject_type="grid",
            subject_id=grid.id, subject_name=grid.name,
        )  # fmt: skip
        await session.commit()
        return grid

    async def add_worker(self, identity: Identity, grid_id: UUID, chosen: str) -> str:
        """Make a grid worker (`chosen`: their account's id, as the form sent it) answer
        for this grid too. Returns their name."""
        session = self.session
        grid = await self._managed(identity, grid_id)
        if grid.retired_at is not None:
            raise Refused(RETIRED)
        eligible = {w.id: w for w in await grid_workers(session)}
        try:
            user_id: UUID | None = UUID(chosen.strip())
        except ValueError:
            user_id = None
        if user_id is None or user_id not in eligible:
            raise Refused(N_("Please choose a grid worker from the list."))
        key = {"tenant_id": grid.tenant_id, "grid_id": grid.id, "user_id": user_id}
        if await session.get(GridWorker, key) is None:
            session.add(GridWorker(**key))
            await record(
                session, identity.actor, "grid.worker_added", subject_type="grid",
                subject_id=grid.id, subject_name=grid.name,
                changes={"worker": eligible[user_id].name},
            )  # fmt: skip
        await session.commit()
        return eligible[user_id].name

    async def remove_worker(self, identity: Identity, grid_id: UUID, user_id: UUID) -> str:
        session = self.session
        grid = await self._managed(identity, grid_id)
        key = {"tenant_id": grid.tenant_id, "grid_id": grid.id, "user_id": user_id}
        worker = await session.get(GridWorker, key)
        if worker is None:
            raise NotFound()
        if grid.retired_at is not None:
            raise Refused(RETIRED)
        name = await session.scalar(select(User.name).where(User.id == user_id)) or ""
        await session.delete(worker)
        await record(
            session, identity.actor, "grid.worker_removed", subject_type="grid",
            subject_id=grid.id, subject_name=grid.name, changes={"worker": name},
        )  # fmt: skip
        await session.commit()
        return name

    async def remove_person(self, identity: Identity, grid_id: UUID, person_id: UUID) -> str:
        """End the person's assignment to this grid (the row stays, as history)."""
        session = self.session
        grid = await self._managed(identity, grid_id)
        person = await session.get(Person, {"tenant_id": grid.tenant_id, "id": person_id})
        if person is None:
            raise NotFound()
        ended = await session.execute(
            update(GridAssignment)
            .where(GridAssignment.person_id == person.id, *open_in(grid.id))
            .values(ends_at=clock.now(), ended_by=identity.user_id)
            .execution_options(synchronize_session=False)
        )
        if not ended.rowcount:  # type: ignore[attr-defined]
            raise Refused(N_("%(name)s is no longer in this grid."), name=person.name)
        await record(
            session, identity.actor, "grid.person_removed", subject_type="grid",
            subject_id=grid.id, subject_name=grid.name,
            changes={"person": str(person.id), "name": person.name},
        )  # fmt: skip
        await session.commit()
        return person.name
