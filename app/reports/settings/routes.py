"""The district administrator sets how long report files are kept."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import _
from app.reports.settings.forms import KEEP_DAYS_RANGE, parse_keep_days
from app.reports.settings.service import keep_days, set_keep_days
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, see_other


class ReportSettingsController(Controller):
    path = "/reports/settings"
    opt = allow(Role.TENANT_ADMIN)

    @get("/")
    async def index(self, request: Request, db_session: NamedDependency[AsyncSession]) -> Template:
        form = {"keep_days": str(await keep_days(db_session))}
        return form_page(request, "reports/settings.html", {"form": form, "range": KEEP_DAYS_RANGE})

    @post("/")
    async def save(
        self,
        request: Request,
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
    ) -> Any:
        data = await form_data(request)
        try:
            days = parse_keep_days(data)
        except Refused as exc:
            context = {"form": data, "range": KEEP_DAYS_RANGE}
            return form_page(request, "reports/settings.html", context, exc)
        await set_keep_days(db_session, identity, days)
        flash(request, "success", _("Saved: report files are kept for %(days)s days.", days=days))
        return see_other(request, "/reports")


ROUTES: list[ControllerRouterHandler] = [ReportSettingsController]
