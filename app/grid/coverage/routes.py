"""Coverage: who was visited this month and quarter, per grid, against its target; and
the worker's calendar of meeting days and must-visits."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.identity import Identity
from app.core.query_params import query_id
from app.core.roles import Role
from app.grid.coverage.calendar import CalendarService
from app.grid.coverage.charts import coverage_chart
from app.grid.coverage.service import STALE_DAYS, CoverageService
from app.grid.models import VISIT_KIND_LABELS
from app.i18n import N_
from app.web.guards import allow
from app.web.responses import render

STAFF = (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def provide_coverage(db_session: NamedDependency[AsyncSession]) -> CoverageService:
    return CoverageService(db_session)


def provide_calendar(db_session: NamedDependency[AsyncSession]) -> CalendarService:
    return CalendarService(db_session)


def grid_param(request: Request) -> UUID | None:
    """`?grid=<id>`; none (the whole list) when absent or mangled."""
    return query_id(request.query_params, "grid")


class CoverageController(Controller):
    path = "/grid/coverage"
    opt = allow(*STAFF)
    dependencies = {"coverage": Provide(provide_coverage, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        coverage: NamedDependency[CoverageService],
    ) -> Template:
        overview = await coverage.overview(identity)
        return render(
            request,
            "grid/coverage.html",
            {
                "overview": overview,
                "coverage_chart": coverage_chart(overview),
                "district_wide": Role.TENANT_ADMIN in identity.roles,
                "stale_days": STALE_DAYS,
            },
        )

    @get("/{grid_id:uuid}")
    async def grid(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        coverage: NamedDependency[CoverageService],
        grid_id: FromPath[UUID],
    ) -> Template:
        return render(
            request,
            "grid/coverage_grid.html",
            {
                "detail": await coverage.grid(identity, grid_id),
                "kinds": VISIT_KIND_LABELS,
                "stale_days": STALE_DAYS,
            },
        )


class CalendarController(Controller):
    path = "/grid/calendar"
    opt = allow(*STAFF)
    dependencies = {"calendars": Provide(provide_calendar, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        calendars: NamedDependency[CalendarService],
    ) -> Template:
        return render(
            request,
            "grid/calendar.html",
            {
                "calendar": await calendars.calendar(identity, grid_param(request)),
                "is_worker": Role.GRID_WORKER in identity.roles,
                "weekdays": WEEKDAYS,
            },
        )


ROUTES: list[ControllerRouterHandler] = [CoverageController, CalendarController]
