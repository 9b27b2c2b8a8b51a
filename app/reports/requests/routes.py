"""Report pages: the account's reports with the form to ask for one, a report's page
(its progress bar asks again every 2 seconds while it is being made; without
JavaScript a plain link refreshes it), the download and the retry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import _
from app.reports.kinds import FORMAT_LABELS
from app.reports.models import STATUS_LABELS
from app.reports.requests.forms import parse_request
from app.reports.requests.service import NOT_YOURS, ReportService, ReportView
from app.reports.storage import storage_for
from app.state import AppServices
from app.web.downloads import DOWNLOAD, attachment
from app.web.flash import flash
from app.web.guards import allow, may_open
from app.web.responses import form_data, refused_back, render, see_other, sent_back

PROGRESS = "reports/_progress.html"
READERS = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
"""A report's own page, its file and its retry: a grid worker asks for a branch's care
cards (on /care/cards) and follows them here; the list and the form stay the leaders'.
The service lets only the asker and the administrator open a report."""


def provide_reports(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> ReportService:
    return ReportService(db_session, services.redis, services.cipher)


class ReportsController(Controller):
    path = "/reports"
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)
    dependencies = {"reports": Provide(provide_reports, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ReportService],
    ) -> Template:
        return render(request, "reports/index.html", await _index(reports, identity, {}))

    @post("/")
    async def ask(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ReportService],
    ) -> Any:
        data = await form_data(request)
        try:
            report_id = await reports.request(identity, parse_request(data))
        except Refused as exc:
            context = await _index(reports, identity, data)
            return sent_back(request, "reports/index.html", context, exc)
        return see_other(request, f"/reports/{report_id}")

    @get("/{report_id:uuid}", opt=READERS)
    async def detail(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ReportService],
        report_id: FromPath[UUID],
    ) -> Template | Response[Any]:
        try:
            view = await reports.get(identity, report_id)
        except Refused as exc:
            return refused_back(request, exc, _list_or_home(request))
        context = {"view": view, "report": view.report, "statuses": STATUS_LABELS,
                   "back": _back(view)}  # fmt: skip
        return render(request, "reports/report.html", context, fragment=PROGRESS)

    @get("/{report_id:uuid}/file", opt={**READERS, **DOWNLOAD})
    async def file(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ReportService],
        services: NamedDependency[AppServices],
        report_id: FromPath[UUID],
    ) -> Response[Any]:
        try:
            content, report = await reports.download(
                identity, report_id, storage_for(services.settings)
            )
        except Refused as exc:  # back to the report, or to one's own if it is not
            back = _list_or_home(request) if exc.message == NOT_YOURS else f"/reports/{report_id}"
            return refused_back(request, exc, back)
        assert report.filename and report.media_type
        extension = report.filename.rsplit(".", 1)[-1]
        return attachment(content, report.filename, fallback=f"report.{extension}",
                          media_type=report.media_type)  # fmt: skip

    @post("/{report_id:uuid}/retry", opt=READERS)
    async def retry(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        reports: NamedDependency[ReportService],
        report_id: FromPath[UUID],
    ) -> Response[Any]:
        try:
            await reports.retry(identity, report_id)
        except Refused as exc:
            return refused_back(request, exc, f"/reports/{report_id}")
        flash(request, "success", _("The report is being made again."))
        return see_other(request, f"/reports/{report_id}")


def _list_or_home(request: Request) -> str:
    """Where a refused reader goes: the list, or home for a grid worker, who has none."""
    return "/reports" if may_open(request, "/reports") else "/dashboard"


def _back(view: ReportView) -> tuple[str, str]:
    """Where the page leads back to: the page that asked (the care cards), else the list."""
    if view.kind is not None and view.kind.asked_on is not None:
        path, title = view.kind.asked_on
        return path, _(title)
    return "/reports", _("All reports")


async def _index(
    reports: ReportService, identity: Identity, form: dict[str, str]
) -> dict[str, Any]:
    return {
        "choices": await reports.choices(identity),
        "mine": await reports.mine(identity),
        "form": form,
        "formats": FORMAT_LABELS,
        "statuses": STATUS_LABELS,
        "keep_days": await reports.keep_days(),
        "error": None,
        "errors": {},
    }


ROUTES: list[ControllerRouterHandler] = [ReportsController]
