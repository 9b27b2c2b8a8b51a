"""Grids and household assignment, must-visit rules and the meeting day (admin).

The district admin manages; secretaries, unit leaders and grid workers see the grids
app.grid.scope gives them, read-only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.core.errors import Refused
from app.core.query_params import query_id
from app.core.roles import Role
from app.grid.assign_forms import AssignFilter, read_assign_form
from app.grid.assignment import MAX_AT_ONCE, AssignmentService, AssignResult
from app.grid.grids import FIELDS, GridService
from app.grid.models import Grid
from app.grid.rule_routes import RuleController, refusal
from app.i18n import _
from app.people.models import UnitKind
from app.people.org.service import OrgService
from app.web.dependencies import provide_db_session
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other

ADMIN = allow(Role.TENANT_ADMIN)
VIEWERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)


def provide_grids(request: Request) -> GridService:
    return GridService(request.app.state.services)


def provide_assignment(request: Request) -> AssignmentService:
    return AssignmentService(request.app.state.services)


def grid_form(grid: Grid) -> dict[str, str]:
    return {key: str(getattr(grid, key) or "") for key in FIELDS} | {
        "month_target": str(grid.month_target),
        "quarter_target": str(grid.quarter_target),
    }


class GridAdminController(Controller):
    path = "/grid/grids"
    opt = VIEWERS
    dependencies = {"grids": Provide(provide_grids, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, grids: NamedDependency[GridService]) -> Template:
        identity = request.scope["user"]
        rows = await grids.grids(identity)
        may_manage = Role.TENANT_ADMIN in identity.roles
        return render(request, "grid/admin/grids.html", {"rows": rows, "may_manage": may_manage})

    @get("/new", opt=ADMIN)
    async def new(self, request: Request, grids: NamedDependency[GridService]) -> Template:
        form = {"month_target": "30", "quarter_target": "90"}
        return await self._form(request, grids, None, form)

    async def _form(
        self,
        request: Request,
        grids: GridService,
        grid: Grid | None,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"grid": grid, "form": form, "units": await grids.unit_choices(),
                   "error": None, "errors": {}}  # fmt: skip
        if refused is not None:
            context |= refusal(refused)
        return render(request, "grid/admin/grid_form.html", context,
                      status_code=422 if refused else 200)  # fmt: skip

    @post("/", opt=ADMIN)
    async def create(self, request: Request, grids: NamedDependency[GridService]) -> Any:
        data = await form_data(request)
        try:
            grid = await grids.create(request.scope["user"], data)
        except Refused as exc:
            return await self._form(request, grids, None, data, exc)
        flash(
            request, "success", _("Grid %(name)s added. Now add its grid workers.", name=grid.name)
        )
        return see_other(request, f"/grid/grids/{grid.id}")

    @get("/{grid_id:uuid}")
    async def show(
        self, request: Request, grids: NamedDependency[GridService], grid_id: FromPath[UUID]
    ) -> Template:
        identity = request.scope["user"]
        return render(
            request, "grid/admin/grid.html",
            {"detail": await grids.grid(identity, grid_id),
             "may_manage": Role.TENANT_ADMIN in identity.roles},
        )  # fmt: skip

    @get("/{grid_id:uuid}/edit", opt=ADMIN)
    async def edit(
        self, request: Request, grids: NamedDependency[GridService], grid_id: FromPath[UUID]
    ) -> Template:
        grid = (await grids.grid(request.scope["user"], grid_id)).grid
        return await self._form(request, grids, grid, grid_form(grid))

    @post("/{grid_id:uuid}", opt=ADMIN)
    async def update(
        self, request: Request, grids: NamedDependency[GridService], grid_id: FromPath[UUID]
    ) -> Any:
        identity = request.scope["user"]
        data = await form_data(request)
        try:
            await grids.update(identity, grid_id, data)
        except Refused as exc:
            grid = (await grids.grid(identity, grid_id)).grid
            return await self._form(request, grids, grid, data, exc)
        flash(request, "success", _("Saved."))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/retire", opt=ADMIN)
    async def retire(
        self, request: Request, grids: NamedDependency[GridService], grid_id: FromPath[UUID]
    ) -> Any:
        try:
            grid = await grids.retire(request.scope["user"], grid_id)
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
            return see_other(request, f"/grid/grids/{grid_id}")
        flash(request, "success", _("Grid %(name)s retired.", name=grid.name))
        return see_other(request, "/grid/grids")

    @post("/{grid_id:uuid}/workers", opt=ADMIN)
    async def add_worker(
        self, request: Request, grids: NamedDependency[GridService], grid_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        try:
            name = await grids.add_worker(request.scope["user"], grid_id, data.get("user_id", ""))
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
        else:
            flash(request, "success", _("%(name)s now works this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/workers/{user_id:uuid}/remove", opt=ADMIN)
    async def remove_worker(
        self,
        request: Request,
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
        user_id: FromPath[UUID],
    ) -> Any:
        try:
            name = await grids.remove_worker(request.scope["user"], grid_id, user_id)
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
        else:
            flash(request, "success", _("%(name)s no longer works this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")

    @post("/{grid_id:uuid}/people/{person_id:uuid}/remove", opt=ADMIN)
    async def remove_person(
        self,
        request: Request,
        grids: NamedDependency[GridService],
        grid_id: FromPath[UUID],
        person_id: FromPath[UUID],
    ) -> Any:
        try:
            name = await grids.remove_person(request.scope["user"], grid_id, person_id)
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
        else:
            flash(request, "success", _("%(name)s was taken out of this grid.", name=name))
        return see_other(request, f"/grid/grids/{grid_id}")


async def assign_page(
    request: Request,
    wanted: AssignFilter,
    *,
    unassigned_view: bool = False,
    form: dict[str, Any] | None = None,
    error: str | None = None,
) -> Template:
    """The bulk-assignment list (or the unassigned list): filter, ticks, grid, options."""
    services = request.app.state.services
    assignment = AssignmentService(services)
    kinds = (UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH, UnitKind.GROUP)
    form = form or {"grid_id": str(query_id(request.query_params, "grid") or ""), "ticked": []}
    return render(
        request,
        "grid/admin/unassigned.html" if unassigned_view else "grid/admin/assign.html",
        {
            "found": await assignment.candidates(wanted),
            "grids": await assignment.grid_choices(),
            "units": await OrgService(provide_db_session(request)).choices(*kinds),
            "form": form,
            "error": error,
            "max_at_once": MAX_AT_ONCE,
        },
        status_code=422 if error else 200,
    )


def assigned_message(result: AssignResult) -> str:
    message = _(
        "%(grid)s: %(assigned)s newly assigned, %(moved)s moved from another grid, "
        "%(already)s already there.",
        grid=result.grid_name, assigned=result.assigned, moved=result.moved,
        already=result.already,
    )  # fmt: skip
    if result.deceased:
        message += " " + _("%(num)s deceased left out.", num=result.deceased)
    return message


class AssignController(Controller):
    path = "/grid/assign"
    opt = ADMIN
    dependencies = {"assignment": Provide(provide_assignment, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request) -> Template:
        return await assign_page(request, AssignFilter.from_params(request.query_params))

    @post("/")
    async def assign(self, request: Request, assignment: NamedDependency[AssignmentService]) -> Any:
        submitted = await request.form()
        data = {key: str(value) for key, value in submitted.items() if isinstance(value, str)}
        ticked = [str(value) for value in submitted.getall("person_id", [])]
        unassigned_view = data.get("view") == "unassigned"
        wanted = AssignFilter.from_params(data)
        try:
            result = await assignment.assign(request.scope["user"], read_assign_form(data, ticked))
        except Refused as exc:
            return await assign_page(
                request, wanted, unassigned_view=unassigned_view,
                form=data | {"ticked": ticked}, error=_(exc.message, **exc.args_),
            )  # fmt: skip
        flash(request, "success", assigned_message(result))
        back = "/grid/unassigned" if unassigned_view else "/grid/assign"
        return see_other(request, f"{back}?{wanted.query_string(page=wanted.page)}")


@get("/grid/unassigned", opt=ADMIN)
async def unassigned(request: Request) -> Template:
    """Living people nobody answers for: no open assignment to any grid."""
    params = request.query_params
    wanted = AssignFilter.from_params({"unit": params.get("unit", ""), "unassigned": "1",
                                       "page": params.get("page", "1")})  # fmt: skip
    return await assign_page(request, wanted, unassigned_view=True)


ROUTES: list[ControllerRouterHandler] = [
    GridAdminController,
    AssignController,
    unassigned,
    RuleController,
]
