"""The district's volunteering figures for a year (/volunteering/totals)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_int
from app.volunteering.deps import VOLUNTEERS, refused_page
from app.volunteering.teams.routes import WORDS
from app.volunteering.teams.service import NOT_A_LEADER
from app.volunteering.totals.service import district_figures
from app.web.responses import render


class TotalsController(Controller):
    path = "/volunteering/totals"
    opt = VOLUNTEERS

    @get("/")
    async def totals(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        if not identity.leads_volunteers:
            return refused_page(request, Refused(NOT_A_LEADER))
        this_year = clock.today().year
        year = query_int(request.query_params, "year", default=this_year, low=2000, high=this_year)
        figures = await district_figures(db_session, year, this_year)
        return render(request, "volunteering/totals.html", {"figures": figures} | WORDS)


ROUTES: list[ControllerRouterHandler] = [TotalsController]
