"""Invitations: a district admin invites someone with a role, by a one-time link.

Anyone holding the link may set a password once; the link is the credential, and
setting the password logs them in as a login would (`logged_in`). Only the lookup of
the link's district crosses tenants (`invitation_tenant()`, a narrow SECURITY DEFINER
function); everything else runs under that district's row-level security. Whether a
link is still open is judged by the app's clock (app.core.clock), which wrote its end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.hashing import hashed_new_password
from app.accounts.invitations.forms import InvitationForm
from app.accounts.links import hash_token, new_token
from app.accounts.login.service import logged_in
from app.accounts.models import Invitation, User, UserRole
from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound
from app.core.forms import InvalidForm
from app.core.identity import Actor
from app.db.tenant import require_tenant, tenant_transaction
from app.i18n import N_
from app.settings import AuthSettings

LinkPerson = Callable[[AsyncSession, User], Awaitable[object]]
"""What else an accepted invitation does in the transaction that creates the account:
the roster links the person it names (app.people.account_links.link_invited)."""


@dataclass(frozen=True)
class Accepted:
    """An invitation accepted: the new account's session, and its roles (which say
    where it lands)."""

    session: dict[str, Any]
    roles: frozenset[str]


def _open_at(now: Any) -> Any:
    """Invitations neither accepted, withdrawn nor expired at `now`."""
    return (
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )


class InvitationService:
    def __init__(
        self, session: AsyncSession, auth: AuthSettings, link_person: LinkPerson | None = None
    ) -> None:
        self.session = session
        self.days = auth.invitation_days
        self.link_person = link_person

    async def pending_invitations(self) -> list[Invitation]:
        return list(
            await self.session.scalars(
                select(Invitation)
                .where(*_open_at(clock.now()))
                .order_by(Invitation.created_at.desc())
            )
        )

    async def invite(self, form: InvitationForm, actor: Actor) -> str:
        """Create an invitation; returns the one-time token to share (InvalidForm if
        the number already has an account or an open invitation here)."""
        token = new_token()
        now = clock.now()
        taken = await self.session.scalar(select(User.id).where(User.phone == form.phone))
        if taken:
            raise InvalidForm({"phone": N_("This phone number already has an account here.")})
        open_invite = await self.session.scalar(
            select(Invitation.id).where(Invitation.phone == form.phone, *_open_at(now))
        )
        if open_invite:
            raise InvalidForm({"phone": N_("This phone number already has an open invitation.")})
        invitation = Invitation(
            tenant_id=require_tenant(),
            token_hash=hash_token(token),
            name=form.name,
            phone=form.phone,
            role=form.role,
            invited_by=actor.id,
            expires_at=now + timedelta(days=self.days),
        )
        self.session.add(invitation)
        await self.session.flush()
        await record(
            self.session, actor, "account.invited", subject_type="invitation",
            subject_id=invitation.id, subject_name=form.name, changes={"role": form.role},
        )  # fmt: skip
        await self.session.commit()
        return token

    async def revoke_invitation(self, invitation_id: UUID, actor: Actor) -> None:
        revoked_name = await self.session.scalar(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=clock.now())
            .returning(Invitation.name)
        )
        if revoked_name is None:
            raise NotFound()
        await record(
            self.session, actor, "invitation.revoked", subject_type="invitation",
            subject_id=invitation_id, subject_name=revoked_name,
        )  # fmt: skip
        await self.session.commit()

    # --- accepting an invitation (anonymous, by link) --------------------------------

    async def invitation_tenant(self, token: str) -> UUID | None:
        """The tenant of an open invitation; the only cross-tenant lookup besides login."""
        return await self.session.scalar(
            text("select invitation_tenant(:h, :now)"),
            {"h": hash_token(token), "now": clock.now()},
        )

    async def link_state(self, token: str) -> str | None:
        """What became of a link that no longer opens: used, revoked or expired (open
        if it still works), None for a token no invitation has. Says nothing else, so a
        used link reveals nothing about the account made with it."""
        return await self.session.scalar(
            text("select invitation_link_state(:h, :now)"),
            {"h": hash_token(token), "now": clock.now()},
        )

    async def open_invitation(self, token: str) -> tuple[Invitation, str] | None:
        tenant_id = await self.invitation_tenant(token)
        if tenant_id is None:
            return None
        async with tenant_transaction(self.session, tenant_id):
            invitation = await self.session.scalar(
                select(Invitation).where(Invitation.token_hash == hash_token(token))
            )
            tenant_name = await self.session.scalar(
                text("select name from tenants where id = :id"), {"id": tenant_id}
            )
        return (invitation, tenant_name) if invitation else None

    async def accept_invitation(self, token: str, password: str, confirm: str) -> Accepted:
        """Create the invited account and log it in; the invitation works once.

        The password follows the same rules as every new password (InvalidForm). The
        invitation is locked and checked again (open, not expired) in the transaction
        that creates the account, so two submissions of one link make one account and
        one session. NotFound: the link is used, withdrawn or expired.
        """
        tenant_id = await self.invitation_tenant(token)
        if tenant_id is None:
            raise NotFound()
        await self.session.commit()  # no transaction stays open while argon2 works
        password_hash = await hashed_new_password(password, confirm)
        session = self.session
        async with tenant_transaction(session, tenant_id):
            invitation = await session.scalar(
                select(Invitation)
                .where(Invitation.token_hash == hash_token(token), *_open_at(clock.now()))
                .with_for_update()
            )
            if invitation is None:
                raise NotFound()
            user = User(
                tenant_id=tenant_id,
                phone=invitation.phone,
                name=invitation.name,
                password_hash=password_hash,
                password_version=0,
            )
            session.add(user)
            await session.flush()
            session.add(UserRole(tenant_id=tenant_id, user_id=user.id, role=invitation.role))
            invitation.accepted_at = clock.now()
            await record(
                session, Actor("user", user.name, user.id), "account.created",
                subject_type="user", subject_id=user.id, subject_name=user.name,
                changes={"role": invitation.role},
            )  # fmt: skip
            if self.link_person is not None:
                await self.link_person(session, user)
            data = await logged_in(session, user.id, tenant_id, user.password_version)
            roles = frozenset({invitation.role})
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise InvalidForm(
                    {"password": N_("This phone number already has an account here.")}
                ) from exc
        return Accepted(data, roles)
