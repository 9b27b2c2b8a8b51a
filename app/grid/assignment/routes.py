"""Household assignment (the district admin): the bulk-assignment list and the list of
people nobody answers for, both assigning into a grid."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_id
from app.core.roles import Role
from app.grid.assignment.forms import AssignFilter, parse_assign_form
from app.grid.assignment.service import MAX_AT_ONCE, AssignmentService, AssignResult
from app.grid.grids.routes import provide_org
from app.i18n import _
from app.people.models import UnitKind
from app.people.org.service import OrgService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import render, see_other, sent_back

ADMIN = allow(Role.TENANT_ADMIN)
FILTER_UNITS = (UnitKind.CENTER, UnitKind.SUBCENTER, UnitKind.BRANCH, UnitKind.GROUP)


def provide_assignment(db_session: NamedDependency[AsyncSession]) -> AssignmentService:
    return AssignmentService(db_session)


async def assign_page(
    request: Request,
    org: OrgService,
    assignment: AssignmentService,
    wanted: AssignFilter,
    *,
    unassigned_view: bool = False,
    sent: dict[str, Any] | None = None,
    refused: Refused | None = None,
) -> Template:
    """The bulk-assignment list (or the unassigned list): filter, ticks, grid, options.
    `sent`: the form as it was posted, when it comes back `refused`."""
    form = sent or {"grid_id": str(query_id(request.query_params, "grid") or ""), "ticked": []}
    page = "grid/admin/unassigned.html" if unassigned_view else "grid/admin/assign.html"
    context = {
        "found": await assignment.candidates(wanted),
        "wanted": wanted,
        "grids": await assignment.grid_choices(),
        "units": await org.choices(*FILTER_UNITS),
        "form": form,
        "error": None,
        "errors": {},
        "max_at_once": MAX_AT_ONCE,
    }
    if refused is not None:
        return sent_back(request, page, context, refused)
    return render(request, page, context)


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
    dependencies = {
        "assignment": Provide(provide_assignment, sync_to_thread=False),
        "org": Provide(provide_org, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        org: NamedDependency[OrgService],
        assignment: NamedDependency[AssignmentService],
    ) -> Template:
        wanted = AssignFilter.from_params(request.query_params)
        return await assign_page(request, org, assignment, wanted)

    @post("/")
    async def assign(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        org: NamedDependency[OrgService],
        assignment: NamedDependency[AssignmentService],
    ) -> Any:
        submitted = await request.form()
        data = {key: str(value) for key, value in submitted.items() if isinstance(value, str)}
        ticked = [str(value) for value in submitted.getall("person_id", [])]
        unassigned_view = data.get("view") == "unassigned"
        wanted = AssignFilter.from_params(data)
        try:
            result = await assignment.assign(identity, parse_assign_form(data, ticked))
        except Refused as exc:
            return await assign_page(
                request, org, assignment, wanted, unassigned_view=unassigned_view,
                sent=data | {"ticked": ticked}, refused=exc,
            )  # fmt: skip
        flash(request, "success", assigned_message(result))
        back = "/grid/unassigned" if unassigned_view else "/grid/assign"
        return see_other(request, f"{back}?{wanted.query_string(page=wanted.page)}")


@get("/grid/unassigned", opt=ADMIN, dependencies=AssignController.dependencies)
async def unassigned(
    request: Request,
    org: NamedDependency[OrgService],
    assignment: NamedDependency[AssignmentService],
) -> Template:
    """Living people nobody answers for: no open assignment to any grid."""
    params = request.query_params
    wanted = AssignFilter.from_params({"unit": params.get("unit", ""), "unassigned": "1",
                                       "page": params.get("page", "1")})  # fmt: skip
    return await assign_page(request, org, assignment, wanted, unassigned_view=True)


ROUTES: list[ControllerRouterHandler] = [AssignController, unassigned]
