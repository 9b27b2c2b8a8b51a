"""The inbox pages, for every account (district staff, members, platform staff):
the list, opening a notice, marking all read, and the header's count for htmx."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.identity import Identity
from app.core.query_params import query_choice, query_page
from app.notifications.inbox.service import InboxService
from app.web.guards import LOGGED_IN, PUBLIC
from app.web.responses import render, safe_next, see_other

SHOWS = ("all", "unread")
STOP_POLLING = 286
"""htmx stops a poll that is answered with this status."""


@get("/inbox", opt=LOGGED_IN)
async def inbox(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
) -> Template:
    show = query_choice(request.query_params, "show", SHOWS, "all")
    found = await InboxService(db_session).page(
        identity, unread_only=show == "unread", number=query_page(request.query_params)
    )
    return render(request, "notifications/inbox.html", {"found": found, "show": show})


@get("/inbox/{notification_id:uuid}", opt=LOGGED_IN)
async def open_notice(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    notification_id: FromPath[UUID],
) -> Redirect:
    """Opening a notice marks it read and goes to what it is about (a GET that writes,
    like following a link in an email: the mark is harmless to repeat)."""
    link = await InboxService(db_session).open(identity, notification_id)
    return Redirect(safe_next(link, "/inbox"), status_code=303)


@post("/inbox/read-all", opt=LOGGED_IN)
async def read_all(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
) -> Any:
    await InboxService(db_session).read_all(identity)
    return see_other(request, "/inbox")


@get("/inbox/count", opt=PUBLIC)
async def unread_badge(request: Request) -> Any:
    """The header's count, polled by htmx: the identity loaded for this request already
    counted it (app.access). Open to anyone so that a page whose session has ended
    stops asking (286 ends htmx's polling) instead of being sent to the login page by
    its own poll; the poll never keeps a session alive (app.web.identity.POLLS). A
    browser that opens the address is shown the inbox."""
    if not request.headers.get("hx-request"):
        return Redirect("/inbox", status_code=303)
    identity: Identity | None = request.scope.get("user")
    if identity is None:
        return Response(b"", status_code=STOP_POLLING)
    return render(request, "notifications/_unread.html", {"unread": identity.unread})


ROUTES: list[ControllerRouterHandler] = [inbox, unread_badge, open_notice, read_all]
