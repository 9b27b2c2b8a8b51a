"""Publication (公示) pages: open a branch's half-year ranking, objections, publish."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from app.core import clock
from app.core.errors import Refused
from app.core.roles import TENANT_ROLES
from app.db.form_ids import FormUsed
from app.i18n import _
from app.people.forms import chosen_id
from app.points.models import OBJECTION_STATUS_LABELS, RATE_LABELS
from app.points.publications import AnswerForm, PublicationService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other


def provide_publications(request: Request) -> PublicationService:
    return PublicationService(request.app.state.services)


def refusal(exc: Refused) -> str:
    return _(exc.message, **exc.args_)


class PublicationController(Controller):
    path = "/points/publications"
    opt = allow(*TENANT_ROLES)
    dependencies = {"publications": Provide(provide_publications, sync_to_thread=False)}

    @get("/")
    async def index(
        self, request: Request, publications: NamedDependency[PublicationService]
    ) -> Template:
        return await self._index(request, publications)

    async def _index(
        self,
        request: Request,
        publications: PublicationService,
        *,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        listing = await publications.listing(request.scope["user"])
        return render(
            request,
            "points/publications/index.html",
            {"listing": listing, "form": form or {}, "error": error},
            status_code=status_code,
        )

    @post("/")
    async def open(
        self, request: Request, publications: NamedDependency[PublicationService]
    ) -> Any:
        data = await form_data(request)
        try:
            branch_id = chosen_id(data, "branch_id")
            publication = await publications.open(
                request.scope["user"], branch_id, data.get("half", "")
            )
        except Refused as exc:
            return await self._index(
                request, publications, form=data, error=refusal(exc), status_code=422
            )
        flash(
            request,
            "success",
            _("The ranking is up for objections until %(date)s.",
              date=publication.objections_close_on.isoformat()),
        )  # fmt: skip
        return see_other(request, f"/points/publications/{publication.id}")

    @get("/{publication_id:uuid}")
    async def show(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        publication_id: FromPath[UUID],
    ) -> Template:
        return await self._show(request, publications, publication_id)

    async def _show(
        self,
        request: Request,
        publications: PublicationService,
        publication_id: UUID,
        *,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        page = await publications.page(request.scope["user"], publication_id)
        not_yet = page.why_not_publish if page.may_manage and page.row.is_open else None
        return render(
            request,
            "points/publications/show.html",
            {
                "page": page,
                "not_yet": refusal(not_yet) if not_yet else None,
                "statuses": OBJECTION_STATUS_LABELS,
                "today": clock.today(),
                "form": form or {"form_id": str(uuid4())},
                "error": error,
            },
            status_code=status_code,
        )

    @post("/{publication_id:uuid}/objections")
    async def object(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        publication_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await publications.object(
                request.scope["user"],
                publication_id,
                chosen_id(data, "person_id"),
                data.get("reason", ""),
                chosen_id(data, "form_id"),
            )
        except Refused as exc:
            if isinstance(exc, FormUsed):  # sent again, it is a new objection, deliberately
                data["form_id"] = str(uuid4())
            return await self._show(
                request, publications, publication_id, form=data, error=refusal(exc),
                status_code=422,
            )  # fmt: skip
        flash(request, "success", _("Your objection was sent to the branch secretary."))
        return see_other(request, f"/points/publications/{publication_id}")

    @get("/{publication_id:uuid}/objections/{objection_id:uuid}/answer")
    async def answer_form(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        publication_id: FromPath[UUID],
        objection_id: FromPath[UUID],
    ) -> Template:
        return await self._answer_page(request, publications, publication_id, objection_id)

    async def _answer_page(
        self,
        request: Request,
        publications: PublicationService,
        publication_id: UUID,
        objection_id: UUID,
        *,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        page = await publications.answer_page(request.scope["user"], publication_id, objection_id)
        return render(
            request,
            "points/publications/answer.html",
            {
                "page": page,
                "statuses": OBJECTION_STATUS_LABELS,
                "rates": RATE_LABELS,
                "form": form or {},
                "error": error,
            },
            status_code=status_code,
        )

    @post("/{publication_id:uuid}/objections/{objection_id:uuid}/answer")
    async def answer(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        publication_id: FromPath[UUID],
        objection_id: FromPath[UUID],
    ) -> Any:
        identity = request.scope["user"]
        data = await form_data(request)
        try:
            form = AnswerForm(
                decision=data.get("decision", ""),
                answer=data.get("answer", ""),
                correction=data.get("correction", ""),
                event_id=chosen_id(data, "event_id"),
                item_id=chosen_id(data, "item_id"),
                occurred_on=data.get("occurred_on", ""),
                quantity=data.get("quantity", ""),
            )
            await publications.answer(identity, publication_id, objection_id, form)
        except Refused as exc:
            return await self._answer_page(
                request, publications, publication_id, objection_id, form=data,
                error=refusal(exc), status_code=422,
            )  # fmt: skip
        flash(request, "success", _("Your answer was recorded; the member can see it."))
        return see_other(request, f"/points/publications/{publication_id}")

    @post("/{publication_id:uuid}/publish")
    async def publish(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        publication_id: FromPath[UUID],
    ) -> Any:
        try:
            await publications.publish(request.scope["user"], publication_id)
        except Refused as exc:
            return await self._show(
                request, publications, publication_id, error=refusal(exc), status_code=422
            )
        flash(request, "success", _("The ranking is published and can no longer change."))
        return see_other(request, f"/points/publications/{publication_id}")
