"""The district admin sets request categories (with their SLAs) and the escalation chain."""

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
from app.core.roles import Role
from app.i18n import N_, _
from app.service_requests.models import Holder, RequestCategory
from app.service_requests.settings.forms import parse_category, parse_levels
from app.service_requests.settings.service import RequestSettings
from app.service_requests.words import level_label, sla_words
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, render, see_other, sent_back

HOLDER_LABELS = {
    Holder.ASSIGNEE: N_("The assigned grid worker"),
    Holder.UNIT_LEADER: N_("Leaders of the person's unit"),
    Holder.ADMIN: N_("District administrator"),
}


def provide_settings(db_session: NamedDependency[AsyncSession]) -> RequestSettings:
    return RequestSettings(db_session)


def category_form(category: RequestCategory) -> dict[str, str]:
    """A category as its form shows it."""
    return {
        "name": category.name,
        "kind": "same_day" if category.same_day_by else "hours",
        "sla_hours": str(category.sla_hours or ""),
        "same_day_by": category.same_day_by.strftime("%H:%M") if category.same_day_by else "",
    }


class RequestSettingsController(Controller):
    path = "/requests/settings"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"settings": Provide(provide_settings, sync_to_thread=False)}

    @get("/")
    async def index(self, request: Request, settings: NamedDependency[RequestSettings]) -> Template:
        return render(request, "service_requests/settings.html", await self._page(settings))

    async def _page(
        self,
        settings: RequestSettings,
        *,
        new_form: dict[str, str] | None = None,
        levels_form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The page's context; a refused form (`new_form` or `levels_form`) shows what
        was typed and, above it, the message."""
        levels = await settings.levels()
        return {
            "categories": await settings.categories(),
            "levels": levels,
            "holders": HOLDER_LABELS,
            "level_label": level_label,
            "sla_words": sla_words,
            "new_form": new_form or {"kind": "hours"},
            "new_sent": new_form is not None,
            "levels_form": levels_form
            or {
                **{f"name_{level.level}": level.name for level in levels},
                **{f"limit_{level.level}": str(level.limit_hours or "") for level in levels},
            },
            "levels_sent": levels_form is not None,
            "errors": {},
        }

    @post("/categories")
    async def add_category(
        self, request: Request, settings: NamedDependency[RequestSettings]
    ) -> Any:
        data = await form_data(request)
        try:
            category = await settings.add_category(parse_category(data))
        except Refused as refused:
            page = await self._page(settings, new_form=data)
            return sent_back(request, "service_requests/settings.html", page, refused)
        flash(request, "success", _("Category %(name)s added.", name=category.name))
        return see_other(request, "/requests/settings")

    @post("/levels")
    async def save_levels(
        self, request: Request, settings: NamedDependency[RequestSettings]
    ) -> Any:
        data = await form_data(request)
        try:
            levels = [level.level for level in await settings.levels()]
            await settings.update_levels(parse_levels(data, levels))
        except Refused as refused:
            page = await self._page(settings, levels_form=data)
            return sent_back(request, "service_requests/settings.html", page, refused)
        flash(request, "success", _("Saved."))
        return see_other(request, "/requests/settings")

    @get("/categories/{request_category_id:uuid}")
    async def category(
        self,
        request: Request,
        settings: NamedDependency[RequestSettings],
        request_category_id: FromPath[UUID],
    ) -> Template:
        category = await settings.category(request_category_id)
        return render(
            request,
            "service_requests/category.html",
            category_page(category, category_form(category)),
        )

    @post("/categories/{request_category_id:uuid}")
    async def save_category(
        self,
        request: Request,
        settings: NamedDependency[RequestSettings],
        request_category_id: FromPath[UUID],
    ) -> Any:
        category = await settings.category(request_category_id)  # 404 before the form
        data = await form_data(request)
        try:
            await settings.update_category(request_category_id, parse_category(data))
        except Refused as refused:
            page = category_page(category, data)
            return sent_back(request, "service_requests/category.html", page, refused)
        flash(request, "success", _("Saved."))
        return see_other(request, "/requests/settings")

    @post("/categories/{request_category_id:uuid}/retire")
    async def retire(
        self,
        request: Request,
        settings: NamedDependency[RequestSettings],
        request_category_id: FromPath[UUID],
    ) -> Any:
        category = await settings.category(request_category_id)  # 404 before the form
        data = await form_data(request)
        try:
            changed = await settings.retire_category(
                request_category_id, retire=data.get("retire") != "0"
            )
        except Refused as refused:
            page = category_page(category, category_form(category))
            return sent_back(request, "service_requests/category.html", page, refused)
        if changed.retired_at:
            flash(request, "success", _("Category %(name)s retired.", name=changed.name))
        else:
            flash(request, "success", _("Category %(name)s is in use again.", name=changed.name))
        return see_other(request, "/requests/settings")


def category_page(category: RequestCategory, form: dict[str, str]) -> dict[str, Any]:
    return {"category": category, "form": form, "errors": {}, "sla_words": sla_words}


ROUTES: list[ControllerRouterHandler] = [RequestSettingsController]
