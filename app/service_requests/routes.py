"""Service requests: log, assign, work, resolve, confirm; SLA settings and compliance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.core.clock import CHINA_TIME
from app.core.errors import Refused
from app.core.query_params import query_choice, query_id, query_text
from app.core.roles import TENANT_ROLES, Role
from app.db.form_ids import FormUsed
from app.i18n import N_, _
from app.people.forms import chosen_id
from app.service_requests.compliance import NOT_ASSIGNED, PERIODS, compliance
from app.service_requests.forms import MAX_DESCRIPTION, MAX_NOTE, RequestForm
from app.service_requests.models import STATUS_LABELS, RequestStatus
from app.service_requests.queries import CallBack
from app.service_requests.service import RequestService
from app.service_requests.settings_routes import RequestSettingsController
from app.service_requests.views import RequestViews
from app.service_requests.words import clock_words, level_label, sla_words
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other

STAFF = (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
LEADERS = (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)

EVENT_LABELS = {
    "logged": N_("Logged"),
    "assigned": STATUS_LABELS[RequestStatus.ASSIGNED],
    "started": N_("Work started"),
    "resolved": STATUS_LABELS[RequestStatus.RESOLVED],
    "confirmed": STATUS_LABELS[RequestStatus.CONFIRMED],
    "reopened": STATUS_LABELS[RequestStatus.REOPENED],
    "escalated": N_("Escalated"),
}
REOPENED_FOR_CALLBACK = N_(
    "The person is not satisfied: the request is reopened, and %(who)s will call the person back."
)
SATISFACTION_LABELS = {
    1: N_("Very dissatisfied"),
    2: N_("Dissatisfied"),
    3: N_("Acceptable"),
    4: N_("Satisfied"),
    5: N_("Very satisfied"),
}


def call_back_words(asked: CallBack, names: dict[int, str]) -> str:
    """Who will call the person back: by name, else by their level's name."""
    return "、".join(asked.names) if asked.names else level_label(asked.level, names)


def provide_service(request: Request) -> RequestService:
    return RequestService(request.app.state.services)


def provide_views(request: Request) -> RequestViews:
    return RequestViews(request.app.state.services)


def shared() -> dict[str, Any]:
    """What every request page formats with."""
    return {
        "statuses": STATUS_LABELS,
        "clock_words": clock_words,
        "sla_words": sla_words,
        "level_label": level_label,
        "call_back_words": call_back_words,
        "china_time": CHINA_TIME,
    }


