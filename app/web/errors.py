"""Error pages in the user's language; never a traceback.

A lost database or Redis connection becomes a friendly 503, anything unexpected a
500 that is logged with the request id the user can quote.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.plugins.htmx import HXLocation
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from app.core.errors import NotFound
from app.core.outages import server_away
from app.i18n import N_, _, current_locale
from app.web.identity import locale_from_cookies

log = structlog.get_logger("redstar.errors")

PAGES = {
    400: (N_("The request was not understood"), N_("Please go back and try again.")),
    403: (
        N_("You may not open this page"),
        N_("Your account does not have the permission for this page."),
    ),
    404: (
        N_("Page not found"),
        N_("This page does not exist, or you may not see it."),
    ),
    405: (N_("The request was not understood"), N_("Please go back and try again.")),
    413: (
        N_("The file is too large"),
        N_("Files up to 20 MB can be uploaded. Split the roster into several files."),
    ),
    429: (N_("Too many attempts"), N_("Please wait a few minutes and try again.")),
    500: (
        N_("Something went wrong"),
        N_("The problem has been recorded. Please try again later."),
    ),
    503: (
        N_("The service is briefly unavailable"),
        N_("The database or cache cannot be reached right now. Please refresh in a minute."),
    ),
}

CSRF_FAILED = "CSRF token verification failed"  # Litestar's detail for a bad or missing token
EXPIRED_FORM = (
    N_("This page has expired"),
    N_(
        "The form was open too long or came from elsewhere. "
        "Please go back, refresh and send it again."
    ),
)


def error_page(request: Request, status: int, page: tuple[str, str] | None = None) -> Response[Any]:
    # The middleware has already reset the locale when an error reaches this handler.
    current_locale.set(locale_from_cookies(dict(request.cookies)))
    title, message = page or PAGES.get(status, PAGES[500])
    if request.url.path.startswith(("/healthz", "/readyz", "/api/")):
        return Response({"status": status, "detail": _(title)}, status_code=status)
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": _(title), "message": _(message)},
        status_code=status,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException):
        return login_redirect(request)
    if isinstance(exc, PermissionDeniedException) and exc.detail == CSRF_FAILED:
        return error_page(request, 403, EXPIRED_FORM)
    return error_page(request, exc.status_code)


def login_redirect(request: Request) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?" + urlencode({"next": here}, safe="/", quote_via=quote)
    if request.headers.get("hx-request"):
        return HXLocation(redirect_to=target)
    return Redirect(target, status_code=303)


def unavailable_handler(request: Request, exc: Exception) -> Response[Any]:
    log.warning("dependency_unavailable", error=type(exc).__name__)
    return error_page(request, HTTP_503_SERVICE_UNAVAILABLE)


def dbapi_handler(request: Request, exc: DBAPIError) -> Response[Any]:
    """A database error is a 503 only when the server is away (app.core.outages)."""
    if server_away(exc):
        return unavailable_handler(request, exc)
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request, exc: Exception) -> Response[Any]:
    log.error("unhandled_exception", exc_info=exc)
    return error_page(request, 500)


def not_found_handler(request: Request, exc: NotFound) -> Response[Any]:
    return error_page(request, 404)


exception_handlers: dict[Any, Any] = {
    HTTPException: http_exception_handler,
    NotFound: not_found_handler,
    DBAPIError: dbapi_handler,
    **{exc: unavailable_handler for exc in (OSError, RedisConnectionError, RedisTimeoutError)},
    Exception: internal_error_handler,
}
