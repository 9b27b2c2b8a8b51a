"""Signup of a district bureau, and the approvals page of its province / the operator."""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from app.core.roles import Role
from app.i18n import _, current_locale
from app.web.flash import flash
from app.web.guards import PUBLIC, allow
from app.web.responses import form_data, render, see_other
from tenants.presets import all_presets
from tenants.signup import SignupForm, TenancyService


def provide_tenancy(request: Request) -> TenancyService:
    return TenancyService(request.app.state.services)


class SignupController(Controller):
    path = "/signup"
    opt = PUBLIC
    dependencies = {"tenancy": Provide(provide_tenancy, sync_to_thread=False)}

    async def _context(
        self, tenancy: NamedDependency[TenancyService], form: dict[str, str], errors: dict
    ) -> dict:
        locale = current_locale.get()
        return {
            "form": form,
            "errors": errors,
            "provinces": await tenancy.provinces(),
            "presets": [
                (p.key, p.label(locale), p.summary(locale)) for p in all_presets().values()
            ],
        }

    @get("/")
    async def page(self, request: Request, tenancy: NamedDependency[TenancyService]) -> Template:
        return render(request, "tenants/signup.html", await self._context(tenancy, {}, {}))

    @post("/")
    async def submit(self, request: Request, tenancy: NamedDependency[TenancyService]) -> Any:
        data = await form_data(request)
        form = SignupForm(**{f.name: data.get(f.name, "") for f in fields(SignupForm)})
        ip = request.client.host if request.client else "unknown"
        _, errors = await tenancy.sign_up(form, ip)
        if errors:
            keep = {k: v for k, v in data.items() if not k.startswith("password")}
            return render(
                request, "tenants/signup.html", await self._context(tenancy, keep, errors),
                fragment="tenants/_signup_form.html", status_code=422,
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
    async def index(self, request: Request, tenancy: NamedDependency[TenancyService]) -> Template:
        identity = request.scope["user"]
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
        self, request: Request, tenancy: NamedDependency[TenancyService], tenant_id: FromPath[UUID]
    ) -> Any:
        return await self._decide(request, tenancy, tenant_id, approve=True)

    @post("/{tenant_id:uuid}/reject")
    async def reject(
        self, request: Request, tenancy: NamedDependency[TenancyService], tenant_id: FromPath[UUID]
    ) -> Any:
        return await self._decide(request, tenancy, tenant_id, approve=False)

    async def _decide(
        self,
        request: Request,
        tenancy: NamedDependency[TenancyService],
        tenant_id: FromPath[UUID],
        *,
        approve: bool,
    ) -> Any:
        data = await form_data(request)
        error = await tenancy.decide(
            request.scope["user"], tenant_id, approve=approve, note=data.get("note", "")
        )
        if error:
            flash(request, "error", _(error))
        elif approve:
            flash(request, "success", _("Approved. The district's administrator can log in now."))
        else:
            flash(request, "success", _("Rejected. The reason is kept with the signup."))
        return see_other(request, "/approvals")
