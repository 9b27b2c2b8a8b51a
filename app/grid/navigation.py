"""The grid pages' own navigation, on every grid page: the due list, the calendar,
coverage, and the admin's grids, assignment and must-visit rules. Who sees a link is
asked of the route itself (app.web.guards.may_open), never of a list kept here."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from app.i18n import N_, _
from app.web.guards import may_open
from app.web.responses import render

GRID_PAGES: list[tuple[str, str]] = [
    ("/grid", N_("Due visits")),
    ("/grid/calendar", N_("Calendar")),
    ("/grid/coverage", N_("Visit coverage")),
    ("/grid/grids", N_("Grids")),
    ("/grid/assign", N_("Assign people")),
    ("/grid/unassigned", N_("People without a grid")),
    ("/grid/rules", N_("Must-visit rules")),
]


def grid_links(request: Request) -> list[dict[str, Any]]:
    """The grid pages this user may open; the one holding the current page is marked."""
    path = request.url.path.rstrip("/") or "/"
    shown = [(href, label) for href, label in GRID_PAGES if may_open(request, href)]
    here = max(
        (href for href, _label in shown if path == href or path.startswith(href + "/")),
        key=len,
        default=None,
    )
    return [{"href": href, "label": _(label), "active": href == here} for href, label in shown]


def render_grid(request: Request, page: str, context: dict[str, Any], **options: Any) -> Template:
    """render() with the grid navigation in the context (grid/_nav.html shows it)."""
    return render(request, page, context | {"grid_links": grid_links(request)}, **options)