class RequestController(Controller):
    path = "/requests"
    opt = allow(*TENANT_ROLES)
    dependencies = {
        "service": Provide(provide_service, sync_to_thread=False),
        "views": Provide(provide_views, sync_to_thread=False),
    }

    @get("/")
    async def index(self, request: Request, views: NamedDependency[RequestViews]) -> Template:
        """Assigned to me, waiting at my level, and every open request I see: overdue first.
        A member (no staff role) sees their own requests in plain words instead."""
        identity = request.scope["user"]
        if not identity.has_any(set(STAFF)):
            own = await views.own(identity)
            return render(request, "service_requests/own.html", {**shared(), "own": own})
        status = query_text(request.query_params, "status")
        category = query_id(request.query_params, "category")
        return render(
            request,
            "service_requests/index.html",
            {
                **shared(),
                "lists": await views.lists(identity, status or None, category),
                "categories": await views.categories(retired=True),
                "status": status,
                "category": str(category or ""),
                "may_log": identity.has_any(set(STAFF)),
                "may_report": identity.has_any(set(LEADERS)),
                "is_admin": Role.TENANT_ADMIN in identity.roles,
                "is_worker": Role.GRID_WORKER in identity.roles,
            },
        )

    @get("/new", opt=allow(*STAFF))
    async def new(self, request: Request, views: NamedDependency[RequestViews]) -> Template:
        return await self._form_page(request, views)

    async def _form_page(
        self,
        request: Request,
        views: RequestViews,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        """Find the person by name or pinyin first; then the category and what they need."""
        identity = request.scope["user"]
        form = form or {"form_id": str(uuid4())}
        person_id = query_id(form, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        person = await views.person_for(identity, person_id) if person_id else None
        return render(
            request,
            "service_requests/new.html",
            {
                **shared(),
                "person": person,
                "q": query,
                "found": [] if person else await views.pick(identity, query),
                "categories": await views.categories() if person else [],
                "form": form,
                "error": error,
                "max_description": MAX_DESCRIPTION,
            },
            status_code=status_code,
        )

    @post("/", opt=allow(*STAFF))
    async def create(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
    ) -> Any:
        data = await form_data(request)
        try:
            person_id = chosen_id(data, "person_id")
            if person_id is None:
                raise Refused(N_("Please choose a person."))
            logged = await service.log(
                request.scope["user"],
                RequestForm(
                    person_id,
                    chosen_id(data, "category_id"),
                    data.get("description", ""),
                    chosen_id(data, "form_id"),
                ),
            )
        except Refused as exc:
            if isinstance(exc, FormUsed):
                data["form_id"] = str(uuid4())
            return await self._form_page(
                request, views, data or {"_": ""}, _(exc.message, **exc.args_), 422
            )
        due = logged.due_at.astimezone(CHINA_TIME).strftime("%m-%d %H:%M")
        flash(request, "success", _("Request logged; it is due by %(due)s.", due=due))
        return see_other(request, f"/requests/{logged.id}")

    @get("/{request_id:uuid}")
    async def show(
        self, request: Request, views: NamedDependency[RequestViews], request_id: FromPath[UUID]
    ) -> Template:
        return await self._detail_page(request, views, request_id)

    async def _detail_page(
        self,
        request: Request,
        views: RequestViews,
        request_id: UUID,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        detail = await views.detail(request.scope["user"], request_id)
        return render(
            request,
            "service_requests/detail.html",
            {
                **shared(),
                "detail": detail,
                "level_names": {level.level: level.name for level in detail.levels},
                "events": EVENT_LABELS,
                "satisfaction": SATISFACTION_LABELS,
                "form": form or {},
                "error": error,
                "max_note": MAX_NOTE,
            },
            status_code=status_code,
        )

    async def _step(
        self,
        request: Request,
        views: RequestViews,
        request_id: UUID,
        step: Callable[[dict[str, str]], Awaitable[str]],
    ) -> Any:
        """Run a step (it returns the message to flash); refused, the page comes back with
        the message and what was typed."""
        data = await form_data(request)
        try:
            done = await step(data)
        except Refused as exc:
            return await self._detail_page(
                request, views, request_id, data, _(exc.message, **exc.args_), 422
            )
        flash(request, "success", done)
        return see_other(request, f"/requests/{request_id}")

    @post("/{request_id:uuid}/assign", opt=allow(*LEADERS))
    async def assign(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        request_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]

        async def step(data: dict[str, str]) -> str:
            name = await service.assign(identity, request_id, chosen_id(data, "assignee_id"))
            return _("Assigned to %(name)s.", name=name)

        return await self._step(request, views, request_id, step)

    @post("/{request_id:uuid}/start", opt=allow(*STAFF))
    async def start(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        request_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]

        async def step(data: dict[str, str]) -> str:
            await service.start(identity, request_id)
            return _("Marked as in progress.")

        return await self._step(request, views, request_id, step)

    @post("/{request_id:uuid}/resolve", opt=allow(*STAFF))
    async def resolve(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        request_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]

        async def step(data: dict[str, str]) -> str:
            asked = await service.resolve(identity, request_id, data.get("note", ""))
            if identity.user_id in asked.user_ids:
                return _(
                    "Marked as resolved. Ask the person whether it is fixed, and how satisfied."
                )
            return _(
                "Marked as resolved. %(who)s will ask the person whether it is fixed, and how "
                "satisfied.",
                who=call_back_words(asked, await views.level_names()),
            )

        return await self._step(request, views, request_id, step)

    @post("/{request_id:uuid}/confirm")
    async def confirm(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        request_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]

        async def step(data: dict[str, str]) -> str:
            answered = await service.confirm(
                identity, request_id, data.get("satisfaction", ""), data.get("note", "")
            )
            if answered.call_back is None:
                return _("Confirmed. Thank you.")
            names = await views.level_names()
            return _(REOPENED_FOR_CALLBACK, who=call_back_words(answered.call_back, names))

        return await self._step(request, views, request_id, step)

    @post("/{request_id:uuid}/reopen")
    async def reopen(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        request_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]

        async def step(data: dict[str, str]) -> str:
            await service.reopen(identity, request_id, data.get("note", ""))
            return _("Reopened: it goes back to work on a new due time.")

        return await self._step(request, views, request_id, step)

    @get("/sla", opt=allow(*LEADERS))
    async def sla(self, request: Request) -> Template:
        """Compliance per category, per worker and per level, for a chosen period."""
        period = query_choice(request.query_params, "period", PERIODS, "month")
        report = await compliance(request.app.state.services, request.scope["user"], period)
        return render(
            request,
            "service_requests/sla.html",
            {"report": report, "periods": PERIODS, "not_assigned": NOT_ASSIGNED},
        )


ROUTES: list[ControllerRouterHandler] = [RequestController, RequestSettingsController]
