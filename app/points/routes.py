"""Points pages: the district's tally, a branch's ranking, a member's points, the ledger
— and `ROUTES`, every points page (these and the sub-packages')."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_int, query_text
from app.core.roles import TENANT_ROLES, Role
from app.i18n import _
from app.points.claims import routes as claims
from app.points.claims.lists import ClaimLists
from app.points.models import SOURCE_LABELS
from app.points.numbers import points_text
from app.points.periods import Period
from app.points.publications import routes as publications
from app.points.rules import routes as rules
from app.points.service import PointsService
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, render, see_other


def provide_points(db_session: NamedDependency[AsyncSession]) -> PointsService:
    return PointsService(db_session)


async def chosen_quarter(request: Request, points: PointsService) -> tuple[Period, list[Period]]:
    """The quarter the link names (today's when it names none since the district's
    first rules) and the quarters the picker offers."""
    span = await points.kept()
    return span.quarter(query_text(request.query_params, "quarter")), span.quarters()


def leads(identity: Identity) -> bool:
    return bool(identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})


class PointsController(Controller):
    path = "/points"
    opt = allow(*TENANT_ROLES)
    dependencies = {
        "points": Provide(provide_points, sync_to_thread=False),
        "claim_lists": Provide(claims.provide_lists, sync_to_thread=False),
    }

    @get("/")
    async def overview(
        self,
        request: Request,
        points: NamedDependency[PointsService],
        claim_lists: NamedDependency[ClaimLists],
        identity: NamedDependency[Identity],
    ) -> Template:
        """Each role's way in: branch summaries for those who lead, one's own points."""
        period, periods = await chosen_quarter(request, points)
        return render(
            request,
            "points/index.html",
            {
                "period": period,
                "periods": periods,
                "summaries": await points.summaries(identity, period) if leads(identity) else [],
                "leads": leads(identity),
                "to_decide": await claim_lists.waiting(identity),
                "own_person_id": await points.own_person_id(identity),
            },
        )

    @get("/branches/{unit_id:uuid}")
    async def branch(
        self,
        request: Request,
        points: NamedDependency[PointsService],
        identity: NamedDependency[Identity],
        unit_id: FromPath[UUID],
    ) -> Template:
        period, periods = await chosen_quarter(request, points)
        unit, ranking = await points.ranking(identity, unit_id, period)
        return render(
            request,
            "points/branch.html",
            {
                "unit": unit,
                "ranking": ranking,
                "period": period,
                "periods": periods,
            },
        )

    @get("/people/{person_id:uuid}")
    async def person(
        self,
        request: Request,
        points: NamedDependency[PointsService],
        identity: NamedDependency[Identity],
        person_id: FromPath[UUID],
    ) -> Template:
        return await self._person_page(request, points, identity, person_id)

    async def _person_page(
        self,
        request: Request,
        points: PointsService,
        identity: Identity,
        person_id: UUID,
        refused: Refused | None = None,
    ) -> Template:
        year = query_int(request.query_params, "year", default=0, low=0, high=9999)
        context = {
            "member": await points.member(identity, person_id, year),
            "sources": SOURCE_LABELS,
            "may_correct": leads(identity),
        }
        return form_page(request, "points/person.html", context, refused)

    @post("/events/{event_id:uuid}/reverse")
    async def reverse(
        self,
        request: Request,
        points: NamedDependency[PointsService],
        identity: NamedDependency[Identity],
        event_id: FromPath[UUID],
    ) -> Any:
        data = await form_data(request)
        try:
            person_id, change = await points.reverse(identity, event_id, data.get("reason", ""))
        except Refused as exc:
            person_id = await points.person_of_event(identity, event_id)
            return await self._person_page(request, points, identity, person_id, exc)
        flash(
            request,
            "success",
            _("The entry was corrected (%(points)s points).", points=points_text(change)),
        )
        return see_other(request, f"/points/people/{person_id}")

    @get("/ledger/{unit_id:uuid}")
    async def ledger(
        self,
        request: Request,
        points: NamedDependency[PointsService],
        identity: NamedDependency[Identity],
        unit_id: FromPath[UUID],
    ) -> Template:
        period, periods = await chosen_quarter(request, points)
        unit, lines = await points.ledger(identity, unit_id, period)
        return render(
            request,
            "points/ledger.html",
            {
                "unit": unit,
                "lines": lines,
                "period": period,
                "periods": periods,
                "sources": SOURCE_LABELS,
                "total": sum((line.event.points for line in lines), 0),
            },
        )


ROUTES: list[ControllerRouterHandler] = [
    PointsController,
    *claims.ROUTES,
    *rules.ROUTES,
    *publications.ROUTES,
]
