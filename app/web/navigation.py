"""Where people go: the main menu, a section's own menu (the grid pages), and the
page an account lands on.

Who sees a place is asked of its route's own guard (app.web.guards.may_open): a role
that may not open a page never sees its link, and a page opened to a new role shows
up in its menus without a second list of roles to keep in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from litestar import Request

from app.core.roles import Role
from app.i18n import N_, _
from app.web.guards import may_open

# The places of the main menu, in order.
NAVIGATION: list[tuple[str, str]] = [
    ("/dashboard", N_("Home")),
    ("/approvals", N_("Approvals")),
    ("/people", N_("Roster")),
    ("/org", N_("Organisation")),
    ("/my-branch", N_("My branch")),
    ("/orglife/meetings", N_("Organisational life")),
    ("/grid", N_("Visits")),
    ("/care", N_("Care")),
    ("/requests", N_("Requests")),
    ("/points", N_("Points")),
    ("/volunteering", N_("Volunteering")),
    ("/reports", N_("Reports")),
    ("/volunteering/mine", N_("My volunteering")),
    ("/care/my-card", N_("My care card")),
    ("/care/my-surveys", N_("Surveys to answer")),
    ("/users", N_("Accounts")),
    ("/audit", N_("Change log")),
]


def menu(request: Request, places: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The places this user may open, as links; the one holding the current page (the
    longest that starts its path) is marked."""
    if request.scope.get("user") is None:
        return []
    path = request.url.path.rstrip("/") or "/"
    shown = [(href, label) for href, label in places if may_open(request, href)]
    here = max(
        (href for href, _label in shown if path == href or path.startswith(href + "/")),
        key=len,
        default=None,
    )
    return [{"href": href, "label": label, "active": href == here} for href, label in shown]


def navigation(request: Request) -> list[dict[str, Any]]:
    """The main menu."""
    return menu(request, ((href, _(label)) for href, label in NAVIGATION))


def home_path(roles: Set[str]) -> str:
    """Where an account lands after logging in: a grid worker's home is the due list
    (they work from it on the phone); everyone else starts on the dashboard."""
    return "/grid" if roles == {Role.GRID_WORKER} else "/dashboard"
