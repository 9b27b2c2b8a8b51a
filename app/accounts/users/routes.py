"""A district admin's accounts page and one account's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.invitations.routes import provide_invitations
from app.accounts.invitations.service import InvitationService
from app.accounts.users.service import AccountService
from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import TENANT_ROLES, Role
from app.i18n import _
from app.people.account_links import account_link, linked_people
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import refused_back, render, see_other


def provide_accounts(db_session: NamedDependency[AsyncSession]) -> AccountService:
    return AccountService(db_session)


class UsersController(Controller):
    """A district admin's accounts page: who can log in, with which role."""

    path = "/users"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {
        "accounts": Provide(provide_accounts, sync_to_thread=False),
        "invitations": Provide(provide_invitations, sync_to_thread=False),
    }

    @get("/")
    async def index(
        self,
        request: Request,
        accounts: NamedDependency[AccountService],
        invitations: NamedDependency[InvitationService],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        users = await accounts.list_users()
        context = {
            "users": users,
            "linked": await linked_people(db_session, [u.id for u in users]),
            "invitations": await invitations.pending_invitations(),
            "roles": TENANT_ROLES,
        }
        return render(request, "accounts/users.html", context)

    @get("/{user_id:uuid}")
    async def detail(
        self,
        request: Request,
        accounts: NamedDependency[AccountService],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[UUID],
    ) -> Template:
        """One account: its roles, its actions, and what has been done to it."""
        account = await accounts.user(user_id)
        events = await latest_events(db_session, 50, subject_id=user_id)
        return render(
            request,
            "accounts/user.html",
            {
                "account": account,
                "link": await account_link(db_session, user_id),
                "roles": TENANT_ROLES,
                "events": events,
                "labels": ACTION_LABELS,
            },
        )

    @post("/{user_id:uuid}/roles")
    async def set_roles(
        self,
        request: Request,
        accounts: NamedDependency[AccountService],
        identity: NamedDependency[Identity],
        user_id: FromPath[UUID],
    ) -> Any:
        form = await request.form()
        roles = [str(role) for role in form.getall("role", [])]
        try:
            await accounts.set_roles(user_id, roles, identity.actor)
        except Refused as refused:
            return refused_back(request, refused, f"/users/{user_id}")
        flash(request, "success", _("The roles were saved."))
        return see_other(request, f"/users/{user_id}")

    @post("/{user_id:uuid}/disable")
    async def disable(
        self,
        request: Request,
        accounts: NamedDependency[AccountService],
        identity: NamedDependency[Identity],
        user_id: FromPath[UUID],
    ) -> Any:
        try:
            await accounts.set_active(user_id, False, identity.actor)
        except Refused as refused:
            return refused_back(request, refused, "/users")
        flash(request, "success", _("The account was disabled."))
        return see_other(request, "/users")

    @post("/{user_id:uuid}/enable")
    async def enable(
        self,
        request: Request,
        accounts: NamedDependency[AccountService],
        identity: NamedDependency[Identity],
        user_id: FromPath[UUID],
    ) -> Any:
        await accounts.set_active(user_id, True, identity.actor)
        flash(request, "success", _("The account was enabled again."))
        return see_other(request, "/users")


ROUTES: list[ControllerRouterHandler] = [UsersController]
