"""Claims and awards: a grid worker or member claims, the secretary approves or awards."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.photos import UPLOAD_LIMIT
from app.core.query_params import query_id, query_text
from app.core.roles import TENANT_ROLES, Role
from app.db.form_ids import FormUsed
from app.i18n import _
from app.points.claims.forms import parse_claim
from app.points.claims.lists import ClaimLists, may_award
from app.points.claims.service import ClaimService
from app.points.models import CLAIM_STATUS_LABELS, RATE_LABELS
from app.points.numbers import points_text
from app.web.downloads import PHOTO, private_photo
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, refused_back, render, see_other

CLAIMS = "/points/claims"


def provide_claims(db_session: NamedDependency[AsyncSession]) -> ClaimService:
    return ClaimService(db_session)


def provide_lists(db_session: NamedDependency[AsyncSession]) -> ClaimLists:
    return ClaimLists(db_session)


class ClaimController(Controller):
    path = CLAIMS
    opt = allow(*TENANT_ROLES)
    dependencies = {
        "claims": Provide(provide_claims, sync_to_thread=False),
        "lists": Provide(provide_lists, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Template:
        return render(
            request,
            "points/claims.html",
            {
                "to_decide": await lists.to_decide(identity),
                "mine": await lists.mine(identity),
                "statuses": CLAIM_STATUS_LABELS,
                "may_award": may_award(identity),
                "is_admin": Role.TENANT_ADMIN in identity.roles,
            },
        )

    @get("/new")
    async def new(
        self,
        request: Request,
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Template:
        return await self._form_page(request, lists, identity, award=False)

    @get("/award")
    async def new_award(
        self,
        request: Request,
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Template:
        return await self._form_page(request, lists, identity, award=may_award(identity))

    async def _form_page(
        self,
        request: Request,
        lists: ClaimLists,
        identity: Identity,
        *,
        award: bool,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        """Pick the member first (by name or pinyin), then the item, date and evidence."""
        form = form or {"form_id": str(uuid4())}
        person_id = query_id(form, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        person = await lists.person_for(identity, person_id) if person_id else None
        if person is None and not query and identity.roles == {Role.MEMBER}:
            person = await lists.own_person(identity)
        context = {
            "award": award,
            "person": person,
            "may_choose": lists.claims_for_others(identity),
            "q": query,
            "found": [] if person else await lists.pick(identity, query),
            "item_groups": await lists.items(identity, award=award) if person else [],
            "rates": RATE_LABELS,
            "days": await lists.kept(),
            "form": form,
        }
        return form_page(request, "points/claim_form.html", context, refused)

    @post("/", request_max_body_size=UPLOAD_LIMIT)
    async def submit(
        self,
        request: Request,
        claims: NamedDependency[ClaimService],
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Any:
        return await self._save(request, claims, lists, identity, award=False)

    @post("/award")
    async def award(
        self,
        request: Request,
        claims: NamedDependency[ClaimService],
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Any:
        return await self._save(request, claims, lists, identity, award=True)

    async def _save(
        self,
        request: Request,
        claims: ClaimService,
        lists: ClaimLists,
        identity: Identity,
        *,
        award: bool,
    ) -> Any:
        sent_form = await request.form()
        data = {key: str(value) for key, value in sent_form.items() if isinstance(value, str)}
        upload = sent_form.get("photo")
        photo = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
        try:
            form = parse_claim(data, photo)
            if award:
                awarded = await claims.award(identity, form)
                message = _("Awarded: %(points)s points.", points=points_text(awarded.event.points))
                if awarded.repeated:
                    message = _("These points were already recorded.")
                flash(request, "success", message)
                return see_other(request, f"/points/people/{form.person_id}")
            sent = await claims.submit(identity, form)
        except Refused as exc:
            if isinstance(exc, FormUsed):  # sent again, it is a new entry, deliberately
                data["form_id"] = str(uuid4())
            return await self._form_page(
                request, lists, identity, award=award, form=data or {"_": ""}, refused=exc
            )
        message = _("Your claim was sent to the branch secretary for approval.")
        if sent.repeated:
            message = _("This claim was already sent.")
        flash(request, "success", message)
        return see_other(request, CLAIMS)

    @post("/{claim_id:uuid}/approve")
    async def approve(
        self,
        request: Request,
        claims: NamedDependency[ClaimService],
        identity: NamedDependency[Identity],
        claim_id: FromPath[UUID],
    ) -> Any:
        try:
            await claims.approve(identity, claim_id)
        except Refused as exc:
            return refused_back(request, exc, CLAIMS)
        flash(request, "success", _("Approved; the points are on the ledger."))
        return see_other(request, CLAIMS)

    @post("/{claim_id:uuid}/reject")
    async def reject(
        self,
        request: Request,
        claims: NamedDependency[ClaimService],
        identity: NamedDependency[Identity],
        claim_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            await claims.reject(identity, claim_id, data.get("reason", ""))
        except Refused as exc:
            return refused_back(request, exc, CLAIMS)
        flash(request, "success", _("Rejected; the claimant sees your reason."))
        return see_other(request, CLAIMS)

    @get("/photos/{photo_id:uuid}", opt=PHOTO)
    async def photo(
        self,
        lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
        photo_id: FromPath[UUID],
    ) -> Response[bytes]:
        return private_photo(await lists.photo(identity, photo_id))


ROUTES: list[ControllerRouterHandler] = [ClaimController]
