"""Claims and awards: a grid worker or member claims, the secretary approves or awards."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from app.core.errors import Refused
from app.core.query_params import query_id, query_text
from app.core.roles import TENANT_ROLES, Role
from app.db.form_ids import FormUsed
from app.i18n import N_, _
from app.people.forms import chosen_id
from app.points.claims import ClaimForm, ClaimService, may_award
from app.points.models import CLAIM_STATUS_LABELS, RATE_LABELS
from app.points.numbers import points_text
from app.points.photos import UPLOAD_LIMIT
from app.web.downloads import PHOTO, private_photo
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other


def provide_claims(request: Request) -> ClaimService:
    return ClaimService(request.app.state.services)


async def read_form(request: Request) -> tuple[dict[str, str], ClaimForm]:
    """The claim form's fields; a missing member is refused, a mangled id too (by
    chosen_id: "please choose from the list")."""
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    upload = form.get("photo")
    photo = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    person_id = chosen_id(data, "person_id")
    if person_id is None:
        raise Refused(N_("Please choose a member."))
    claim = ClaimForm(
        person_id=person_id,
        item_id=chosen_id(data, "item_id"),
        occurred_on=data.get("occurred_on", ""),
        quantity=data.get("quantity", ""),
        evidence=data.get("evidence", ""),
        photo=photo,
        form_id=chosen_id(data, "form_id"),
    )
    return data, claim


class ClaimController(Controller):
    path = "/points/claims"
    opt = allow(*TENANT_ROLES)
    dependencies = {"claims": Provide(provide_claims, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, claims: NamedDependency[ClaimService]) -> Template:
        identity = request.scope["user"]
        return render(
            request,
            "points/claims.html",
            {
                "to_decide": await claims.to_decide(identity),
                "mine": await claims.mine(identity),
                "statuses": CLAIM_STATUS_LABELS,
                "may_award": may_award(identity),
                "is_admin": Role.TENANT_ADMIN in identity.roles,
            },
        )

    @get("/new")
    async def new(self, request: Request, claims: NamedDependency[ClaimService]) -> Template:
        return await self._form_page(request, claims, award=False)

    @get("/award")
    async def new_award(self, request: Request, claims: NamedDependency[ClaimService]) -> Template:
        if not may_award(request.scope["user"]):
            return await self._form_page(request, claims, award=False)
        return await self._form_page(request, claims, award=True)

    async def _form_page(
        self,
        request: Request,
        claims: ClaimService,
        *,
        award: bool,
        form: dict[str, str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        """Pick the member first (by name or pinyin), then the item, date and evidence."""
        identity = request.scope["user"]
        form = form or {"form_id": str(uuid4())}
        person_id = query_id(form, "person_id") or query_id(request.query_params, "person")
        query = query_text(request.query_params, "q")
        person = await claims.person_for(identity, person_id) if person_id else None
        if person is None and not query and identity.roles == {Role.MEMBER}:
            person = await claims.own_person(identity)
        return render(
            request,
            "points/claim_form.html",
            {
                "award": award,
                "person": person,
                "may_choose": await claims.claims_for_others(identity),
                "q": query,
                "found": [] if person else await claims.pick(identity, query),
                "item_groups": await claims.items(identity, award=award) if person else [],
                "rates": RATE_LABELS,
                "days": await claims.kept(),
                "form": form,
                "error": error,
            },
            status_code=status_code,
        )

    @post("/", request_max_body_size=UPLOAD_LIMIT)
    async def submit(self, request: Request, claims: NamedDependency[ClaimService]) -> Any:
        return await self._save(request, claims, award=False)

    @post("/award")
    async def award(self, request: Request, claims: NamedDependency[ClaimService]) -> Any:
        return await self._save(request, claims, award=True)

    async def _save(self, request: Request, claims: ClaimService, *, award: bool) -> Any:
        identity = request.scope["user"]
        data: dict[str, str] = {}
        try:
            data, form = await read_form(request)
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
                request, claims, award=award, form=data or {"_": ""},
                error=_(exc.message, **exc.args_), status_code=422,
            )  # fmt: skip
        message = _("Your claim was sent to the branch secretary for approval.")
        if sent.repeated:
            message = _("This claim was already sent.")
        flash(request, "success", message)
        return see_other(request, "/points/claims")

    @post("/{claim_id:uuid}/approve")
    async def approve(
        self, request: Request, claims: NamedDependency[ClaimService], claim_id: FromPath[UUID]
    ) -> Any:
        try:
            await claims.approve(request.scope["user"], claim_id)
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
            return see_other(request, "/points/claims")
        flash(request, "success", _("Approved; the points are on the ledger."))
        return see_other(request, "/points/claims")

    @post("/{claim_id:uuid}/reject")
    async def reject(
        self, request: Request, claims: NamedDependency[ClaimService], claim_id: FromPath[UUID]
    ) -> Any:
        data = await form_data(request)
        try:
            await claims.reject(request.scope["user"], claim_id, data.get("reason", ""))
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
            return see_other(request, "/points/claims")
        flash(request, "success", _("Rejected; the claimant sees your reason."))
        return see_other(request, "/points/claims")

    @get("/photos/{photo_id:uuid}", opt=PHOTO)
    async def photo(
        self, request: Request, claims: NamedDependency[ClaimService], photo_id: FromPath[UUID]
    ) -> Response[bytes]:
        content = await claims.photo(request.scope["user"], photo_id)
        return private_photo(content)
