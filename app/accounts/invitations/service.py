"""Invitations: a district admin invites someone with a role, by a one-time link.

Anyone holding the link may set a password once; the link is the credential, and
setting the password logs them in as a login would (`logged_in`). Only the lookup of
the link's district crosses tenants (`invitation_tenant()`, a narrow SECURITY DEFINER
function); everything else runs under that district's row-level security.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Invitation, User, UserRole
from app.accounts.service import hash_token, hashed_new_password, logged_in
from app.audit.service import record
from app.core.errors import NotFound
from app.core.forms import FieldError, FormErrors
from app.core.identity import Actor
from app.core.roles import TENANT_ROLES
from app.core.validators import mainland_mobile, person_name
from app.i18n import N_
from app.people.account_links import link_invited
from app.state import AppServices
from tenants.context import require_tenant, tenant_scope


@dataclass(frozen=True)
class InvitationForm:
    name: str = ""
    phone: str = ""
    role: str = ""

    def clean(self) -> tuple[InvitationForm, FormErrors]:
        errors: FormErrors = {}
        values = {"name": self.name, "phone": self.phone, "role": self.role}
        for key, rule in (("name", person_name), ("phone", mainland_mobile)):
            try:
                values[key] = rule(values[key])
            except FieldError as exc:
                errors[key] = exc.message
        if self.role not in TENANT_ROLES:
            errors["role"] = N_("Please choose a role.")
        return InvitationForm(**values), errors


@dataclass(frozen=True)
class Accepted:
    """An invitation accepted: the new account's session, and its roles (which say
    where it lands)."""

    session: dict[str, Any]
    roles: frozenset[str]


class InvitationService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db
        self.settings = services.settings

    async def pending_invitations(self) -> list[Invitation]:
        async with self.db.session() as session:
            return list(
                (
                    await session.scalars(
                        select(Invitation)
                        .where(
                            Invitation.accepted_at.is_(None),
                            Invitation.revoked_at.is_(None),
                            Invitation.expires_at > func.now(),
                        )
                        .order_by(Invitation.created_at.desc())
                    )
                ).all()
            )

    async def invite(self, form: InvitationForm, actor: Actor) -> tuple[str | None, FormErrors]:
        """Create an invitation; returns the one-time token to share, or field errors."""
        form, errors = form.clean()
        if errors:
            return None, errors
        token = secrets.token_urlsafe(24)
        async with self.db.session() as session:
            taken = await session.scalar(select(User.id).where(User.phone == form.phone))
            if taken:
                return None, {"phone": N_("This phone number already has an account here.")}
            open_invite = await session.scalar(
                select(Invitation.id).where(
                    Invitation.phone == form.phone,
                    Invitation.accepted_at.is_(None),
                    Invitation.revoked_at.is_(None),
                    Invitation.expires_at > func.now(),
                )
            )
            if open_invite:
                return None, {"phone": N_("This phone number already has an open invitation.")}
            invitation = Invitation(
                tenant_id=require_tenant(),
                token_hash=hash_token(token),
                name=form.name,
                phone=form.phone,
                role=form.role,
                invited_by=actor.id,
                expires_at=datetime.now(UTC) + timedelta(days=self.settings.auth.invitation_days),
            )
            session.add(invitation)
            await session.flush()
            await record(
                session, actor, "account.invited", subject_type="invitation",
                subject_id=invitation.id, subject_name=form.name, changes={"role": form.role},
            )  # fmt: skip
            await session.commit()
        return token, {}

    async def revoke_invitation(self, invitation_id: UUID, actor: Actor) -> None:
        async with self.db.session() as session:
            revoked_name = await session.scalar(
                update(Invitation)
                .where(
                    Invitation.id == invitation_id,
                    Invitation.accepted_at.is_(None),
                    Invitation.revoked_at.is_(None),
                )
                .values(revoked_at=func.now())
                .returning(Invitation.name)
            )
            if revoked_name is None:
                raise NotFound()
            await record(
                session, actor, "invitation.revoked", subject_type="invitation",
                subject_id=invitation_id, subject_name=revoked_name,
            )  # fmt: skip
            await session.commit()

    # --- accepting an invitation (anonymous, by link) --------------------------------

    async def invitation_tenant(self, token: str) -> UUID | None:
        """The tenant of an open invitation; the only cross-tenant lookup besides login."""
        async with self.db.session() as session:
            return await session.scalar(
                text("select invitation_tenant(:h)"), {"h": hash_token(token)}
            )

    async def link_state(self, token: str) -> str | None:
        """What became of a link that no longer opens: used, revoked or expired (open
        if it still works), None for a token no invitation has. Says nothing else, so a
        used link reveals nothing about the account made with it."""
        async with self.db.session() as session:
            return await session.scalar(
                text("select invitation_link_state(:h)"), {"h": hash_token(token)}
            )

    async def open_invitation(self, token: str) -> tuple[Invitation, str] | None:
        tenant_id = await self.invitation_tenant(token)
        if tenant_id is None:
            return None
        with tenant_scope(tenant_id):
            async with self.db.session() as session:
                invitation = await session.scalar(
                    select(Invitation).where(Invitation.token_hash == hash_token(token))
                )
                tenant_name = await session.scalar(
                    text("select name from tenants where id = :id"), {"id": tenant_id}
                )
        return (invitation, tenant_name) if invitation else None

    async def accept_invitation(
        self, token: str, password: str, confirm: str
    ) -> tuple[Accepted | None, FormErrors]:
        """Create the invited account and log it in; the invitation works once.

        The password follows the same rules as every new password. The invitation is
        locked and checked again (open, not expired) in the transaction that creates
        the account, so two submissions of one link make one account and one session.
        """
        tenant_id = await self.invitation_tenant(token)
        if tenant_id is None:
            raise NotFound()
        password_hash, errors = await hashed_new_password(password, confirm)
        if errors:
            return None, errors
        with tenant_scope(tenant_id):
            async with self.db.session() as session:
                invitation = await session.scalar(
                    select(Invitation)
                    .where(
                        Invitation.token_hash == hash_token(token),
                        Invitation.accepted_at.is_(None),
                        Invitation.revoked_at.is_(None),
                        Invitation.expires_at > func.now(),
                    )
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
                invitation.accepted_at = datetime.now(UTC)
                await record(
                    session, Actor("user", user.name, user.id), "account.created",
                    subject_type="user", subject_id=user.id, subject_name=user.name,
                    changes={"role": invitation.role},
                )  # fmt: skip
                # The roster person with this name and number, when exactly one can be.
                await link_invited(session, user)
                data = await logged_in(session, user.id, tenant_id, user.password_version)
                roles = frozenset({invitation.role})
                try:
                    await session.commit()
                except IntegrityError:
                    return None, {"password": N_("This phone number already has an account here.")}
        return Accepted(data, roles), {}
