"""The grid worker's phone: the due list, logging visits, the person's service card,
concerns. Every form works with JavaScript off; a refused form comes back with what
was typed."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable
from uuid import UUID, uuid4

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.photos import UPLOAD_LIMIT, evidence_jpeg
from app.core.query_params import query_choice, query_id, query_text
from app.core.roles import Role
from app.db.form_ids import FormUsed
from app.grid.due import NotYetOpen
from app.grid.models import CONCERN_LABELS, PLACE_LABELS, VISIT_KIND_LABELS, Trigger, VisitKind
from app.grid.visits.due_list import DueListService
from app.grid.visits.forms import KNOWS, parse_visit_form
from app.grid.visits.person_card import PersonCardService
from app.grid.visits.service import VisitService
from app.i18n import _
from app.web.downloads import PHOTO, private_photo
from app.web.flash import flash
from app.web.guards import allow, may_open
from app.web.responses import form_data, refused_back, render, see_other, sent_back
from app.web.templates import day

SERVING = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
GIFTS = "/care/political-birthdays"
"""Political birthdays' gifts (app.care): a political birthday's visit leads there."""


class RequestCounts(Protocol):
    @property
    def waiting(self) -> int: ...
    @property
    def overdue(self) -> int: ...


@runtime_checkable  # Litestar checks a dependency's value against its annotation
class RequestCounter(Protocol):
    """The service requests waiting for this user, shown above the due list. Service
    requests build on the grid (not the other way round), so the app supplies the
    counter (the `request_counter` dependency, app/main.py) in the request's session."""

    async def dashboard_counts(self, identity: Identity) -> RequestCounts: ...


def provide_visits(db_session: NamedDependency[AsyncSession]) -> VisitService:
    return VisitService(db_session)


async def visit_form_data(request: Request) -> tuple[dict[str, str], bytes | None]:
    """The visit form's fields as strings, and the photo's bytes if one was chosen."""
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    upload = form.get("photo")
    photo = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    return data, photo


