"""Login, logout, the district's accounts and invitation links.

Over 400 lines: login, the accounts list and invitations share one controller's guards
and forms; issue 12 moves invitations to a route module of their own.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.invitations import InvitationForm, InvitationService
from app.accounts.password_changes import PasswordService
from app.accounts.service import AccountService, session_data
from app.audit.log import latest_events
from app.audit.service import ACTION_LABELS
from app.core.errors import NotFound
from app.core.query_params import query_id
from app.core.roles import TENANT_ROLES, Role
from app.i18n import N_, _
from app.people.account_links import (
    InvitationMatch,
    account_link,
    invitation_match,
    invitation_prefill,
    linked_people,
)
from app.web.flash import flash
from app.web.guards import LOGGED_IN, PUBLIC, allow
from app.web.navigation import home_path
from app.web.responses import form_data, render, safe_next, see_other
from app.web.sessions import COOKIE_NAME


def provide_accounts(request: Request) -> AccountService:
    return AccountService(request.app.state.services)


def provide_invitations(request: Request) -> InvitationService:
    return InvitationService(request.app.state.services)


def provide_passwords(request: Request) -> PasswordService:
    return PasswordService(request.app.state.services)


async def start_session(request: Request, response: Response[Any], data: dict[str, Any]) -> None:
    """A new session id for a new login: any id the browser had is dropped."""
    sessions = request.app.state.services.sessions
    if old := request.cookies.get(COOKIE_NAME):
        await sessions.destroy(old)
    settings = request.app.state.services.settings
    response.set_cookie(
        COOKIE_NAME,
        await sessions.create(data),
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.app.production,
        max_age=settings.auth.session_idle_seconds,
    )


def absolute(request: Request, path: str) -> str:
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


class AuthController(Controller):
    dependencies = {"accounts": Provide(provide_accounts, sync_to_thread=False)}

    @get("/login", opt=PUBLIC)
    async def login_page(self, request: Request, next: FromQuery[str] = "") -> Any:
        if request.scope.get("user"):
            return see_other(request, safe_next(next))
        return render(request, "accounts/login.html", {"form": {"next": next}, "error": None})

    @post("/login", opt=PUBLIC)
    async def login(self, request: Request, accounts: NamedDependency[AccountService]) -> Any:
        data = await form_data(request)
        ip = request.client.host if request.client else "unknown"
        outcome = await accounts.authenticate(
            data.get("phone", ""), data.get("password", ""), ip, data.get("tenant", "")
        )
        if outcome.session is None:
            context = {
                "form": {"phone": data.get("phone", ""), "next": data.get("next", "")},
                "error": _(outcome.error, **outcome.error_args) if outcome.error else None,
                "choices": outcome.choices,
                "apply_again": outcome.apply_again,
            }
            return render(
                request, "accounts/login.html", context,
                fragment="accounts/_login_form.html", status_code=outcome.status,
            )  # fmt: skip
        response = see_other(request, safe_next(data.get("next")), full_reload=True)
        await start_session(request, response, outcome.session)
        return response

    @get("/account", opt=LOGGED_IN)
    async def account(self, request: Request) -> Template:
        """One's own account: who one is here, the language, the password, logging out
        (on a phone the header shows only one's name, which leads here)."""
        changes_password = request.scope["user"].has_any(frozenset(TENANT_ROLES))
        return render(request, "accounts/account.html", {"changes_password": changes_password})

    @post("/logout", opt=LOGGED_IN)
    async def logout(self, request: Request) -> Response[Any]:
        identity = request.scope["user"]
        await request.app.state.services.sessions.destroy(identity.session_id)
        response = see_other(request, "/login", full_reload=True)
        response.delete_cookie(COOKIE_NAME, path="/")
        flash(request, "info", _("You have logged out."))
        return response


class UsersController(Controller):
    """A district admin's accounts page: who can log in, with which role."""

    path = "/users"
    opt = allow(Role.TENANT_ADMIN)
    dependencies = {
        "accounts": Provide(provide_accounts, sync_to_thread=False),
        "invitations": Provide(provide_invitations, sync_to_thread=False),
    }

    async def _page(
        self,
        db_session: AsyncSession,
        accounts: AccountService,
        invitations: InvitationService,
        **extra: Any,
    ) -> dict[str, Any]:
        users = await accounts.list_users()
        return {
            "users": users,
            "linked": await linked_people(db_session, [u.id for u in users]),
            "invitations": await invitations.pending_invitations(),
            "roles": TENANT_ROLES,
            **extra,
        }

    @get("/")
    async def index(
        self,
        request: Request,
        db_session: NamedDependency[AsyncSession],
        accounts: NamedDependency[AccountService],
        invitations: NamedDependency[InvitationService],
    ) -> Template:
        return render(
            request, "accounts/users.html", await self._page(db_session, accounts, invitations)
        )

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
        db_session: NamedDependency[AsyncSession],
        invitations: NamedDependency[InvitationService],
    ) -> Any:
        data = await form_data(request)
        form = InvitationForm(data.get("name", ""), data.get("phone", ""), data.get("role", ""))
        token, errors = await invitations.invite(form, request.scope["user"].actor)
        if errors:
            return render(
                request, "accounts/invite.html",
                {"form": data, "errors": errors, "roles": TENANT_ROLES},
                fragment="accounts/_invite_form.html", status_code=422,
            )  # fmt: skip
        days = request.app.state.services.settings.auth.invitation_days
        invited, _errors = form.clean()
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
                    days=days,
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
        invitation_id: FromPath[UUID],
    ) -> Response[Any]:
        await invitations.revoke_invitation(invitation_id, request.scope["user"].actor)
        flash(request, "success", _("The invitation was withdrawn."))
        return see_other(request, "/users")

    @get("/{user_id:uuid}")
    async def detail(
        self,
        request: Request,
        db_session: NamedDependency[AsyncSession],
        accounts: NamedDependency[AccountService],
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
        self, request: Request, accounts: NamedDependency[AccountService], user_id: FromPath[UUID]
    ) -> Any:
        form = await request.form()
        roles = [str(role) for role in form.getall("role", [])]
        error = await accounts.set_roles(user_id, roles, request.scope["user"].actor)
        if error:
            flash(request, "error", _(error))
        else:
            flash(request, "success", _("The roles were saved."))
        return see_other(request, f"/users/{user_id}")

    @post("/{user_id:uuid}/disable")
    async def disable(
        self, request: Request, accounts: NamedDependency[AccountService], user_id: FromPath[UUID]
    ) -> Any:
        error = await accounts.set_active(user_id, False, request.scope["user"].actor)
        if error:
            flash(request, "error", _(error))
        else:
            flash(request, "success", _("The account was disabled."))
        return see_other(request, "/users")

    @post(
        "/{user_id:uuid}/reset-link",
        dependencies={"passwords": Provide(provide_passwords, sync_to_thread=False)},
    )
    async def reset_link(
        self, request: Request, passwords: NamedDependency[PasswordService], user_id: FromPath[UUID]
    ) -> Template:
        """For someone who forgot their password: a link to set a new one."""
        token, name = await passwords.issue_reset(user_id, request.scope["user"].actor)
        hours = request.app.state.services.settings.auth.password_reset_hours
        return render(
            request,
            "accounts/link.html",
            {
                "title": _("Password reset link for %(name)s", name=name),
                "explanation": _(
                    "Send this link to them. It works once and expires in %(hours)s hours. "
                    "Until they use it, their old password still works.",
                    hours=hours,
                ),
                "link": absolute(request, f"/reset/{token}"),
            },
        )

    @post("/{user_id:uuid}/enable")
    async def enable(
        self, request: Request, accounts: NamedDependency[AccountService], user_id: FromPath[UUID]
    ) -> Any:
        await accounts.set_active(user_id, True, request.scope["user"].actor)
        flash(request, "success", _("The account was enabled again."))
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
            accepted, errors = await invitations.accept_invitation(
                token, data.get("password", ""), data.get("password_confirm", "")
            )
        except NotFound:  # used (perhaps a moment ago, in another tab), withdrawn, expired
            return await self._closed(request, invitations, token)
        if accepted is None:
            found = await invitations.open_invitation(token)
            if found is None:
                return await self._closed(request, invitations, token)
            return render(
                request, "accounts/accept.html",
                {"invitation": found[0], "tenant_name": found[1], "errors": errors},
                status_code=422,
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


class PasswordController(Controller):
    """Setting a new password: by a reset link (anyone holding it) or when logged in."""

    dependencies = {"passwords": Provide(provide_passwords, sync_to_thread=False)}

    @get("/reset/{token:str}", opt=PUBLIC)
    async def reset_page(
        self, request: Request, passwords: NamedDependency[PasswordService], token: FromPath[str]
    ) -> Template:
        link = await passwords.open_reset(token)
        if link is None:
            raise NotFoundException()
        return render(request, "accounts/reset.html", {"link": link, "errors": {}})

    @post("/reset/{token:str}", opt=PUBLIC)
    async def reset(
        self, request: Request, passwords: NamedDependency[PasswordService], token: FromPath[str]
    ) -> Any:
        data = await form_data(request)
        errors = await passwords.reset(
            token, data.get("password", ""), data.get("password_confirm", "")
        )
        if errors:
            link = await passwords.open_reset(token)
            if link is None:
                raise NotFoundException()
            return render(
                request, "accounts/reset.html", {"link": link, "errors": errors}, status_code=422
            )
        flash(request, "success", _("Your new password is set. Please log in."))
        return see_other(request, "/login")

    @get("/account/password", opt=allow(*TENANT_ROLES))
    async def change_page(self, request: Request) -> Template:
        return render(request, "accounts/password.html", {"errors": {}})

    @post("/account/password", opt=allow(*TENANT_ROLES))
    async def change(self, request: Request, passwords: NamedDependency[PasswordService]) -> Any:
        identity = request.scope["user"]
        data = await form_data(request)
        version, errors = await passwords.change(
            identity.actor,
            data.get("current_password", ""),
            data.get("password", ""),
            data.get("password_confirm", ""),
            request.client.host if request.client else "unknown",
        )
        if errors:
            return render(
                request,
                "accounts/password.html",
                {"errors": errors},
                fragment="accounts/_password_form.html",
                status_code=422,
            )
        flash(request, "success", _("Your password was changed. Other devices are logged out."))
        response = see_other(request, "/dashboard", full_reload=True)
        await start_session(
            request, response, session_data(identity.user_id, identity.tenant_id, version or 0)
        )
        return response
