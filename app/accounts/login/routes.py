"""Logging in and out, and one's own account page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.login.service import LoginService
from app.accounts.throttle import login_throttle
from app.core.roles import TENANT_ROLES
from app.i18n import _
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import LOGGED_IN, PUBLIC
from app.web.responses import form_data, render, safe_next, see_other
from app.web.sessions import COOKIE_NAME


def provide_login(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> LoginService:
    return LoginService(db_session, login_throttle(services.redis, services.settings.auth))


async def start_session(request: Request, response: Response[Any], data: dict[str, Any]) -> None:
    """A new session id for a new login: any id the browser had is dropped."""
    sessions = request.app.state.services.sessions
    if old := request.cookies.get(COOKIE_NAME):
        await sessions.destroy(old)
    settings = request.app.state.services.settings
    response.set_cookie(
        COOKIE_NAME,
        await sessions.create(data),
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.app.production,
        max_age=settings.auth.session_idle_seconds,
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    dependencies = {"logins": Provide(provide_login, sync_to_thread=False)}

    @get("/login", opt=PUBLIC)
    async def login_page(self, request: Request, next: FromQuery[str] = "") -> Any:
        if request.scope.get("user"):
            return see_other(request, safe_next(next))
        return render(request, "accounts/login.html", {"form": {"next": next}, "error": None})

    @post("/login", opt=PUBLIC)
    async def login(self, request: Request, logins: NamedDependency[LoginService]) -> Any:
        data = await form_data(request)
        outcome = await logins.authenticate(
            data.get("phone", ""), data.get("password", ""), client_ip(request),
            data.get("tenant", ""),
        )  # fmt: skip
        if outcome.session is None:
            context = {
                "form": {"phone": data.get("phone", ""), "next": data.get("next", "")},
                "error": _(outcome.error, **outcome.error_args) if outcome.error else None,
                "choices": outcome.choices,
                "apply_again": outcome.apply_again,
            }
            return render(
                request, "accounts/login.html", context,
                fragment="accounts/_login_form.html", status_code=outcome.status,
            )  # fmt: skip
        response = see_other(request, safe_next(data.get("next")), full_reload=True)
        await start_session(request, response, outcome.session)
        return response

    @get("/account", opt=LOGGED_IN)
    async def account(self, request: Request) -> Template:
        """One's own account: who one is here, the language, the password, logging out
        (on a phone the header shows only one's name, which leads here)."""
        changes_password = request.scope["user"].has_any(frozenset(TENANT_ROLES))
        return render(request, "accounts/account.html", {"changes_password": changes_password})

    @post("/logout", opt=LOGGED_IN)
    async def logout(self, request: Request) -> Response[Any]:
        identity = request.scope["user"]
        await request.app.state.services.sessions.destroy(identity.session_id)
        response = see_other(request, "/login", full_reload=True)
        response.delete_cookie(COOKIE_NAME, path="/")
        flash(request, "info", _("You have logged out."))
        return response


ROUTES: list[ControllerRouterHandler] = [AuthController]