async def small_jpeg(photo: bytes | None) -> bytes | None:
    """The upload as evidence (a small JPEG without metadata): Pillow's work off the
    event loop. Refused if it is no photo."""
    return await anyio.to_thread.run_sync(evidence_jpeg, photo) if photo else None


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
    async def due_list(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        request_counter: NamedDependency[RequestCounter],
    ) -> Template:
        """The grid worker's home: who is due a visit, why, by when; overdue first."""
        grid = query_id(request.query_params, "grid")
        holiday = query_id(request.query_params, "holiday")
        due = await DueListService(db_session).due_list(identity, grid, holiday)
        requests = await request_counter.dashboard_counts(identity)
        context = {
            "due": due, "request_counts": requests, "grid": grid,
            # With no grid to show: the first step, for whoever may take it.
            "may_add_grid": may_open(request, "/grid/grids/new"),
            "works_grids": Role.GRID_WORKER in identity.roles,
        }  # fmt: skip
        return render(request, "grid/due.html", context)

    @get("/visits/new")
    async def new_visit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
    ) -> Template:
        return await self._visit_form(request, identity, visits)

    async def _visit_form(
        self,
        request: Request,
        identity: Identity,
        visits: VisitService,
        *,
        sent: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        """Choose the person first (by name, pinyin or phone), then one screen to fill.
        `sent`: the form as typed, when it comes back `refused`."""
        person_id = query_id(sent or {}, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        context: dict[str, Any] = {
            "form": sent or {}, "error": None, "errors": {}, "q": query, "today": clock.today(),
            "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS, "person": None, "found": [],
            "not_yet": [],
        }  # fmt: skip
        status_code = 422
        if person_id is not None:
            try:
                wanted = query_choice(request.query_params, "for", set(Trigger)) or None
                context |= await visits.form_context(
                    identity, person_id, named=sent is not None, trigger=wanted
                )
                context["not_yet"] = not_yet_words(context["not_yet"])
                if context["person"].deceased_on is None:  # 吊唁 is for a family after a death
                    context["kinds"] = {
                        kind: label
                        for kind, label in VISIT_KIND_LABELS.items()
                        if kind != VisitKind.CONDOLENCE
                    }
            except Refused as exc:
                refused, status_code = exc, 422 if sent is not None else 403
        else:
            context["found"] = await visits.pick(identity, query)
        if sent is None and context["person"] is not None:
            knows = context.get("knows", {})
            context["form"] = {key: knows.get(key, "") for key in KNOWS} | {
                "kind": context["kind"], "place": context["place"], "visit_id": str(uuid4()),
            }  # fmt: skip
        if refused is not None:
            return sent_back(
                request, "grid/visit_form.html", context, refused, status_code=status_code
            )
        return render(request, "grid/visit_form.html", context)

    @post("/visits", request_max_body_size=UPLOAD_LIMIT)
    async def log_visit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
    ) -> Any:
        data, photo = await visit_form_data(request)
        try:
            logged = await visits.log(identity, parse_visit_form(data, await small_jpeg(photo)))
        except Refused as exc:
            if isinstance(exc, FormUsed):
                data["visit_id"] = str(uuid4())
            return await self._visit_form(request, identity, visits, sent=data, refused=exc)
        message = _("Visit saved.")
        if logged.repeated:
            message = _("This visit was already saved.")
        elif logged.answered:
            message += " " + _("Done: %(items)s.", items="、".join(logged.answered))
        for words in not_yet_words(logged.not_yet):
            message += " " + words
        flash(request, "success", message)
        if logged.visit.kind == VisitKind.POLITICAL_BIRTHDAY and may_open(request, GIFTS):
            # A political birthday's visit: its five gifts are ticked next, on their page.
            return see_other(request, f"{GIFTS}/{logged.visit.person_id}")
        return see_other(request, "/grid")

    @get("/visits/{visit_id:uuid}")
    async def visit(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
        visit_id: FromPath[UUID],
    ) -> Template:
        visit = await visits.visit(identity, visit_id)
        return render(
            request, "grid/visit.html",
            {"visit": visit, "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS},
        )  # fmt: skip

    @get("/visits/photos/{visit_photo_id:uuid}", opt=PHOTO)
    async def photo(
        self,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
        visit_photo_id: FromPath[UUID],
    ) -> Response[bytes]:
        return private_photo(await visits.photo(identity, visit_photo_id))

    @get("/people/{person_id:uuid}")
    async def person(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
        person_id: FromPath[UUID],
    ) -> Template:
        """The person's service card: four knows, concerns, what is due, visit history."""
        card = await PersonCardService(db_session).card(identity, person_id)
        return render(
            request, "grid/person.html",
            {"card": card, "kinds": VISIT_KIND_LABELS, "places": PLACE_LABELS,
             "concern_kinds": CONCERN_LABELS},
        )  # fmt: skip

    @post("/people/{person_id:uuid}/concerns")
    async def note_concern(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
        person_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await visits.note_concern(
                identity, person_id, data.get("kind", ""), data.get("note", "")
            )
        except Refused as exc:
            return refused_back(request, exc, f"/grid/people/{person_id}")
        flash(request, "success", _("Noted. The visit it asks for is on the due list."))
        return see_other(request, f"/grid/people/{person_id}")

    @post("/concerns/{concern_id:uuid}/close")
    async def close_concern(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        visits: NamedDependency[VisitService],
        concern_id: FromPath[UUID],
    ) -> Any:
        try:
            concern = await visits.close_concern(identity, concern_id)
        except Refused as exc:
            return refused_back(request, exc, "/grid")
        flash(request, "success", _("Closed."))
        return see_other(request, f"/grid/people/{concern.person_id}")


ROUTES: list[ControllerRouterHandler] = [GridController]
