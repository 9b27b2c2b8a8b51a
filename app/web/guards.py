"""Route guards. Every route declares who may use it in `opt`; the app applies this
one guard everywhere, so a route that forgets to declare is closed, not open.

    @get("/x", opt=allow(Role.TENANT_ADMIN))   # these roles only
    @get("/y", opt=PUBLIC)                       # anyone, logged in or not
    @get("/z", opt=LOGGED_IN)                    # any logged-in account
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.accounts.models import Role

PUBLIC: dict[str, Any] = {"access": "public"}
LOGGED_IN: dict[str, Any] = {"access": "logged_in"}


def allow(*roles: Role) -> dict[str, Any]:
    return {"access": "roles", "roles": frozenset(roles)}


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
