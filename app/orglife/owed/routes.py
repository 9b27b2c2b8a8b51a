"""Meetings owed: the admin's overview of every branch, and a branch's calendar with its
year's counts (the admin picks a branch; a secretary sees their own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.core.query_params import query_choice, query_id, query_int, query_page, query_text
from app.core.roles import Role
from app.orglife.kinds.service import meeting_kinds
from app.orglife.models import FREQUENCY_LABELS, MEETING_STATUS_LABELS
from app.orglife.owed.calendar import meeting_day, month_asked, month_of, next_month
from app.orglife.owed.service import SORTS, OwedService
from app.web.guards import allow
from app.web.responses import render


def provide_owed(db_session: NamedDependency[AsyncSession]) -> OwedService:
    return OwedService(db_session)


def years_around(today_year: int) -> range:
    return range(today_year - 5, today_year + 2)


class OwedController(Controller):
    path = "/orglife"
    dependencies = {"owed": Provide(provide_owed, sync_to_thread=False)}

    @get("/owed", opt=allow(Role.TENANT_ADMIN))
    async def overview(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        owed: NamedDependency[OwedService],
    ) -> Template:
        params = request.query_params
        this_year = clock.today().year
        year = query_int(params, "year", default=this_year, low=this_year - 5, high=this_year + 1)
        sort = query_choice(params, "sort", SORTS, "shortfall")
        page = await owed.overview(identity, year, sort, query_page(params))
        kinds = page.items[0].kinds if page.items else []
        return render(request, "orglife/owed/index.html", {
            "page": page, "year": year, "sort": sort, "kinds": kinds,
            "years": years_around(this_year), "frequencies": FREQUENCY_LABELS,
        })  # fmt: skip

    @get("/calendar", opt=allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY))
    async def calendar(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        owed: NamedDependency[OwedService],
    ) -> Template:
        params = request.query_params
        branches = await owed.branches(identity)
        asked = query_id(params, "branch")
        branch = None
        if asked is not None:
            branch = await owed.branch(identity, asked)  # another's: not found
        elif branches:
            branch = branches[0]
        first = month_asked(query_text(params, "month", max_length=7))
        context: dict[str, Any] = {
            "branches": branches, "branch": branch, "month": None, "counts": None,
            "statuses": MEETING_STATUS_LABELS, "frequencies": FREQUENCY_LABELS,
            "today": clock.today(), "meeting_day": meeting_day,
        }  # fmt: skip
        if branch is not None:
            last = next_month(first) - timedelta(days=1)
            month = month_of(first, await owed.meetings_in(branch.id, first, last))
            [counts] = await owed.owed([branch], clock.today().year)
            names = {k.code: k.name for k in await meeting_kinds(owed.session)}
            context |= {"month": month, "counts": counts, "kind_names": names}
        return render(request, "orglife/owed/calendar.html", context)


ROUTES: list[ControllerRouterHandler] = [OwedController]
