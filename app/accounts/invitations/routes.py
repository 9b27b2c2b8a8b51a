"""Inviting someone (the admin's form and the link it makes) and accepting by link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.invitations.forms import parse_invitation
from app.accounts.invitations.service import InvitationService
from app.accounts.login.routes import start_session
from app.core.errors import NotFound
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.core.query_params import query_id
from app.core.roles import TENANT_ROLES, Role
from app.i18n import N_, _
from app.people.account_links import (
    InvitationMatch,
    invitation_match,
    invitation_prefill,
    link_invited,
)
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import PUBLIC, allow
from app.web.navigation import home_path
from app.web.responses import form_data, render, see_other, sent_back


def provide_invitations(
    db_session: NamedDependency[AsyncSession], services: NamedDependency[AppServices]
) -> InvitationService:
    return InvitationService(db_session, services.settings.auth, link_person=link_invited)


def absolute(request: Request, path: str) -> str:
    """The full address of a one-time link, to copy and send."""
    return str(request.url.with_replacements(path=path, query=""))


def _link_note(found: InvitationMatch, name: str) -> str:
    """What accepting the invitation will link, in the admin's words."""
    if found.person and found.person.place:
        return _(
            "When the invitation is accepted, the account is linked to %(name)s (%(place)s) "
            "in the roster.",
            name=found.person.name,
            place=found.person.place,
        )
    if found.person:
        return _(
            "When the invitation is accepted, the account is linked to %(name)s in the roster.",
            name=found.person.name,
        )
    if found.taken:
        why = _("%(name)s in the roster already logs in with another account.", name=name)
    elif found.same > 1:
        why = _(
            "%(count)s people named %(name)s in the roster have this mobile number.",
            count=found.same,
            name=name,
        )
    else:
        why = _("No one living in the roster has this name and mobile number.")
    return " ".join(
        (
            why,
            _(
                "So the account will not be linked by itself: once the invitation is accepted, "
                "choose the account on the right person's page in the roster (Login account). "
                "Until then a secretary sees no one of their branch."
            ),
        )
    )


class InviteController(Controller):
    """The admin's side: the invitation form, the link it makes, withdrawing one."""

    path = "/users"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {"invitations": Provide(provide_invitations, sync_to_thread=False)}

    @get("/invite")
    async def invite_page(
        self, request: Request, db_session: NamedDependency[AsyncSession]
    ) -> Template:
        """The invitation form; from a person's page (?person=) with their name and mobile
        number filled in, so that accepting links the account to them."""
        form: dict[str, str] = {}
        if person_id := query_id(request.query_params, "person"):
            form = await invitation_prefill(db_session, person_id)
        return render(
            request, "accounts/invite.html", {"form": form, "errors": {}, "roles": TENANT_ROLES}
        )

    @post("/invite")
    async def invite(
        self,
        request: Request,
        invitations: NamedDependency[InvitationService],
        identity: NamedDependency[Identity],
        db_session: NamedDependency[AsyncSession],
    ) -> Any:
        data = await form_data(request)
        try:
            invited = parse_invitation(data)
            token = await invitations.invite(invited, identity.actor)
        except InvalidForm as invalid:
            return sent_back(
                request, "accounts/invite.html", {"form": data, "roles": TENANT_ROLES}, invalid,
                fragment="accounts/_invite_form.html",
            )  # fmt: skip
        note = None
        if invited.role != Role.TENANT_ADMIN:  # others see no one until they are linked
            found = await invitation_match(db_session, invited.name, invited.phone)
            note = _link_note(found, invited.name)
        return render(
            request,
            "accounts/link.html",
            {
                "title": _("Invitation link for %(name)s", name=invited.name),
                "explanation": _(
                    "Send this link to them. It works once and expires in %(days)s days.",
                    days=invitations.days,
                ),
                "note": note,
                "link": absolute(request, f"/invite/{token}"),
            },
            whole_page=True,
        )

    @post("/invitations/{invitation_id:uuid}/revoke")
    async def revoke(
        self,
        request: Request,
        invitations: NamedDependency[InvitationService],
        identity: NamedDependency[Identity],
        invitation_id: FromPath[UUID],
    ) -> Response[Any]:
        await invitations.revoke_invitation(invitation_id, identity.actor)
        flash(request, "success", _("The invitation was withdrawn."))
        return see_other(request, "/users")


class InvitationController(Controller):
    """Anyone holding the link may set a password once; the link is the credential,
    and setting the password logs them in as a login would."""

    path = "/invite"
    opt = PUBLIC
    dependencies = {"invitations": Provide(provide_invitations, sync_to_thread=False)}

    @get("/{token:str}")
    async def show(
        self,
        request: Request,
        invitations: NamedDependency[InvitationService],
        token: FromPath[str],
    ) -> Template:
        found = await invitations.open_invitation(token)
        if found is None:
            return await self._closed(request, invitations, token)
        invitation, tenant_name = found
        return render(
            request, "accounts/accept.html",
            {"invitation": invitation, "tenant_name": tenant_name, "errors": {}},
        )  # fmt: skip

    @post("/{token:str}")
    async def accept(
        self,
        request: Request,
        invitations: NamedDependency[InvitationService],
        token: FromPath[str],
    ) -> Any:
        data = await form_data(request)
        try:
            accepted = await invitations.accept_invitation(
                token, data.get("password", ""), data.get("password_confirm", "")
            )
        except NotFound:  # used (perhaps a moment ago, in another tab), withdrawn, expired
            return await self._closed(request, invitations, token)
        except InvalidForm as invalid:
            found = await invitations.open_invitation(token)
            if found is None:
                return await self._closed(request, invitations, token)
            return sent_back(
                request, "accounts/accept.html",
                {"invitation": found[0], "tenant_name": found[1], "form": {}}, invalid,
            )  # fmt: skip
        flash(request, "success", _("Your account is ready. Welcome!"))
        response = see_other(request, home_path(accepted.roles), full_reload=True)
        await start_session(request, response, accepted.session)
        return response

    async def _closed(
        self, request: Request, invitations: InvitationService, token: str
    ) -> Template:
        """A link that no longer works says why (410), and where to go; a token that
        never was an invitation is a 404 like any unknown address."""
        state = await invitations.link_state(token)
        if state not in CLOSED_LINKS:
            raise NotFoundException()
        title, explanation = CLOSED_LINKS[state]
        return render(
            request,
            "accounts/link_closed.html",
            {"title": _(title), "explanation": _(explanation)},
            status_code=410,
        )


CLOSED_LINKS = {
    "used": (
        N_("This link has been used. Please log in."),
        N_(
            "The account was made with it. Log in with your mobile number and the password "
            "you chose; if you have forgotten it, your district's administrator can give "
            "you a link to set a new one."
        ),
    ),
    "revoked": (
        N_("This invitation was withdrawn."),
        N_("If you still need an account, ask your district's administrator to invite you again."),
    ),
    "expired": (
        N_("This link has expired."),
        N_(
            "Invitation links work for a limited time. Ask your district's administrator to "
            "invite you again."
        ),
    ),
}
"""What a link that no longer works says, by what became of it (link_state)."""


ROUTES: list[ControllerRouterHandler] = [InviteController, InvitationController]
