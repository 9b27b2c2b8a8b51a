"""Publication (公示) pages: open a branch's half-year ranking, objections, publish."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES
from app.db.form_ids import FormUsed
from app.i18n import _
from app.points.models import OBJECTION_STATUS_LABELS, RATE_LABELS
from app.points.publications.forms import parse_answer, parse_objection, parse_opening
from app.points.publications.objections import ObjectionService
from app.points.publications.service import PublicationService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, see_other

PUBLICATIONS = "/points/publications"


def provide_publications(db_session: NamedDependency[AsyncSession]) -> PublicationService:
    return PublicationService(db_session)


def provide_objections(db_session: NamedDependency[AsyncSession]) -> ObjectionService:
    return ObjectionService(db_session)


class PublicationController(Controller):
    path = PUBLICATIONS
    opt = allow(*TENANT_ROLES)
    dependencies = {
        "publications": Provide(provide_publications, sync_to_thread=False),
        "objections": Provide(provide_objections, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        identity: NamedDependency[Identity],
    ) -> Template:
        return await self._index(request, publications, identity)

    async def _index(
        self,
        request: Request,
        publications: PublicationService,
        identity: Identity,
        *,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        context = {"listing": await publications.listing(identity), "form": form or {}}
        return form_page(request, "points/publications/index.html", context, refused)

    @post("/")
    async def open(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            form = parse_opening(data)
            publication = await publications.open(identity, form.branch_id, form.half)
        except Refused as exc:
            return await self._index(request, publications, identity, form=data, refused=exc)
        flash(
            request,
            "success",
            _("The ranking is up for objections until %(date)s.",
              date=publication.objections_close_on.isoformat()),
        )  # fmt: skip
        return see_other(request, f"{PUBLICATIONS}/{publication.id}")

    @get("/{publication_id:uuid}")
    async def show(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        identity: NamedDependency[Identity],
        publication_id: FromPath[UUID],
    ) -> Template:
        return await self._show(request, publications, identity, publication_id)

    async def _show(
        self,
        request: Request,
        publications: PublicationService,
        identity: Identity,
        publication_id: UUID,
        *,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        page = await publications.page(identity, publication_id)
        not_yet = page.why_not_publish if page.may_manage and page.row.is_open else None
        context = {
            "page": page,
            "not_yet": not_yet.text() if not_yet else None,
            "statuses": OBJECTION_STATUS_LABELS,
            "today": clock.today(),
            "form": form or {"form_id": str(uuid4())},
        }
        return form_page(request, "points/publications/show.html", context, refused)

    @post("/{publication_id:uuid}/objections")
    async def object(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        objections: NamedDependency[ObjectionService],
        identity: NamedDependency[Identity],
        publication_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            form = parse_objection(data)
            await objections.object(
                identity, publication_id, form.person_id, form.reason, form.form_id
            )
        except Refused as exc:
            if isinstance(exc, FormUsed):  # sent again, it is a new objection, deliberately
                data["form_id"] = str(uuid4())
            return await self._show(
                request, publications, identity, publication_id, form=data, refused=exc
            )
        flash(request, "success", _("Your objection was sent to the branch secretary."))
        return see_other(request, f"{PUBLICATIONS}/{publication_id}")

    @get("/{publication_id:uuid}/objections/{objection_id:uuid}/answer")
    async def answer_form(
        self,
        request: Request,
        objections: NamedDependency[ObjectionService],
        identity: NamedDependency[Identity],
        publication_id: FromPath[UUID],
        objection_id: FromPath[UUID],
    ) -> Template:
        return await self._answer_page(request, objections, identity, publication_id, objection_id)

    async def _answer_page(
        self,
        request: Request,
        objections: ObjectionService,
        identity: Identity,
        publication_id: UUID,
        objection_id: UUID,
        *,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        context = {
            "page": await objections.answer_page(identity, publication_id, objection_id),
            "statuses": OBJECTION_STATUS_LABELS,
            "rates": RATE_LABELS,
            "form": form or {},
        }
        return form_page(request, "points/publications/answer.html", context, refused)

    @post("/{publication_id:uuid}/objections/{objection_id:uuid}/answer")
    async def answer(
        self,
        request: Request,
        objections: NamedDependency[ObjectionService],
        identity: NamedDependency[Identity],
        publication_id: FromPath[UUID],
        objection_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            form = parse_answer(data)
            await objections.answer(identity, publication_id, objection_id, form)
        except Refused as exc:
            return await self._answer_page(
                request, objections, identity, publication_id, objection_id, form=data,
                refused=exc,
            )  # fmt: skip
        flash(request, "success", _("Your answer was recorded; the member can see it."))
        return see_other(request, f"{PUBLICATIONS}/{publication_id}")

    @post("/{publication_id:uuid}/publish")
    async def publish(
        self,
        request: Request,
        publications: NamedDependency[PublicationService],
        identity: NamedDependency[Identity],
        publication_id: FromPath[UUID],
    ) -> Any:
        try:
            await publications.publish(identity, publication_id)
        except Refused as exc:
            return await self._show(request, publications, identity, publication_id, refused=exc)
        flash(request, "success", _("The ranking is published and can no longer change."))
        return see_other(request, f"{PUBLICATIONS}/{publication_id}")


ROUTES: list[ControllerRouterHandler] = [PublicationController]
