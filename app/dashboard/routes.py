from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template

from app.dashboard.service import build_dashboard, home_path
from app.web.guards import LOGGED_IN, PUBLIC
from app.web.responses import render


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
