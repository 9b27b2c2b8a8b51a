"""Headers every response carries, set in Litestar's `before_send` hook so that
responses made outside the route stack (unknown paths, 405, CSRF failures) get them
too: request id, security headers, `Vary: HX-Request, HX-Target`, flash and session cookies."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from litestar.datastructures import Cookie, MutableScopeHeaders

from app.web import flash
from app.web.identity import LOCALE_COOKIE, POLLS
from app.web.sessions import COOKIE_NAME

if TYPE_CHECKING:
    from litestar.types import Message, Scope

# No inline scripts or styles anywhere (htmx's indicator styles are off in base.html),
# so the policy can be strict; frame-ancestors stops clickjacking of approval buttons.
SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


async def decorate_response(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    state = scope.setdefault("state", {})
    headers = MutableScopeHeaders.from_message(message)
    headers["x-request-id"] = state.get("request_id") or uuid.uuid4().hex
    for name, value in SECURITY_HEADERS:
        headers.setdefault(name, value)
    if headers.get("content-type", "").startswith("text/html"):
        # A page answers htmx with a fragment chosen by the request's target.
        headers.add("vary", "HX-Request, HX-Target")
        # Pages carry personal data and one-time links; on a shared office PC the back
        # button or the history must not bring them back.
        headers.setdefault("cache-control", "no-store")
    secure = _production(scope)
    if locale := state.get("remember_locale"):
        cookie = Cookie(
            key=LOCALE_COOKIE, value=locale, path="/", samesite="lax", secure=secure,
            max_age=365 * 86400,
        )  # fmt: skip
        headers.add("set-cookie", cookie.to_header(header=""))
    flash.write_cookie(scope, headers, secure=secure)
    _slide_session_cookie(scope, headers, secure=secure)


def _production(scope: Scope) -> bool:
    services = getattr(scope["litestar_app"].state, "services", None)
    return bool(services and services.settings.app.production)


def _slide_session_cookie(scope: Scope, headers: MutableScopeHeaders, *, secure: bool) -> None:
    """Keep the browser's cookie as long-lived as the Redis session it points to.

    Redis extends the session at each request; renewing the cookie with it means
    a member who uses the site daily is not logged out mid-task, while one who is
    away longer than the idle time must log in again.
    """
    identity = scope.get("user")
    if identity is None or not identity.session_id or scope["path"] in POLLS:
        return
    if any(COOKIE_NAME in value for value in headers.getall("set-cookie", [])):
        return  # this response logs in or out: leave its cookie alone
    idle = scope["litestar_app"].state.services.settings.auth.session_idle_seconds
    cookie = Cookie(
        key=COOKIE_NAME, value=identity.session_id, path="/", httponly=True,
        samesite="lax", secure=secure, max_age=idle,
    )  # fmt: skip
    headers.add("set-cookie", cookie.to_header(header=""))
