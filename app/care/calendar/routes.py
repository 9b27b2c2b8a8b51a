"""The care calendar (the care section's home) and the collective birthday party list,
on screen, printed from the browser, or as an A4 PDF."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.calendar.document import filename, party_pdf
from app.care.calendar.forms import month_choices, query_month
from app.care.calendar.service import CareCalendarService
from app.core.charts import month_label
from app.core.identity import Identity
from app.core.query_params import query_id
from app.core.roles import Role
from app.volunteering.certificates.document import warm_up
from app.web.downloads import DOWNLOAD, attachment
from app.web.guards import allow
from app.web.responses import render

PDF = "application/pdf"
SECRETARIES = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY)


def provide_care_calendar(db_session: NamedDependency[AsyncSession]) -> CareCalendarService:
    return CareCalendarService(db_session)


class CareCalendarController(Controller):
    path = "/care"
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
    dependencies = {"calendar": Provide(provide_care_calendar, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        calendar: NamedDependency[CareCalendarService],
    ) -> Template:
        month = query_month(request.query_params)
        branch_id = query_id(request.query_params, "branch")
        care = await calendar.month(identity, month, branch_id)
        return render(
            request, "care/calendar.html",
            {"care": care, "months": month_choices(), "month_label": month_label},
        )  # fmt: skip

    @get("/birthday-parties", opt=SECRETARIES)
    async def birthday_parties(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        calendar: NamedDependency[CareCalendarService],
    ) -> Template:
        month = query_month(request.query_params)
        party = await calendar.party_list(identity, month, query_id(request.query_params, "unit"))
        warm_up()  # the PDF link is on this page: WeasyPrint's import starts now
        return render(
            request, "care/birthday_parties.html",
            {"party": party, "months": month_choices(), "month_label": month_label},
        )  # fmt: skip

    @get("/birthday-parties/pdf", opt={**SECRETARIES, **DOWNLOAD})
    async def birthday_parties_pdf(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        calendar: NamedDependency[CareCalendarService],
    ) -> Response[Any]:
        month = query_month(request.query_params)
        party = await calendar.party_list(identity, month, query_id(request.query_params, "unit"))
        content = await party_pdf(party, await calendar.district_name())
        return attachment(
            content, filename(party),
            fallback=f"birthday-party-{month.year}-{month.month:02d}.pdf", media_type=PDF,
        )  # fmt: skip


ROUTES: list[ControllerRouterHandler] = [CareCalendarController]
