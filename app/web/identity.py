"""Who is asking: resolved once per request, before any handler runs.

The middleware reads the session, loads the account (a tenant user under that
tenant's RLS scope), and publishes the result on the request (`request.user`), in
the tenant context var (for the database hook) and in structlog's context.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from uuid import UUID

import structlog
from litestar.middleware import ASGIMiddleware
from sqlalchemy import func, select

from app.accounts.models import PlatformUser, User, UserRole
from app.audit.service import Actor
from app.i18n import DEFAULT_LOCALE, LOCALES, current_locale
from app.query_params import clean_query_string
from app.web import flash
from app.web.sessions import COOKIE_NAME
from tenants.context import current_tenant_id, tenant_scope
from tenants.models import Tenant, TenantStatus

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from app.state import AppServices

log = structlog.get_logger("redstar.request")

LOCALE_COOKIE = "redstar_lang"
NO_IDENTITY = ("/static/", "/assets/", "/favicon.ico", "/healthz", "/readyz")
"""Paths that serve no one in particular: no session is looked up for them."""


@dataclass(frozen=True)
class Identity:
    """The logged-in account, as the rest of the request sees it."""

    user_id: UUID
    name: str
    roles: frozenset[str]
    tenant_id: UUID | None = None
    tenant_name: str | None = None
    province_code: str | None = None
    session_id: str = field(default="", repr=False)

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None

    def has_any(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def actor(self) -> Actor:
        return Actor("platform" if self.is_platform else "user", self.name, self.user_id)


async def load_identity(
    services: AppServices, data: dict[str, Any], session_id: str = ""
) -> Identity | None:
    """Rebuild the identity from session data; None if the account or tenant is gone."""
    if time.time() - data.get("at", 0) > services.settings.auth.session_max_seconds:
        return None
    user_id = UUID(data["uid"])
    if data.get("tid") is None:
        async with services.db.session() as session:
            staff = (
                await session.execute(
                    select(PlatformUser.name, PlatformUser.role, PlatformUser.province_code).where(
                        PlatformUser.id == user_id, PlatformUser.is_active
                    )
                )
            ).first()
        if staff is None:
            return None
        return Identity(
            user_id=user_id, name=staff.name, roles=frozenset({staff.role}),
            province_code=staff.province_code, session_id=session_id,
        )  # fmt: skip
    tenant_id = UUID(data["tid"])
    roles = (
        select(func.array_agg(UserRole.role))
        .where(UserRole.tenant_id == User.tenant_id)
        .where(UserRole.user_id == User.id)
        .scalar_subquery()
    )
    with tenant_scope(tenant_id):
        async with services.db.session() as session:
            row = (
                await session.execute(
                    select(
                        User.name,
                        User.is_active,
                        Tenant.name,
                        Tenant.status,
                        roles,
                        User.password_version,
                    )
                    .join(Tenant, Tenant.id == User.tenant_id)
                    .where(User.id == user_id)
                )
            ).first()
    if row is None or not row[1] or row[3] != TenantStatus.ACTIVE:
        return None
    if row[5] != data.get("pv"):
        return None  # the password was reset or changed since this session logged in
    return Identity(
        user_id=user_id, name=row[0], roles=frozenset(row[4] or ()),
        tenant_id=tenant_id, tenant_name=row[2], session_id=session_id,
    )  # fmt: skip


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope["headers"]:
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as none
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


class IdentityMiddleware(ASGIMiddleware):
    """Resolve request id, locale and identity, clean the query string (app.query_params);
    log one line per request."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        services: AppServices = scope["litestar_app"].state.services
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        scope["query_string"] = clean_query_string(scope.get("query_string", b""))
        cookies = _cookies(scope)
        locale = locale_from_cookies(cookies)
        state = scope.setdefault("state", {})
        if linked := locale_from_link(scope["query_string"]):
            locale = state["remember_locale"] = linked
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        locale_token = current_locale.set(locale)
        identity = None
        if not scope["path"].startswith(NO_IDENTITY):
            session_id = cookies.get(COOKIE_NAME, "")
            data = await services.sessions.load(session_id) if session_id else None
            if data is not None:
                identity = await load_identity(services, data, session_id)
                if identity is None:
                    await services.sessions.destroy(session_id)
        scope["user"] = identity
        state["request_id"] = request_id
        state["flash_in"] = flash.decode(cookies.get(flash.COOKIE, ""))
        tenant_token = current_tenant_id.set(identity.tenant_id if identity else None)
        if identity:
            structlog.contextvars.bind_contextvars(
                tenant=str(identity.tenant_id or "-"), user=str(identity.user_id)
            )
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, send_wrapper)
        except Exception as exc:  # rendered by the exception handlers further out
            status = getattr(exc, "status_code", 500)
            raise
        finally:
            log.info(
                "request",
                method=scope.get("method", ""),
                # The route's template, not the path: /invite/{token} must not log tokens.
                path=scope.get("path_template", scope["path"]),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            current_tenant_id.reset(tenant_token)
            current_locale.reset(locale_token)
            structlog.contextvars.clear_contextvars()


def locale_from_link(query_string: bytes) -> str | None:
    """`?lang=en` on a link opens the page in that language (and remembers it, like
    the choice on the account page)."""
    if b"lang=" not in query_string:
        return None
    values = parse_qs(query_string.decode("latin-1")).get("lang", [])
    return values[0] if values and values[0] in LOCALES else None


def locale_from_cookies(cookies: dict[str, str]) -> str:
    locale = cookies.get(LOCALE_COOKIE, DEFAULT_LOCALE)
    return locale if locale in LOCALES else DEFAULT_LOCALE


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")[:64]
    return ""
