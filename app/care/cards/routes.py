"""Care card pages: the list to print from (/care/cards), one member's card and its
PDF (set in the request: one page is quick), asking for a whole branch's cards as one
PDF (a report the worker makes: app/reports/care_cards), and a member's own card on
the phone (/care/my-card)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.cards.document import SIZE_WORDS, SIZES, cards_pdf
from app.care.cards.service import CardService
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_choice, query_id
from app.core.roles import TENANT_ROLES, Role
from app.reports.care_cards.build import care_cards_parameters
from app.reports.kinds import KINDS
from app.reports.requests.service import ReportService
from app.state import AppServices
from app.volunteering.certificates.document import warm_up
from app.web.downloads import DOWNLOAD, attachment
from app.web.guards import allow, on_the_roster
from app.web.responses import form_data, refused_back, render, see_other

PRINTING = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
"""The admin (anyone's), a secretary (their branch), a grid worker (their grids' people)."""
PDF = "application/pdf"


def provide_cards(db_session: NamedDependency[AsyncSession]) -> CardService:
    return CardService(db_session)


def size_of(request: Request) -> str:
    return query_choice(request.query_params, "size", set(SIZES), default="a6")


class CardController(Controller):
    path = "/care"
    dependencies = {"cards": Provide(provide_cards, sync_to_thread=False)}

    @get("/cards", opt=PRINTING)
    async def cards(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
    ) -> Template:
        """Choose a branch and a size; print one member's card or the whole branch's.
        WeasyPrint's import (seconds, once a process) starts here, before the download."""
        warm_up()
        branches = await cards.branches(identity)
        wanted = query_id(request.query_params, "branch")
        branch = next((b for b in branches if b.id == wanted), branches[0] if branches else None)
        members = await cards.members(identity, branch.id) if branch else []
        context = {"branches": branches, "branch": branch, "members": members,
                   "size": size_of(request)}  # fmt: skip
        return render(request, "care/cards/list.html", context)

    @get("/cards/{person_id:uuid}", opt=PRINTING)
    async def card(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
        person_id: FromPath[UUID],
    ) -> Template:
        card = await cards.card(identity, person_id)
        warm_up()
        return render(request, "care/cards/card.html",
                      {"card": card, "size": size_of(request), "own": False})  # fmt: skip

    @get("/cards/{person_id:uuid}/pdf", opt={**PRINTING, **DOWNLOAD})
    async def card_pdf(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
        person_id: FromPath[UUID],
    ) -> Response[bytes]:
        card = await cards.card(identity, person_id)
        size = size_of(request)
        return attachment(
            await cards_pdf([card], size), f"亲情服务卡-{card.name}-{SIZE_WORDS[size]}.pdf",
            fallback=f"care-card-{size}.pdf", media_type=PDF,
        )  # fmt: skip

    @post("/cards/branches/{unit_id:uuid}/report", opt=PRINTING)
    async def branch_report(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
        services: NamedDependency[AppServices],
        db_session: NamedDependency[AsyncSession],
        unit_id: FromPath[UUID],
    ) -> Response[Any]:
        """A whole branch's cards: a report the worker makes (4.9 s of CPU for 100 A6
        cards is too long for a request); its page shows the progress, then the file.
        Asking again while it is being made opens the same one."""
        data = await form_data(request)
        size = data["size"] if data.get("size") in SIZES else "a6"
        reports = ReportService(db_session, services.redis, services.cipher)
        try:
            branch = await cards.printable_branch(identity, unit_id)
            parameters = care_cards_parameters(identity.scope, unit_id, size,
                                               identity.tenant_name or "")  # fmt: skip
            subject = f"{branch.name} · {SIZE_WORDS[size]}"  # which size, while it is made
            report_id = await reports.ask(identity, KINDS["care_cards"], parameters, subject)
        except Refused as exc:
            return refused_back(request, exc, f"/care/cards?branch={unit_id}&size={size}")
        return see_other(request, f"/reports/{report_id}")

    @get("/my-card", opt=allow(*TENANT_ROLES, shown_if=on_the_roster))
    async def my_card(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
    ) -> Template:
        """The member's own card on the phone: tap a name to call."""
        card = await cards.own_card(identity)
        # Not linked to a person: not in the menu either (on_the_roster), and refused.
        status = 200 if identity.person_id is not None else 403
        context = {"card": card, "size": "a6", "own": True}
        return render(request, "care/cards/card.html", context, status_code=status)


ROUTES: list[ControllerRouterHandler] = [CardController]
