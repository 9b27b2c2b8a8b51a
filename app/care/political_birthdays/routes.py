"""Political birthdays: the coming ones in the user's scope with the year's figures,
and a member's page of the year where the five gifts are ticked (one tap each, with or
without JavaScript) or, for a mobile member, posted with a tracking number."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.political_birthdays.calendar import default_window, month_window
from app.care.political_birthdays.models import GIFT_LABELS, POSTABLE, WAY_LABELS, Gift
from app.care.political_birthdays.service import (
    PoliticalBirthdayService,
    gift_name,
    month_name,
)
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_int, query_page, query_text
from app.core.roles import Role
from app.i18n import _
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back

LIST = "/care/political-birthdays"
PAGE = "care/political_birthdays/member.html"
GIFTS = "care/political_birthdays/_gifts.html"


def provide_birthdays(db_session: NamedDependency[AsyncSession]) -> PoliticalBirthdayService:
    return PoliticalBirthdayService(db_session)


def chosen_month(raw: str, today: date) -> date | None:
    """`?month=2026-12` within a year either side of today; anything else is none (the
    default: this month and the coming weeks)."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        return None
    return first if abs(first.year - today.year) <= 1 else None


def shifted(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class PoliticalBirthdayController(Controller):
    path = LIST
    opt = allow(Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
    dependencies = {"birthdays": Provide(provide_birthdays, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        birthdays: NamedDependency[PoliticalBirthdayService],
    ) -> Template:
        today = clock.today()
        month = chosen_month(query_text(request.query_params, "month"), today)
        start, end = month_window(month) if month else default_window(today)
        page = await birthdays.upcoming(identity, start, end, query_page(request.query_params))
        shown = month or today.replace(day=1)
        return render(request, "care/political_birthdays/index.html", {
            "page": page, "month": month, "start": start, "end": end, "today": today,
            "previous": shifted(shown, -1), "next": shifted(shown, 1), "month_name": month_name,
            "figures": await birthdays.figures(identity, today.year),
            "link": f"{LIST}?month={month.strftime('%Y-%m') if month else ''}&",
        })  # fmt: skip

    @get("/{person_id:uuid}")
    async def member(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        birthdays: NamedDependency[PoliticalBirthdayService],
        person_id: FromPath[UUID],
    ) -> Any:
        today = clock.today()
        year = query_int(request.query_params, "year", default=today.year,
                         low=today.year - 1, high=today.year + 1)  # fmt: skip
        try:
            sheet = await birthdays.sheet(identity, person_id, year)
        except Refused as exc:
            return refused_back(request, exc, LIST)
        return render(request, PAGE, self._context(sheet, {}), fragment=GIFTS)

    def _context(self, sheet: Any, form: dict[str, str]) -> dict[str, Any]:
        form = {"posted_on": clock.today().isoformat()} | form
        return {"sheet": sheet, "gifts": list(Gift), "labels": GIFT_LABELS, "ways": WAY_LABELS,
                "postable": POSTABLE, "form": form, "today": clock.today(),
                "error": None, "errors": {}}  # fmt: skip

    @post("/{person_id:uuid}")
    async def save(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        birthdays: NamedDependency[PoliticalBirthdayService],
        person_id: FromPath[UUID],
    ) -> Any:
        """`action`: tick (one gift by hand, today), untick (a correction) or post (the
        gifts in a mobile member's parcel)."""
        try:
            person = await birthdays.member(identity, person_id)  # 404 before reading anything
        except Refused as exc:
            return refused_back(request, exc, LIST)
        data = await form_data(request)
        action = data.get("action", "tick")
        url = f"{LIST}/{person.id}?year={data.get('year', '')}"
        try:
            if action == "post":
                parcel = await birthdays.post(identity, person_id, data)
                message = _("The parcel to %(name)s is recorded: %(gifts)s.", name=person.name,
                            gifts="、".join(gift_name(g) for g in parcel.gifts))  # fmt: skip
            elif action == "untick":
                gift = await birthdays.untick(identity, person_id, data)
                message = _("%(gift)s is no longer ticked.", gift=gift_name(gift))
            else:
                gift = await birthdays.tick(identity, person_id, data)
                message = _("%(gift)s delivered to %(name)s.", gift=gift_name(gift),
                            name=person.name)  # fmt: skip
        except Refused as exc:
            return await self._sent_back(request, identity, birthdays, person_id, data, exc)
        if request.headers.get("hx-target") == "gifts":
            year = int(data["year"])
            sheet = await birthdays.sheet(identity, person_id, year)
            return render(request, PAGE, self._context(sheet, {}) | {"said": message},
                          fragment=GIFTS)  # fmt: skip
        flash(request, "success", message)
        return see_other(request, url)

    async def _sent_back(
        self,
        request: Request,
        identity: Identity,
        birthdays: PoliticalBirthdayService,
        person_id: UUID,
        data: dict[str, str],
        refused: Refused,
    ) -> Any:
        """The page (or the gifts, for htmx) again with the message; nothing written."""
        today = clock.today()
        year = query_int(data, "year", default=today.year, low=today.year - 1,
                         high=today.year + 1)  # fmt: skip
        sheet = await birthdays.sheet(identity, person_id, year)
        return sent_back(request, PAGE, self._context(sheet, data), refused, fragment=GIFTS)


ROUTES: list[ControllerRouterHandler] = [PoliticalBirthdayController]
