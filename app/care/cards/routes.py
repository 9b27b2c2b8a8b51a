"""Care card pages: the list to print from (/care/cards), one member's card and its
PDF, a whole branch's cards as one PDF, and a member's own card on the phone
(/care/my-card)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.cards.document import SIZES, cards_pdf
from app.care.cards.service import CardService
from app.core.identity import Identity
from app.core.query_params import query_choice, query_id
from app.core.roles import TENANT_ROLES, Role
from app.volunteering.certificates.document import warm_up
from app.web.downloads import DOWNLOAD, attachment
from app.web.guards import allow, on_the_roster
from app.web.responses import render

PRINTING = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
"""The admin (anyone's), a secretary (their branch), a grid worker (their grids' people)."""
PDF = "application/pdf"
SIZE_WORDS = {"a6": "A6", "wallet": "卡片"}


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

    @get("/cards/branches/{unit_id:uuid}/pdf", opt={**PRINTING, **DOWNLOAD})
    async def branch_pdf(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        cards: NamedDependency[CardService],
        unit_id: FromPath[UUID],
    ) -> Response[bytes]:
        found = await cards.branch_cards(identity, unit_id)
        size = size_of(request)
        branch = found[0].branch
        return attachment(
            await cards_pdf(found, size), f"亲情服务卡-{branch}-{SIZE_WORDS[size]}.pdf",
            fallback=f"care-cards-{size}.pdf", media_type=PDF,
        )  # fmt: skip

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
