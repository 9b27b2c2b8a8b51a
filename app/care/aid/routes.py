"""Hardship aid's pages (/care/aid): the list with its filters and the year's totals,
a new application (a branch secretary for their branch's people, the admin for
anyone), an application with the admin's approve / refuse / pay, the evidence files,
and the fund with its income and ledger (the admin only). Grid workers and members
are answered 403 by the guards, so the care menu never shows them the link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.aid.forms import (
    UPLOAD_LIMIT,
    checked_evidence,
    parse_application,
    parse_decision,
    parse_income,
    parse_payment,
)
from app.care.aid.fund import FundService
from app.care.aid.models import REASON_LABELS, STATUS_LABELS, AidStatus, ReasonKind
from app.care.aid.service import AidService
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.money import yuan_text
from app.core.query_params import query_choice, query_id, query_int, query_page, query_text
from app.core.roles import Role
from app.i18n import _
from app.web.downloads import DOWNLOAD, attachment
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, render, see_other, sent_back

AID = "/care/aid"
LEADERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
ADMIN = allow(Role.TENANT_ADMIN)
WORDS = {"reasons": REASON_LABELS, "statuses": STATUS_LABELS}


def provide_aid(db_session: NamedDependency[AsyncSession]) -> AidService:
    return AidService(db_session)


def provide_fund(db_session: NamedDependency[AsyncSession]) -> FundService:
    return FundService(db_session)


def chosen_year(request: Request) -> int:
    this_year = clock.today().year
    return query_int(request.query_params, "year", default=this_year, low=2000, high=this_year)


class AidController(Controller):
    path = AID
    opt = LEADERS
    dependencies = {
        "aid": Provide(provide_aid, sync_to_thread=False),
        "funds": Provide(provide_fund, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
    ) -> Template:
        params = request.query_params
        status = query_choice(params, "status", set(AidStatus))
        kind = query_choice(params, "kind", set(ReasonKind))
        year = chosen_year(request)
        page = await aid.page(
            identity, status=status, kind=kind, year=year, number=query_page(params)
        )
        totals = await funds.year_totals(identity, year)
        this_year = clock.today().year
        context = {"page": page, "status": status, "kind": kind, "year": year, "totals": totals,
                   "years": list(range(this_year, this_year - 6, -1))} | WORDS  # fmt: skip
        return render(request, "care/aid/list.html", context)

    async def _new_page(
        self,
        request: Request,
        aid: AidService,
        identity: Identity,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        person_id = query_id(request.query_params, "person") or query_id(form, "person_id")
        person = await aid.person(identity, person_id) if person_id else None
        q = query_text(request.query_params, "q")
        found = await aid.pick(identity, q) if q and not person else []
        context = {"form": form, "person": person, "q": q, "found": found} | WORDS
        return form_page(request, "care/aid/new.html", context, refused)

    @get("/new")
    async def new(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        identity: NamedDependency[Identity],
    ) -> Template:
        return await self._new_page(request, aid, identity, {})

    @post("/", request_max_body_size=UPLOAD_LIMIT)
    async def apply(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        identity: NamedDependency[Identity],
    ) -> Any:
        sent = await request.form()
        data = {key: str(value) for key, value in sent.items() if isinstance(value, str)}
        files = [
            (value.filename, await value.read())
            for key, value in sent.multi_items()
            if isinstance(value, UploadFile) and value.filename and key == "evidence"
        ]
        try:
            form = parse_application(data)
            application = await aid.apply(identity, form, checked_evidence(files))
        except Refused as exc:
            return await self._new_page(request, aid, identity, data, exc)
        flash(request, "success", _("The application is saved. The district decides on it."))
        return see_other(request, f"{AID}/{application.id}")

    async def _application_page(
        self,
        request: Request,
        aid: AidService,
        funds: FundService,
        identity: Identity,
        application_id: UUID,
        form: dict[str, str] | None = None,
        refused: Refused | None = None,
    ) -> Template:
        view = await aid.view(identity, application_id)
        balance = None
        if Role.TENANT_ADMIN in identity.roles:
            balance = await funds.balance((await funds.the_fund()).id)
        context = {"view": view, "balance": balance, "today": clock.today(),
                   "form": form or {}} | WORDS  # fmt: skip
        if refused is not None:
            return sent_back(request, "care/aid/application.html", context, refused)
        return form_page(request, "care/aid/application.html", context)

    @get("/{aid_application_id:uuid}")
    async def show(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
        aid_application_id: FromPath[UUID],
    ) -> Template:
        return await self._application_page(request, aid, funds, identity, aid_application_id)

    async def _decide(
        self,
        request: Request,
        aid: AidService,
        funds: FundService,
        identity: Identity,
        application_id: UUID,
        approve: bool,
    ) -> Any:
        form = await form_data(request)
        form["acting"] = "approve" if approve else "refuse"
        try:
            await aid.decide(identity, application_id, parse_decision(form, approve))
        except Refused as exc:
            return await self._application_page(
                request, aid, funds, identity, application_id, form, exc
            )
        flash(request, "success", _("Approved.") if approve else _("Refused."))
        return see_other(request, f"{AID}/{application_id}")

    @post("/{aid_application_id:uuid}/approve", opt=ADMIN)
    async def approve(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
        aid_application_id: FromPath[UUID],
    ) -> Any:
        return await self._decide(request, aid, funds, identity, aid_application_id, True)

    @post("/{aid_application_id:uuid}/refuse", opt=ADMIN)
    async def refuse(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
        aid_application_id: FromPath[UUID],
    ) -> Any:
        return await self._decide(request, aid, funds, identity, aid_application_id, False)

    @post("/{aid_application_id:uuid}/pay", opt=ADMIN)
    async def pay(
        self,
        request: Request,
        aid: NamedDependency[AidService],
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
        aid_application_id: FromPath[UUID],
    ) -> Any:
        form = await form_data(request)
        form["acting"] = "pay"
        try:
            payment = await aid.pay(identity, aid_application_id, parse_payment(form))
        except Refused as exc:
            return await self._application_page(
                request, aid, funds, identity, aid_application_id, form, exc
            )
        flash(
            request,
            "success",
            _("Paid %(amount)s from the fund.", amount=yuan_text(payment.amount)),
        )
        return see_other(request, f"{AID}/{aid_application_id}")

    @get("/evidence/{aid_evidence_id:uuid}", opt=DOWNLOAD)
    async def evidence(
        self,
        aid: NamedDependency[AidService],
        identity: NamedDependency[Identity],
        aid_evidence_id: FromPath[UUID],
    ) -> Response[bytes]:
        found = await aid.evidence(identity, aid_evidence_id)
        return attachment(
            found.content, found.filename, fallback="evidence", media_type=found.content_type
        )


class FundController(Controller):
    path = f"{AID}/fund"
    opt = ADMIN
    dependencies = {"funds": Provide(provide_fund, sync_to_thread=False)}

    async def _page(
        self,
        request: Request,
        funds: FundService,
        identity: Identity,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        year = chosen_year(request)
        fund = await funds.the_fund()
        this_year = clock.today().year
        context = {
            "fund": fund, "balance": await funds.balance(fund.id), "year": year,
            "ledger": await funds.ledger(fund.id, year),
            "totals": await funds.year_totals(identity, year),
            "years": list(range(this_year, this_year - 6, -1)), "form": form,
            "today": clock.today(),
        }  # fmt: skip
        return form_page(request, "care/aid/fund.html", context, refused)

    @get("/")
    async def show(
        self,
        request: Request,
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
    ) -> Template:
        return await self._page(request, funds, identity, {})

    @post("/income")
    async def income(
        self,
        request: Request,
        funds: NamedDependency[FundService],
        identity: NamedDependency[Identity],
    ) -> Any:
        form = await form_data(request)
        try:
            entry = await funds.record_income(identity, parse_income(form))
        except Refused as exc:
            return await self._page(request, funds, identity, form, exc)
        flash(
            request, "success", _("Income of %(amount)s recorded.", amount=yuan_text(entry.amount))
        )
        return see_other(request, f"{AID}/fund")


ROUTES: list[ControllerRouterHandler] = [AidController, FundController]
