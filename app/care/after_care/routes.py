"""After-care pages (/care/after-care): the year's cases, recording a death, a case
with the help given and the condolence visit, and the admin's undo."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.after_care.forms import money_text, parse_death, parse_help, parse_reason
from app.care.after_care.service import AfterCareService
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_id, query_int, query_text
from app.core.roles import Role
from app.grid.models import PLACE_LABELS
from app.i18n import _
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, refused_back, render, see_other

CARE_STAFF = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
"""The admin for the district, a secretary for their branch (the roster's scope)."""
UNDO = allow(Role.TENANT_ADMIN)
"""Undoing a mistaken record: the admin (the case page shows the form by this guard)."""
LIST = "/care/after-care"
NEW = "care/after_care/new.html"
CASE = "care/after_care/case.html"
HELPERS = {"money": money_text, "places": PLACE_LABELS}


def provide_after_care(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> AfterCareService:
    return AfterCareService(db_session, services.cipher)


def case_page(case_id: UUID) -> str:
    return f"{LIST}/{case_id}"


class AfterCareController(Controller):
    path = LIST
    opt = CARE_STAFF
    dependencies = {"after_care": Provide(provide_after_care, sync_to_thread=False)}

    @get("/")
    async def cases(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
    ) -> Template:
        this_year = clock.today().year
        year = query_int(request.query_params, "year", default=this_year, low=2000,
                         high=this_year)  # fmt: skip
        context = {"year": await after_care.year(identity, year),
                   "years": await after_care.years(identity), **HELPERS}  # fmt: skip
        return render(request, "care/after_care/list.html", context)

    @get("/new")
    async def new(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
    ) -> Template:
        return await self._form(request, identity, after_care)

    async def _form(
        self,
        request: Request,
        identity: Identity,
        after_care: AfterCareService,
        *,
        sent: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        """Choose the person (by name, pinyin or phone), then the date and cause."""
        person_id = query_id(sent or {}, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        context: dict[str, Any] = {"form": sent or {}, "q": query, "person": None, "found": [],
                                   "today": clock.today()}  # fmt: skip
        if person_id is not None:
            try:
                context["person"] = await after_care.person(identity, person_id)
            except Refused as exc:
                refused = refused or exc
        else:
            context["found"] = await after_care.pick(identity, query)
        if refused is not None:
            return form_page(request, NEW, context, refused)
        return form_page(request, NEW, context)

    @post("/")
    async def record(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
    ) -> Any:
        data = await form_data(request)
        try:
            case_id = await after_care.record(identity, parse_death(data))
        except Refused as exc:
            return await self._form(request, identity, after_care, sent=data, refused=exc)
        flash(
            request,
            "success",
            _("The death is recorded. Please record the help given to the family."),
        )
        return see_other(request, case_page(case_id))

    @get("/{after_care_id:uuid}")
    async def case(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
        after_care_id: FromPath[UUID],
    ) -> Template:
        return await self._case(request, identity, after_care, after_care_id)

    async def _case(
        self,
        request: Request,
        identity: Identity,
        after_care: AfterCareService,
        case_id: UUID,
        *,
        sent: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        line = await after_care.case(identity, case_id)
        form = sent or {"given_on": clock.today().isoformat()}
        context = {"line": line, "form": form, "today": clock.today(),
                   "may_undo": identity.has_any(UNDO["roles"]), **HELPERS}  # fmt: skip
        return form_page(request, CASE, context, refused)

    @post("/{after_care_id:uuid}/help")
    async def add_help(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
        after_care_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await after_care.add_help(identity, after_care_id, parse_help(data))
        except Refused as exc:
            return await self._case(
                request, identity, after_care, after_care_id, sent=data, refused=exc
            )
        flash(request, "success", _("The help is recorded."))
        return see_other(request, case_page(after_care_id))

    @post("/{after_care_id:uuid}/undo", opt=UNDO)
    async def undo(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        after_care: NamedDependency[AfterCareService],
        after_care_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        await after_care.case(identity, after_care_id)  # another's case: 404, not a message
        try:
            person_id = await after_care.undo(identity, after_care_id, parse_reason(data))
        except Refused as exc:
            return refused_back(request, exc, case_page(after_care_id))
        flash(
            request,
            "success",
            _("The record is undone. The person is on the roster as living again."),
        )
        return see_other(request, f"/people/{person_id}")


ROUTES: list[ControllerRouterHandler] = [AfterCareController]
