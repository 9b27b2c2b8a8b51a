"""Who is asking, and the request's unit of work: both set up once, before any
handler runs.

The middleware opens the request's database session (one transaction, one
`set_config` of the tenant), reads the login session, loads the account in that
transaction (a tenant user under that tenant's RLS scope) and publishes the result on
the request (`request.user`), in the tenant context var (for the database hook) and in
structlog's context. Handlers receive the same session as `db_session` and hand it to
their services. When the response starts, what the request left open is committed
(status below 400) or rolled back; a service whose write must be final earlier (a
refusal to report, a job to enqueue) commits it itself.
"""

from __future__ import annotations

import time
import uuid
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from uuid import UUID

import structlog
from litestar.middleware import ASGIMiddleware
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import load_identity
from app.core.identity import Identity
from app.core.query_params import clean_query_string
from app.db.tenant import current_tenant_id
from app.i18n import DEFAULT_LOCALE, LOCALES, current_locale
from app.notifications.outbox import dispatch_queued
from app.web import flash
from app.web.sessions import COOKIE_NAME

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from app.state import AppServices

log = structlog.get_logger("redstar.request")

LOCALE_COOKIE = "redstar_lang"
NO_IDENTITY = ("/static/", "/assets/", "/favicon.ico", "/healthz", "/readyz")
"""Paths that serve no one in particular: no session is looked up for them."""
POLLS = ("/inbox/count",)
"""Paths a page asks by itself (htmx polling): not a person's activity, so they do not
keep an idle session alive — a tab left open on a shared office PC still logs out."""


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
    """Resolve request id, locale and identity, clean the query string (app.core.query_params);
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
        started = time.perf_counter()
        status = 500
        db_session = services.db.sessionmaker()
        state["db_session"] = db_session
        tenant_token = current_tenant_id.set(None)

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if db_session.in_transaction():  # before the client can follow a 303
                    await (db_session.commit() if status < 400 else db_session.rollback())
            await send(message)

        try:
            await self._identify(scope, services, db_session, cookies)
            state["flash_in"] = flash.decode(cookies.get(flash.COOKIE, ""))
            state["request_id"] = request_id
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
            # The deliveries of notices this request wrote go on the queue once the
            # response is out (after the commit; the sweep catches any left behind).
            await dispatch_queued(db_session, services.redis)
            await db_session.close()  # rolls back whatever an error left open
            current_tenant_id.reset(tenant_token)
            current_locale.reset(locale_token)
            structlog.contextvars.clear_contextvars()

    @staticmethod
    async def _identify(
        scope: Scope, services: AppServices, db_session: AsyncSession, cookies: dict[str, str]
    ) -> Identity | None:
        """The login session's account, read in the request's transaction; sets the
        tenant context and `scope["user"]`."""
        identity = None
        if not scope["path"].startswith(NO_IDENTITY):
            session_id = cookies.get(COOKIE_NAME, "")
            touch = scope["path"] not in POLLS
            data = await services.sessions.load(session_id, touch=touch) if session_id else None
            if data is not None:
                # The claimed tenant scopes the transaction the account is read in.
                current_tenant_id.set(UUID(data["tid"]) if data.get("tid") else None)
                identity = await load_identity(db_session, services.settings, data, session_id)
                if identity is None:
                    await db_session.rollback()  # the next transaction starts unscoped
                    current_tenant_id.set(None)
                    await services.sessions.destroy(session_id)
        scope["user"] = identity
        if identity:
            structlog.contextvars.bind_contextvars(
                tenant=str(identity.tenant_id or "-"), user=str(identity.user_id)
            )
        return identity


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
