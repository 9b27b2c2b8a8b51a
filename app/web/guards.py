"""Route guards. Every route declares who may use it in `opt`; the app applies this
one guard everywhere, so a route that forgets to declare is closed, not open.

    @get("/x", opt=allow(Role.TENANT_ADMIN))   # these roles only
    @get("/y", opt=PUBLIC)                       # anyone, logged in or not
    @get("/z", opt=LOGGED_IN)                    # any logged-in account
    @get("/v", opt=allow(*roles, shown_if=pred)) # these roles; links only where pred(identity)

`shown_if` is for a page every role may open while only some have work there (a
volunteer team's leader records activities): the service answers the others with a
clear message, and menus and `may()` show its link only where the predicate holds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from litestar import HttpMethod, Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute

from app.core.identity import Identity
from app.core.roles import Role

PUBLIC: dict[str, Any] = {"access": "public"}
LOGGED_IN: dict[str, Any] = {"access": "logged_in"}


def allow(*roles: Role, shown_if: Callable[[Identity], bool] | None = None) -> dict[str, Any]:
    opt: dict[str, Any] = {"access": "roles", "roles": frozenset(roles)}
    if shown_if is not None:
        opt["shown_if"] = shown_if
    return opt


def on_the_roster(identity: Identity) -> bool:
    """For `shown_if`: the account is linked to a person of the roster, so a page of
    one's own (my card, my surveys, my volunteering) has something to show."""
    return identity.person_id is not None


def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    access = handler.opt.get("access")
    if access == "public":
        return
    identity = connection.scope.get("user")
    if identity is None:
        raise NotAuthorizedException()
    if access == "logged_in":
        return
    if access == "roles" and identity.has_any(handler.opt["roles"]):
        return
    raise PermissionDeniedException()


def may_open(connection: ASGIConnection, path: str) -> bool:
    """Whether this user may GET the page at `path` (a route path, no parameters): the
    route's own declared access answers, so a link is shown exactly to those the route
    lets in — navigation needs no second list of roles."""
    handler = _page_handlers(connection.app).get(path)
    if handler is None:
        return False
    try:
        access_guard(connection, handler)
    except (NotAuthorizedException, PermissionDeniedException):
        return False
    shown_if = handler.opt.get("shown_if")
    return shown_if is None or bool(shown_if(connection.scope.get("user")))


@cache
def _page_handlers(app: Litestar) -> dict[str, BaseRouteHandler]:
    """Each route path's GET handler (its opt holds the access of every layer)."""
    return {
        route.path: route.route_handler_map[HttpMethod.GET][0]
        for route in app.routes
        if isinstance(route, HTTPRoute) and HttpMethod.GET in route.route_handler_map
    }
