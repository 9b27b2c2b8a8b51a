"""Signup of a district bureau, and the approvals page of its province / the operator."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.login.routes import client_ip
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.i18n import _, current_locale
from app.presets import all_presets
from app.signup.service import TenancyService
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import PUBLIC, allow
from app.web.responses import form_data, refused_back, render, see_other, sent_back


def provide_tenancy(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> TenancyService:
    return TenancyService(db_session, services.redis, services.settings.auth)


class SignupController(Controller):
    path = "/signup"
    opt = PUBLIC
    dependencies = {"tenancy": Provide(provide_tenancy, sync_to_thread=False)}

    async def _context(self, tenancy: TenancyService, form: dict[str, str]) -> dict[str, Any]:
        locale = current_locale.get()
        return {
            "form": form,
            "errors": {},
            "provinces": await tenancy.provinces(),
            "presets": [
                (p.key, p.label(locale), p.summary(locale)) for p in all_presets().values()
            ],
        }

    @get("/")
    async def page(self, request: Request, tenancy: NamedDependency[TenancyService]) -> Template:
        return render(request, "tenants/signup.html", await self._context(tenancy, {}))

    @post("/")
    async def submit(self, request: Request, tenancy: NamedDependency[TenancyService]) -> Any:
        data = await form_data(request)
        try:
            await tenancy.sign_up(data, client_ip(request))
        except Refused as refused:
            typed = {k: v for k, v in data.items() if not k.startswith("password")}
            return sent_back(
                request, "tenants/signup.html", await self._context(tenancy, typed), refused,
                fragment="tenants/_signup_form.html",
            )  # fmt: skip
        return see_other(request, "/signup/submitted", full_reload=True)

    @get("/submitted")
    async def submitted(self, request: Request) -> Template:
        return render(request, "tenants/submitted.html", {})


class ApprovalsController(Controller):
    path = "/approvals"
    opt = allow(Role.OPERATOR, Role.PROVINCIAL_VIEWER)
    dependencies = {"tenancy": Provide(provide_tenancy, sync_to_thread=False)}

    @get("/")
    async def index(
        self,
        request: Request,
        tenancy: NamedDependency[TenancyService],
        identity: NamedDependency[Identity],
    ) -> Template:
        presets = all_presets()
        locale = current_locale.get()
        return render(
            request, "tenants/approvals.html",
            {
                "tenants": await tenancy.tenants_for(identity),
                "preset_label": lambda key: presets[key].label(locale) if key in presets else key,
            },
        )  # fmt: skip

    @post("/{tenant_id:uuid}/approve")
    async def approve(
        self,
        request: Request,
        tenancy: NamedDependency[TenancyService],
        identity: NamedDependency[Identity],
        tenant_id: FromPath[UUID],
    ) -> Any:
        return await self._decide(request, tenancy, identity, tenant_id, approve=True)

    @post("/{tenant_id:uuid}/reject")
    async def reject(
        self,
        request: Request,
        tenancy: NamedDependency[TenancyService],
        identity: NamedDependency[Identity],
        tenant_id: FromPath[UUID],
    ) -> Any:
        return await self._decide(request, tenancy, identity, tenant_id, approve=False)

    async def _decide(
        self,
        request: Request,
        tenancy: TenancyService,
        identity: Identity,
        tenant_id: UUID,
        *,
        approve: bool,
    ) -> Any:
        data = await form_data(request)
        try:
            await tenancy.decide(identity, tenant_id, approve=approve, note=data.get("note", ""))
        except Refused as refused:
            return refused_back(request, refused, "/approvals")
        if approve:
            flash(request, "success", _("Approved. The district's administrator can log in now."))
        else:
            flash(request, "success", _("Rejected. The reason is kept with the signup."))
        return see_other(request, "/approvals")


ROUTES: list[ControllerRouterHandler] = [SignupController, ApprovalsController]
