"""Thought reports: who is overdue (per branch, a page at a time) and recording one."""

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
from app.core.query_params import query_flag, query_id, query_page
from app.core.roles import Role
from app.db.form_ids import FormUsed
from app.i18n import _
from app.orglife.models import REPORT_CHANNEL_LABELS, ReportChannel
from app.orglife.owed.service import OwedService
from app.orglife.thought_reports.service import ThoughtReportService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back

LIST = "/orglife/thought-reports"
FORM = "orglife/thought_reports/form.html"


def provide_reports(db_session: NamedDependency[AsyncSession]) -> ThoughtReportService:
    return ThoughtReportService(db_session)


class ThoughtReportController(Controller):
    path = LIST
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
    dependencies = {"reports": Provide(provide_reports, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ThoughtReportService],
    ) -> Template:
        params = request.query_params
        owed = OwedService(reports.session)
        branches = await owed.branches(identity)
        branch_id = query_id(params, "branch")
        branch = await owed.branch(identity, branch_id) if branch_id else None
        everyone = query_flag(params, "all")
        page = await reports.mobile_members(
            identity, branch.id if branch else None, query_page(params), overdue_only=not everyone
        )
        link = f"{LIST}?branch={branch.id if branch else ''}&all={'1' if everyone else ''}&"
        return render(request, "orglife/thought_reports/index.html", {
            "page": page, "branches": branches, "branch": branch, "everyone": everyone,
            "months": await reports.cadence(), "link": link, "today": clock.today(),
        })  # fmt: skip

    @get("/{person_id:uuid}")
    async def new(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ThoughtReportService],
        person_id: FromPath[UUID],
    ) -> Any:
        try:
            person = await reports.member(identity, person_id)
        except Refused as exc:
            return refused_back(request, exc, LIST)
        form = {"reported_on": clock.today().isoformat(), "channel": ReportChannel.WECHAT.value,
                "report_id": str(uuid4())}  # fmt: skip
        return await self._form(request, reports, person, form)

    async def _form(
        self,
        request: Request,
        reports: ThoughtReportService,
        person: Any,
        form: dict[str, str],
        refused: Refused | None = None,
    ) -> Template:
        context = {"person": person, "form": form, "channels": REPORT_CHANNEL_LABELS,
                   "history": await reports.history(person.id), "today": clock.today(),
                   "error": None, "errors": {}}  # fmt: skip
        if refused is not None:
            return sent_back(request, FORM, context, refused)
        return render(request, FORM, context)

    @post("/{person_id:uuid}")
    async def record(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ThoughtReportService],
        person_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            recorded = await reports.record(identity, person_id, data)
        except Refused as exc:
            try:
                person = await reports.member(identity, person_id)
            except Refused as other:
                return refused_back(request, other, LIST)
            if isinstance(exc, FormUsed):
                data["report_id"] = str(uuid4())
            return await self._form(request, reports, person, data, exc)
        name = (await reports.member(identity, person_id)).name
        if recorded.repeated:
            flash(request, "success", _("This report was already saved."))
        elif recorded.not_scored is None:
            flash(
                request,
                "success",
                _("%(name)s's thought report is recorded and scored.", name=name),
            )
        else:
            flash(request, "success", _("%(name)s's thought report is recorded. No points: %(why)s",
                                        name=name, why=recorded.not_scored.text()))  # fmt: skip
        return see_other(request, LIST)


ROUTES: list[ControllerRouterHandler] = [ThoughtReportController]
