"""Forgotten and changed passwords: an admin's one-time reset link, and changing
one's own. Either ends the account's other sessions (the password version rises).

A reset link is found across districts only by `password_reset_tenant()` (a narrow
SECURITY DEFINER function); whether it is still open is judged by the app's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import and_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.hashing import hashed_new_password, verify_password
from app.accounts.links import hash_token, new_token
from app.accounts.models import PasswordReset, User
from app.accounts.throttle import LoginThrottle
from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound
from app.core.forms import InvalidForm
from app.core.identity import Actor
from app.db.tenant import require_tenant, tenant_transaction
from app.i18n import N_
from app.settings import AuthSettings
from tenants.models import Tenant


@dataclass(frozen=True)
class ResetLink:
    name: str
    phone: str
    tenant_name: str


class PasswordService:
    """Forgotten and changed passwords. Either ends the account's other sessions."""

    def __init__(self, session: AsyncSession, auth: AuthSettings, throttle: LoginThrottle) -> None:
        self.session = session
        self.hours = auth.password_reset_hours
        self.throttle = throttle

    async def issue_reset(self, user_id: UUID, actor: Actor) -> tuple[str, str]:
        """A one-time link for the user (token, their name); earlier links stop working."""
        token = new_token()
        now = clock.now()
        session = self.session
        name = await session.scalar(select(User.name).where(User.id == user_id, User.is_active))
        if name is None:
            raise NotFound()  # no such account here, or it is disabled
        await session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        session.add(
            PasswordReset(
                tenant_id=require_tenant(),
                user_id=user_id,
                token_hash=hash_token(token),
                issued_by=actor.id,
                expires_at=now + timedelta(hours=self.hours),
            )
        )
        await record(
            session, actor, "password.reset_link", subject_type="user",
            subject_id=user_id, subject_name=name,
        )  # fmt: skip
        await session.commit()
        return token, name

    async def _reset_tenant(self, token: str) -> UUID | None:
        return await self.session.scalar(
            text("select password_reset_tenant(:h, :now)"),
            {"h": hash_token(token), "now": clock.now()},
        )

    async def open_reset(self, token: str) -> ResetLink | None:
        tenant_id = await self._reset_tenant(token)
        if tenant_id is None:
            return None
        async with tenant_transaction(self.session, tenant_id):
            row = (
                await self.session.execute(
                    select(User.name, User.phone, Tenant.name)
                    .join(
                        PasswordReset,
                        and_(
                            PasswordReset.tenant_id == User.tenant_id,
                            PasswordReset.user_id == User.id,
                        ),
                    )
                    .join(Tenant, Tenant.id == User.tenant_id)
                    .where(PasswordReset.token_hash == hash_token(token))
                )
            ).first()
        return ResetLink(*row) if row else None

    async def reset(self, token: str, password: str, confirm: str) -> None:
        """Set the password the link is for (InvalidForm: it breaks the rules;
        NotFound: the link is used, expired or its account disabled)."""
        tenant_id = await self._reset_tenant(token)
        if tenant_id is None:
            raise NotFound()
        await self.session.commit()  # no transaction stays open while argon2 works
        password_hash = await hashed_new_password(password, confirm)
        session = self.session
        async with tenant_transaction(session, tenant_id):
            # Everything that makes the link valid is checked again under the lock:
            # it may have been used, expired or its account disabled meanwhile.
            found = (
                await session.execute(
                    select(PasswordReset, User.name)
                    .join(
                        User,
                        and_(
                            User.tenant_id == PasswordReset.tenant_id,
                            User.id == PasswordReset.user_id,
                        ),
                    )
                    .where(
                        PasswordReset.token_hash == hash_token(token),
                        PasswordReset.used_at.is_(None),
                        PasswordReset.expires_at > clock.now(),
                        User.is_active,
                    )
                    .with_for_update(of=PasswordReset)
                )
            ).first()
            if found is None:
                raise NotFound()
            reset, name = found
            reset.used_at = clock.now()
            await self._set_password(reset.user_id, password_hash)
            await record(
                session, Actor("user", name, reset.user_id), "password.reset",
                subject_type="user", subject_id=reset.user_id, subject_name=name,
            )  # fmt: skip
            await session.commit()

    async def change(self, actor: Actor, current: str, password: str, confirm: str, ip: str) -> int:
        """The logged-in user changes their own password, knowing the current one.

        Returns the new password version (for the session that stays logged in);
        InvalidForm names what is wrong. Guesses at the current password are throttled
        like logins: a borrowed session must not become a way to find the password.
        """
        user_id = actor.id
        if user_id is None:
            raise NotFound()
        if await self.throttle.reserve(f"user:{user_id}", ip):
            raise InvalidForm(
                {"current_password": N_("Too many wrong passwords. Please try again later.")}
            )
        stored = await self.session.scalar(select(User.password_hash).where(User.id == user_id))
        if stored is None:
            raise NotFound()
        await self.session.commit()  # no transaction stays open while argon2 works
        if not await verify_password(stored, current):
            raise InvalidForm({"current_password": N_("The current password is not correct.")})
        await self.throttle.succeeded(f"user:{user_id}", ip)
        password_hash = await hashed_new_password(password, confirm)
        version = await self._set_password(user_id, password_hash)
        await record(
            self.session, actor, "password.changed", subject_type="user",
            subject_id=user_id, subject_name=actor.name,
        )  # fmt: skip
        await self.session.commit()
        return version

    async def _set_password(self, user_id: UUID, password_hash: str) -> int:
        """Store the new hash and bump the version; returns the new version."""
        version = await self.session.scalar(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=password_hash, password_version=User.password_version + 1)
            .returning(User.password_version)
        )
        return int(version or 0)
