from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.core.errors import Refused
from app.core.roles import Role
from app.dashboard.service import build_dashboard
from app.dashboard.setup import SetupService
from app.i18n import _
from app.web.flash import flash
from app.web.guards import LOGGED_IN, PUBLIC, allow
from app.web.navigation import home_path
from app.web.responses import form_data, render, see_other


@get("/", opt=PUBLIC)
async def home(request: Request) -> Template | Redirect:
    """Logged-in users go to their dashboard; visitors see how to log in or sign up."""
    if request.scope.get("user"):
        return Redirect("/dashboard", status_code=303)
    return render(request, "home.html", {})


@get("/dashboard", opt=LOGGED_IN)
async def dashboard(request: Request) -> Template | Redirect:
    """A grid worker's home screen is the due list (issue 5); others get the board."""
    identity = request.scope["user"]
    if (home := home_path(identity.roles)) != "/dashboard":
        return Redirect(home, status_code=303)
    board = await build_dashboard(request.app.state.services, identity)
    return render(request, "dashboard/index.html", {"board": board})


class GettingStartedController(Controller):
    """The administrator's getting-started card: declare a step done, hide, show."""

    path = "/dashboard/setup"
    opt = allow(Role.TENANT_ADMIN)

    @post("/checked")
    async def checked(self, request: Request) -> Any:
        data = await form_data(request)
        try:
            await SetupService(request.app.state.services).check(
                data.get("step", ""), request.scope["user"].actor
            )
        except Refused as exc:
            flash(request, "error", _(exc.message, **exc.args_))
        else:
            flash(request, "success", _("Marked as done."))
        return see_other(request, "/dashboard")

    @post("/hide")
    async def hide(self, request: Request) -> Any:
        await SetupService(request.app.state.services).set_hidden(
            request.scope["user"].user_id, True
        )
        flash(
            request,
            "info",
            _("The getting-started steps are hidden. You can show them again at the foot of "
              "this page."),
        )  # fmt: skip
        return see_other(request, "/dashboard")

    @post("/show")
    async def show(self, request: Request) -> Any:
        await SetupService(request.app.state.services).set_hidden(
            request.scope["user"].user_id, False
        )
        return see_other(request, "/dashboard")
