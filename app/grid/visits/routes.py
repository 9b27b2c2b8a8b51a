"""The grid worker's phone: the due list, logging visits, the person's service card,
concerns. Every form works with JavaScript off; a refused form comes back with what
was typed."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.core import clock
from app.core.errors import Refused
from app.core.query_params import query_id, query_text
from app.core.roles import Role
from app.db.form_ids import FormUsed
from app.grid.due import NotYetOpen
from app.grid.due_list import DueListService
from app.grid.models import CONCERN_LABELS, PLACE_LABELS, VISIT_KIND_LABELS
from app.grid.person_card import PersonCardService
from app.grid.visits import KNOWS, VisitForm, VisitService
from app.i18n import N_, _
from app.people.forms import chosen_id
from app.points.photos import UPLOAD_LIMIT
from app.service_requests.views import RequestViews
from app.web.downloads import PHOTO, private_photo
from app.web.flash import flash
from app.web.guards import allow, may_open
from app.web.responses import form_data, render, see_other
from app.web.templates import day

SERVING = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)


def provide_visits(request: Request) -> VisitService:
    return VisitService(request.app.state.services)


async def read_visit_form(request: Request) -> tuple[dict[str, str], VisitForm]:
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    upload = form.get("photo")
    photo = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    person_id = chosen_id(data, "person_id")
    if person_id is None:
        raise Refused(N_("Please choose the person you visited."))
    visit_id = chosen_id(data, "visit_id") or uuid4()
    knows = tuple(data.get(key, "") for key in KNOWS)
    return data, VisitForm(
        id=visit_id, person_id=person_id, kind=data.get("kind", ""), place=data.get("place", ""),
        visited_on=data.get("visited_on", ""), notes=data.get("notes", ""),
        knows=(knows[0], knows[1], knows[2], knows[3]), follow_up=data.get("follow_up") == "1",
        photo=photo,
    )  # fmt: skip


def not_yet_words(items: list[NotYetOpen]) -> list[str]:
    """Why a visit does not answer these items: their window opens later — or, for a
    visit logged late, opened after it (never "opens" on a day already past)."""
    return [
        _(
            "This visit does not count for %(rule)s: its time to visit opened on %(day)s, "
            "after the visit. Please visit again.", rule=item.rule_name, day=day(item.opens_on),
        )
        if item.opened
        else _(
            "This visit will not count for %(rule)s: its time to visit opens on %(day)s.",
            rule=item.rule_name, day=day(item.opens_on),
        )
        for item in items
    ]  # fmt: skip


class GridController(Controller):
    path = "/grid"
    opt = SERVING
    dependencies = {"visits": Provide(provide_visits, sync_to_thread=False)}

    @get("/")
    async def due_list(self, request: Request) -> Template:
        """The grid worker's home: who is due a visit, why, by when; overdue first."""
        grid = query_id(request.query_params, "grid")
        holiday = query_id(request.query_params, "holiday")
        services, identity = request.app.state.services, request.scope["user"]
        due = await DueListService(services).due_list(identity, grid, holiday)
        requests = await RequestViews(services).dashboard_counts(identity)
        context = {
            "due": due, "request_counts": requests, "grid": grid,
            # With no grid to show: the first step, for whoever may take it.
            "may_add_grid": may_open(request, "/grid/grids/new"),
            "works_grids": Role.GRID_WORKER in identity.roles,
        }  # fmt: skip
        return render(request, "grid/due.html", context)

    @get("/visits/new")
    async def new_visit(self, request: Request, visits: NamedDependency[VisitService]) -> Template:
        return await self._visit_form(request, visits)

    async def _visit_form(
        self,
        request: Request,
        visits: VisitService,
        *,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        """Choose the person first (by name, pinyin or phone), then one screen to fill."""
        identity = request.scope["user"]
        person_id = query_id(form or {}, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        context: dict[str, Any] = {
            "form": form or {}, "error": error, "q": query, "today": clock.today(),
            "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS, "person": None, "found": [],
            "not_yet": [],
        }  # fmt: skip
        if person_id is not None:
            try:
                context |= await visits.form_context(identity, person_id, named=form is not None)
                context["not_yet"] = not_yet_words(context["not_yet"])
            except Refused as exc:
                context["error"] = _(exc.message, **exc.args_)
                status_code = 422 if form is not None else 403
        else:
            context["found"] = await visits.pick(identity, query)
        if form is None and context["person"] is not None:
            knows = context.get("knows", {})
            context["form"] = {key: knows.get(key, "") for key in KNOWS} | {
                "kind": context["kind"], "place": context["place"], "visit_id": str(uuid4()),
            }  # fmt: skip
        return render(request, "grid/visit_form.html", context, status_code=status_code)

    @post("/visits", request_max_body_size=UPLOAD_LIMIT)
    async def log_visit(self, request: Request, visits: NamedDependency[VisitService]) -> Any:
        data: dict[str, str] = {}
        try:
            data, form = await read_visit_form(request)
            logged = await visits.log(request.scope["user"], form)
        except Refused as exc:
            if isinstance(exc, FormUsed):
                data["visit_id"] = str(uuid4())
            return await self._visit_form(
                request, visits, form=data or {"_": ""},
                error=_(exc.message, **exc.args_), status_code=422,
            )  # fmt: skip
        message = _("Visit saved.")
        if logged.repeated:
            message = _("This visit was already saved.")
        elif logged.answered:
            message += " " + _("Done: %(items)s.", items="、".join(logged.answered))
        for words in not_yet_words(logged.not_yet):
            message += " " + words
        flash(request, "success", message)
        return see_other(request, "/grid")

    @get("/visits/{visit_id:uuid}")
    async def visit(
        self, request: Request, visits: NamedDependency[VisitService], visit_id: FromPath[UUID]
    ) -> Template:
        visit = await visits.visit(request.scope["user"], visit_id)
        return render(
            request, "grid/visit.html",
            {"visit": visit, "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS},
        )  # fmt: skip

    @get("/visits/photos/{visit_photo_id:uuid}", opt=PHOTO)
    async def photo(
        self,
        request: Request,
        visits: NamedDependency[VisitService],
        visit_photo_id: FromPath[UUID],
    ) -> Response[bytes]:
        content = await visits.photo(request.scope["user"], visit_photo_id)
        return private_photo(content)

    @get("/people/{person_id:uuid}")
    async def person(self, request: Request, person_id: FromPath[UUID]) -> Template:
        """The person's service card: four knows, concerns, what is due, visit history."""
        card = await PersonCardService(request.app.state.services).card(
            request.scope["user"], person_id
        )
        return render(
            request, "grid/person.html",
            {"card": card, "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS,
             "concern_kinds": CONCERN_LABELS},
        )  # fmt: skip

    @post("/people/{person_id:uuid}/concerns")
    async def note_concern(
        self, request: Request, visits: NamedDependency[VisitService], person_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        try:
            await visits.note_concern(
                request.scope["user"], person_id, data.get("kind", ""), data.get("note", "")
            )
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
            return see_other(request, f"/grid/people/{person_id}")
        flash(request, "success", _("Noted. The visit it asks for is on the due list."))
        return see_other(request, f"/grid/people/{person_id}")

    @post("/concerns/{concern_id:uuid}/close")
    async def close_concern(
        self, request: Request, visits: NamedDependency[VisitService], concern_id: FromPath[UUID]
    ) -> Any:
        try:
            concern = await visits.close_concern(request.scope["user"], concern_id)
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
            return see_other(request, "/grid")
        flash(request, "success", _("Closed."))
        return see_other(request, f"/grid/people/{concern.person_id}")


ROUTES: list[ControllerRouterHandler] = [GridController]
