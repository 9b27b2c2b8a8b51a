"""Service requests: log one, list them, and take each step on a request's page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import CHINA_TIME
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_choice, query_id, query_text
from app.core.roles import TENANT_ROLES, Role
from app.db.form_ids import FormUsed
from app.i18n import N_, _
from app.service_requests.models import STATUS_LABELS, RequestStatus
from app.service_requests.queries import DUE_FILTERS, CallBack
from app.service_requests.requests.forms import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    parse_answer,
    parse_assignee,
    parse_not_fixed,
    parse_request,
    parse_resolution,
)
from app.service_requests.requests.service import RequestService
from app.service_requests.requests.views import RequestViews
from app.service_requests.words import clock_words, level_label, sla_words
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other, sent_back

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

Step = Callable[[dict[str, str]], Awaitable[str]]
"""A step run on the submitted form: it returns the message to flash."""


def call_back_words(asked: CallBack, names: dict[int, str]) -> str:
    """Who will call the person back: by name, else by their level's name."""
    return "、".join(asked.names) if asked.names else level_label(asked.level, names)


def provide_service(db_session: NamedDependency[AsyncSession]) -> RequestService:
    return RequestService(db_session)


def provide_views(db_session: NamedDependency[AsyncSession]) -> RequestViews:
    return RequestViews(db_session)


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
    async def index(
        self,
        request: Request,
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
    ) -> Template:
        """Assigned to me, waiting at my level, and every open request I see: overdue first.
        A member (no staff role) sees their own requests in plain words instead."""
        if not identity.has_any(set(STAFF)):
            own = await views.own(identity)
            return render(request, "service_requests/own.html", {**shared(), "own": own})
        status = query_text(request.query_params, "status")
        category = query_id(request.query_params, "category")
        due = query_choice(request.query_params, "due", DUE_FILTERS)
        return render(
            request,
            "service_requests/index.html",
            {
                **shared(),
                "lists": await views.lists(identity, status or None, category, due=due),
                "categories": await views.categories(retired=True),
                "status": status,
                "category": str(category or ""),
                "due": due,
                "due_filters": DUE_FILTERS,
                "is_worker": Role.GRID_WORKER in identity.roles,
            },
        )

    @get("/new", opt=allow(*STAFF))
    async def new(
        self,
        request: Request,
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
    ) -> Template:
        form = {"form_id": str(uuid4())}
        page = await self._form_page(request, views, identity, form)
        return render(request, "service_requests/new.html", page)

    async def _form_page(
        self, request: Request, views: RequestViews, identity: Identity, form: dict[str, str]
    ) -> dict[str, Any]:
        """Find the person by name or pinyin first; then the category and what they need."""
        person_id = query_id(form, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        person = await views.person_for(identity, person_id) if person_id else None
        return {
            **shared(),
            "person": person,
            "q": query,
            "found": [] if person else await views.pick(identity, query),
            "categories": await views.categories() if person else [],
            "form": form,
            "errors": {},
            "max_description": MAX_DESCRIPTION,
        }

    @post("/", opt=allow(*STAFF))
    async def create(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            logged = await service.log(identity, parse_request(data))
        except Refused as refused:
            if isinstance(refused, FormUsed):
                data["form_id"] = str(uuid4())
            page = await self._form_page(request, views, identity, data or {"_": ""})
            return sent_back(request, "service_requests/new.html", page, refused)
        due = logged.due_at.astimezone(CHINA_TIME).strftime("%m-%d %H:%M")
        flash(request, "success", _("Request logged; it is due by %(due)s.", due=due))
        return see_other(request, f"/requests/{logged.id}")

    @get("/{request_id:uuid}")
    async def show(
        self,
        request: Request,
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Template:
        page = await self._detail_page(views, identity, request_id)
        return render(request, "service_requests/detail.html", page)

    async def _detail_page(
        self,
        views: RequestViews,
        identity: Identity,
        request_id: UUID,
        form: dict[str, str] | None = None,
        sent: str | None = None,
    ) -> dict[str, Any]:
        """The request's page; after a refused step (`sent`), with what was typed."""
        detail = await views.detail(identity, request_id)
        return {
            **shared(),
            "detail": detail,
            "level_names": {level.level: level.name for level in detail.levels},
            "events": EVENT_LABELS,
            "satisfaction": SATISFACTION_LABELS,
            "form": form or {},
            "sent": sent,
            "errors": {},
            "max_note": MAX_NOTE,
        }

    async def _step(
        self,
        request: Request,
        views: RequestViews,
        identity: Identity,
        request_id: UUID,
        name: str,
        step: Step,
    ) -> Any:
        """Run the step `name`; refused, the page comes back with the message and what
        was typed."""
        data = await form_data(request)
        try:
            done = await step(data)
        except Refused as refused:
            page = await self._detail_page(views, identity, request_id, data, name)
            return sent_back(request, "service_requests/detail.html", page, refused)
        flash(request, "success", done)
        return see_other(request, f"/requests/{request_id}")

    @post("/{request_id:uuid}/assign", opt=allow(*LEADERS))
    async def assign(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Any:
        async def step(data: dict[str, str]) -> str:
            name = await service.assign(identity, request_id, parse_assignee(data))
            return _("Assigned to %(name)s.", name=name)

        return await self._step(request, views, identity, request_id, "assign", step)

    @post("/{request_id:uuid}/start", opt=allow(*STAFF))
    async def start(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Any:
        async def step(data: dict[str, str]) -> str:
            await service.start(identity, request_id)
            return _("Marked as in progress.")

        return await self._step(request, views, identity, request_id, "start", step)

    @post("/{request_id:uuid}/resolve", opt=allow(*STAFF))
    async def resolve(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Any:
        async def step(data: dict[str, str]) -> str:
            asked = await service.resolve(identity, request_id, parse_resolution(data))
            if identity.user_id in asked.user_ids:
                return _(
                    "Marked as resolved. Ask the person whether it is fixed, and how satisfied."
                )
            return _(
                "Marked as resolved. %(who)s will ask the person whether it is fixed, and how "
                "satisfied.",
                who=call_back_words(asked, await views.level_names()),
            )

        return await self._step(request, views, identity, request_id, "resolve", step)

    @post("/{request_id:uuid}/confirm")
    async def confirm(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Any:
        async def step(data: dict[str, str]) -> str:
            answered = await service.confirm(identity, request_id, parse_answer(data))
            if answered.call_back is None:
                return _("Confirmed. Thank you.")
            names = await views.level_names()
            return _(REOPENED_FOR_CALLBACK, who=call_back_words(answered.call_back, names))

        return await self._step(request, views, identity, request_id, "confirm", step)

    @post("/{request_id:uuid}/reopen")
    async def reopen(
        self,
        request: Request,
        service: NamedDependency[RequestService],
        views: NamedDependency[RequestViews],
        identity: NamedDependency[Identity],
        request_id: FromPath[UUID],
    ) -> Any:
        async def step(data: dict[str, str]) -> str:
            await service.reopen(identity, request_id, parse_not_fixed(data))
            return _("Reopened: it goes back to work on a new due time.")

        return await self._step(request, views, identity, request_id, "reopen", step)


ROUTES: list[ControllerRouterHandler] = [RequestController]
