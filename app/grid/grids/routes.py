"""Grids and who works them (the district admin manages; secretaries, unit leaders and
grid workers see the grids app.grid.scope gives them, read-only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.grid.grids.forms import grid_form
from app.grid.grids.service import GridService
from app.grid.grids.views import GRID_UNIT_KINDS
from app.grid.models import Grid
from app.i18n import _
from app.people.org.service import OrgService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back

ADMIN = allow(Role.TENANT_ADMIN)
VIEWERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)


def provide_grids(db_session: NamedDependency[AsyncSession]) -> GridService:
    return GridService(db_session)


def provide_org(db_session: NamedDependency[AsyncSession]) -> OrgService:
    """The org tree, for the unit pickers of the grid and assignment pages."""
    return OrgService(db_session)


async def grid_form_page(
    request: Request,
    org: OrgService,
    grid: Grid | None,
    form: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    """The form to add a grid (`grid` None) or change one, with what was typed."""
    units = await org.choices(*GRID_UNIT_KINDS)
    context = {"grid": grid, "form": form, "units": units, "error": None, "errors": {}}
    if refused is not None:
        return sent_back(request, "grid/admin/grid_form.html", context, refused)
    return render(request, "grid/admin/grid_form.html", context)


class GridAdminController(Controller):
    path = "/grid/grids"
    opt = VIEWERS
    dependencies = {
        "grids": Provide(provide_grids, sync_to_thread=False),
        "org": Provide(provide_org, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
    ) -> Template:
        rows = await grids.grids(identity)
        may_manage = Role.TENANT_ADMIN in identity.roles
        return render(request, "grid/admin/grids.html", {"rows": rows, "may_manage": may_manage})

    @get("/new", opt=ADMIN)
    async def new(self, request: Request, org: NamedDependency[OrgService]) -> Template:
        return await grid_form_page(
            request, org, None, {"month_target": "30", "quarter_target": "90"}
        )

    @post("/", opt=ADMIN)
    async def create(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
        grids: NamedDependency[GridService],
    ) -> Any:
        data = await form_data(request)
        try:
            grid = await grids.create(identity, data)
        except Refused as exc:
            return await grid_form_page(request, org, None, data, exc)
        flash(
            request, "success", _("Grid %(name)s added. Now add its grid workers.", name=grid.name)
        )
        return see_other(request, f"/grid/grids/{grid.id}")

    @get("/{grid_id:uuid}")
    async def show(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
    ) -> Template:
        return render(
            request, "grid/admin/grid.html",
            {"detail": await grids.grid(identity, grid_id),
             "may_manage": Role.TENANT_ADMIN in identity.roles},
        )  # fmt: skip

    @get("/{grid_id:uuid}/edit", opt=ADMIN)
    async def edit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
    ) -> Template:
        grid = (await grids.grid(identity, grid_id)).grid
        return await grid_form_page(request, org, grid, grid_form(grid))

    @post("/{grid_id:uuid}", opt=ADMIN)
    async def update(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await grids.update(identity, grid_id, data)
        except Refused as exc:
            grid = (await grids.grid(identity, grid_id)).grid
            return await grid_form_page(request, org, grid, data, exc)
        flash(request, "success", _("Saved."))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/retire", opt=ADMIN)
    async def retire(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
    ) -> Any:
        try:
            grid = await grids.retire(identity, grid_id)
        except Refused as exc:
            return refused_back(request, exc, f"/grid/grids/{grid_id}")
        flash(request, "success", _("Grid %(name)s retired.", name=grid.name))
        return see_other(request, "/grid/grids")

    @post("/{grid_id:uuid}/workers", opt=ADMIN)
    async def add_worker(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            name = await grids.add_worker(identity, grid_id, data.get("user_id", ""))
        except Refused as exc:
            return refused_back(request, exc, f"/grid/grids/{grid_id}")
        flash(request, "success", _("%(name)s now works this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/workers/{user_id:uuid}/remove", opt=ADMIN)
    async def remove_worker(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
        user_id: FromPath[UUID],
    ) -> Any:
        try:
            name = await grids.remove_worker(identity, grid_id, user_id)
        except Refused as exc:
            return refused_back(request, exc, f"/grid/grids/{grid_id}")
        flash(request, "success", _("%(name)s no longer works this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/people/{person_id:uuid}/remove", opt=ADMIN)
    async def remove_person(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
        person_id: FromPath[UUID],
    ) -> Any:
        try:
            name = await grids.remove_person(identity, grid_id, person_id)
        except Refused as exc:
            return refused_back(request, exc, f"/grid/grids/{grid_id}")
        flash(request, "success", _("%(name)s was taken out of this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")


ROUTES: list[ControllerRouterHandler] = [GridAdminController]
