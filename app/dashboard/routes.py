"""The home page, each role's board, and the administrator's getting-started card."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.dashboard.service import DashboardService
from app.dashboard.setup import SetupService
from app.i18n import _
from app.points.service import PointsService
from app.signup.service import TenancyService
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import LOGGED_IN, PUBLIC, allow
from app.web.navigation import home_path
from app.web.responses import form_data, refused_back, render, see_other


def provide_dashboard(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> DashboardService:
    return DashboardService(
        db_session,
        tenancy=TenancyService(db_session, services.redis, services.settings.auth),
        points=PointsService(db_session),
        cache=services.redis,
    )


def provide_setup(db_session: NamedDependency[AsyncSession]) -> SetupService:
    return SetupService(db_session)


@get("/", opt=PUBLIC)
async def home(request: Request) -> Template | Redirect:
    """Logged-in users go to their dashboard; visitors see how to log in or sign up."""
    if request.scope.get("user"):
        return Redirect("/dashboard", status_code=303)
    return render(request, "home.html", {})


@get(
    "/dashboard",
    opt=LOGGED_IN,
    dependencies={"dashboard": Provide(provide_dashboard, sync_to_thread=False)},
)
async def dashboard(
    request: Request,
    dashboard: NamedDependency[DashboardService],
    identity: NamedDependency[Identity],
) -> Template | Redirect:
    """A grid worker's home screen is the due list (issue 5); others get the board."""
    if (home := home_path(identity.roles)) != "/dashboard":
        return Redirect(home, status_code=303)
    board = await dashboard.board(identity)
    return render(request, "dashboard/index.html", {"board": board})


class GettingStartedController(Controller):
    """The administrator's getting-started card: declare a step done, hide, show."""

    path = "/dashboard/setup"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"setup": Provide(provide_setup, sync_to_thread=False)}

    @post("/checked")
    async def checked(
        self,
        request: Request,
        setup: NamedDependency[SetupService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            await setup.check(data.get("step", ""), identity.actor)
        except Refused as refused:
            return refused_back(request, refused, "/dashboard")
        flash(request, "success", _("Marked as done."))
        return see_other(request, "/dashboard")

    @post("/hide")
    async def hide(
        self,
        request: Request,
        setup: NamedDependency[SetupService],
        identity: NamedDependency[Identity],
    ) -> Any:
        await setup.set_hidden(identity.user_id, True)
        flash(
            request,
            "info",
            _("The getting-started steps are hidden. You can show them again at the foot of "
              "this page."),
        )  # fmt: skip
        return see_other(request, "/dashboard")

    @post("/show")
    async def show(
        self,
        request: Request,
        setup: NamedDependency[SetupService],
        identity: NamedDependency[Identity],
    ) -> Any:
        await setup.set_hidden(identity.user_id, False)
        return see_other(request, "/dashboard")


ROUTES: list[ControllerRouterHandler] = [home, dashboard, GettingStartedController]
