"""Setting a new password: by a reset link (anyone holding it) or when logged in; and
the admin's button that makes a reset link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.invitations.routes import absolute
from app.accounts.login.routes import client_ip, start_session
from app.accounts.login.service import session_data
from app.accounts.passwords.service import PasswordService
from app.accounts.throttle import login_throttle
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES, Role
from app.i18n import _
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import PUBLIC, allow
from app.web.responses import form_data, render, see_other, sent_back


def provide_passwords(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> PasswordService:
    auth = services.settings.auth
    return PasswordService(db_session, auth, login_throttle(services.redis, auth))


class PasswordController(Controller):
    """Setting a new password: by a reset link (anyone holding it) or when logged in."""

    dependencies = {"passwords": Provide(provide_passwords, sync_to_thread=False)}

    @post("/users/{user_id:uuid}/reset-link", opt=allow(Role.TENANT_ADMIN))
    async def reset_link(
        self,
        request: Request,
        passwords: NamedDependency[PasswordService],
        identity: NamedDependency[Identity],
        user_id: FromPath[UUID],
    ) -> Template:
        """For someone who forgot their password: a link to set a new one."""
        token, name = await passwords.issue_reset(user_id, identity.actor)
        return render(
            request,
            "accounts/link.html",
            {
                "title": _("Password reset link for %(name)s", name=name),
                "explanation": _(
                    "Send this link to them. It works once and expires in %(hours)s hours. "
                    "Until they use it, their old password still works.",
                    hours=passwords.hours,
                ),
                "link": absolute(request, f"/reset/{token}"),
            },
        )

    @get("/reset/{token:str}", opt=PUBLIC)
    async def reset_page(
        self, request: Request, passwords: NamedDependency[PasswordService], token: FromPath[str]
    ) -> Template:
        link = await passwords.open_reset(token)
        if link is None:
            raise NotFoundException()
        return render(request, "accounts/reset.html", {"link": link, "errors": {}})

    @post("/reset/{token:str}", opt=PUBLIC)
    async def reset(
        self, request: Request, passwords: NamedDependency[PasswordService], token: FromPath[str]
    ) -> Any:
        data = await form_data(request)
        try:
            await passwords.reset(token, data.get("password", ""), data.get("password_confirm", ""))
        except InvalidForm as invalid:
            link = await passwords.open_reset(token)
            if link is None:
                raise NotFoundException() from invalid
            return sent_back(request, "accounts/reset.html", {"link": link, "form": {}}, invalid)
        flash(request, "success", _("Your new password is set. Please log in."))
        return see_other(request, "/login")

    @get("/account/password", opt=allow(*TENANT_ROLES))
    async def change_page(self, request: Request) -> Template:
        return render(request, "accounts/password.html", {"errors": {}})

    @post("/account/password", opt=allow(*TENANT_ROLES))
    async def change(
        self,
        request: Request,
        passwords: NamedDependency[PasswordService],
        identity: NamedDependency[Identity],
    ) -> Any:
        data = await form_data(request)
        try:
            version = await passwords.change(
                identity.actor, data.get("current_password", ""), data.get("password", ""),
                data.get("password_confirm", ""), client_ip(request),
            )  # fmt: skip
        except InvalidForm as invalid:
            return sent_back(
                request, "accounts/password.html", {"form": {}}, invalid,
                fragment="accounts/_password_form.html",
            )  # fmt: skip
        flash(request, "success", _("Your password was changed. Other devices are logged out."))
        response = see_other(request, "/dashboard", full_reload=True)
        await start_session(
            request, response, session_data(identity.user_id, identity.tenant_id, version)
        )
        return response


ROUTES: list[ControllerRouterHandler] = [PasswordController]
