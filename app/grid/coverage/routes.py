"""Coverage: who was visited this month and quarter, per grid, against its target; and
the worker's calendar of meeting days and must-visits."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.core.query_params import query_id
from app.core.roles import Role
from app.grid.calendar import CalendarService
from app.grid.coverage import STALE_DAYS, CoverageService
from app.grid.models import VISIT_KIND_LABELS
from app.i18n import N_
from app.web.guards import allow
from app.web.responses import render

STAFF = (Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def provide_coverage(request: Request) -> CoverageService:
    return CoverageService(request.app.state.services)


def provide_calendar(request: Request) -> CalendarService:
    return CalendarService(request.app.state.services)


def grid_param(request: Request) -> UUID | None:
    """`?grid=<id>`; none (the whole list) when absent or mangled."""
    return query_id(request.query_params, "grid")


class CoverageController(Controller):
    path = "/grid/coverage"
    opt = allow(*STAFF)
    dependencies = {"coverage": Provide(provide_coverage, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, coverage: NamedDependency[CoverageService]) -> Template:
        identity = request.scope["user"]
        return render(
            request,
            "grid/coverage.html",
            {
                "overview": await coverage.overview(identity),
                "district_wide": Role.TENANT_ADMIN in identity.roles,
                "stale_days": STALE_DAYS,
            },
        )

    @get("/{grid_id:uuid}")
    async def grid(
        self, request: Request, coverage: NamedDependency[CoverageService], grid_id: FromPath[UUID]
    ) -> Template:
        return render(
            request,
            "grid/coverage_grid.html",
            {
                "detail": await coverage.grid(request.scope["user"], grid_id),
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
        self, request: Request, calendars: NamedDependency[CalendarService]
    ) -> Template:
        identity = request.scope["user"]
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
