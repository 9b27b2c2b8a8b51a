"""What every handler may ask for by name: the request's unit of work (`db_session`),
who is asking (`identity`) and the long-lived resources (`services`).

A capability's routes build their services from these — `PeopleService(db_session,
services.cipher)` — so one request's services share one transaction.
"""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.identity import Identity
from app.state import AppServices


def provide_db_session(request: Request) -> AsyncSession:
    """The session the middleware opened for this request (app.web.identity)."""
    return request.scope["state"]["db_session"]  # type: ignore[no-any-return]


def provide_identity(request: Request) -> Identity:
    """The logged-in account; the access guard has already turned away anyone else
    from routes that ask for it."""
    identity: Identity | None = request.scope.get("user")
    if identity is None:  # a public route asked for it: a programming error
        raise RuntimeError("identity asked for on a route open to anyone")
    return identity


def provide_services(request: Request) -> AppServices:
    return request.app.state.services  # type: ignore[no-any-return]


DEPENDENCIES = {
    "db_session": Provide(provide_db_session, sync_to_thread=False),
    "identity": Provide(provide_identity, sync_to_thread=False),
    "services": Provide(provide_services, sync_to_thread=False),
}
