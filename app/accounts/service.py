"""Accounts: logging in, and a district admin's users and invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import TENANT_ROLES, Invitation, PasswordReset, Role, User, UserRole
from app.accounts.passwords import hash_password, verify_password
from app.accounts.throttle import LoginThrottle, ThrottleLimits
from app.audit.service import Actor, record
from app.errors import NotFound
from app.i18n import N_
from app.state import AppServices
from app.validators import FieldError, FormErrors, mainland_mobile, new_password, person_name
from tenants.context import require_tenant, tenant_scope
from tenants.models import Tenant, TenantStatus

WRONG_CREDENTIALS = N_("The phone number or password is not correct.")


@dataclass(frozen=True)
class TenantChoice:
    tenant_id: UUID
    tenant_name: str


@dataclass
class LoginOutcome:
    """Either `session` (log in), or `error` (+ status), or `choices` (pick a district)."""

    session: dict[str, Any] | None = None
    error: str | None = None
    error_args: dict[str, int] = field(default_factory=dict)
    status: int = 200
    choices: list[TenantChoice] = field(default_factory=list)


@dataclass(frozen=True)
class UserRow:
    id: UUID
    name: str
    phone: str
    is_active: bool
    roles: list[str]
    last_login_at: datetime | None


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


def login_throttle(services: AppServices) -> LoginThrottle:
    auth = services.settings.auth
    return LoginThrottle(
        services.redis,
        ThrottleLimits(
            auth.login_max_failures_account, auth.login_max_failures_ip, auth.login_lock_seconds
        ),
    )


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def hashed_new_password(password: str, confirm: str) -> tuple[str, FormErrors]:
    """Check a new password against the rules and hash it; ("", errors) if refused."""
    try:
        password = new_password(password, confirm)
    except FieldError as exc:
        return "", {"password": exc.message}
    return await hash_password(password), {}


def session_data(
    user_id: UUID, tenant_id: UUID | None, password_version: int = 0
) -> dict[str, Any]:
    """What a session remembers: who, where, since when (for its absolute lifetime),
    and the password version it logged in with (a reset ends it)."""
    return {
        "uid": str(user_id),
        "tid": str(tenant_id) if tenant_id else None,
        "at": datetime.now(UTC).timestamp(),
        "pv": password_version,
    }


async def logged_in(
    session: AsyncSession, user_id: UUID, tenant_id: UUID, password_version: int
) -> dict[str, Any]:
    """A district user is logged in, whichever way they came (a password checked, an
    invitation accepted): the login time is stored in the caller's transaction, and the
    session data to start (`start_session` gives it a fresh id) is returned."""
    await session.execute(update(User).where(User.id == user_id).values(last_login_at=func.now()))
    return session_data(user_id, tenant_id, password_version)


@dataclass(frozen=True)
class Accepted:
    """An invitation accepted: the new account's session, and its roles (which say
    where it lands)."""

    session: dict[str, Any]
    roles: frozenset[str]


class AccountService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db
        self.settings = services.settings
        self.throttle = login_throttle(services)

    # --- logging in -------------------------------------------------------------

    async def authenticate(
        self, phone: str, password: str, ip: str, tenant_choice: str = ""
    ) -> LoginOutcome:
        """Check credentials with throttling; one generic message for any mismatch."""
        try:
            phone = mainland_mobile(phone)
        except FieldError:
            phone = ""  # not a phone number: nothing to look up, but the same cost
        wait = await self.throttle.reserve(phone or "invalid", ip)
        if wait:
            minutes = (wait + 59) // 60
            return LoginOutcome(
                error=N_("Too many failed attempts. Please try again in %(minutes)s minutes."),
                error_args={"minutes": minutes},
                status=429,
            )
        candidates: Sequence[Any] = ()
        if phone:
            async with self.db.session() as session:
                candidates = (
                    await session.execute(
                        text("select * from login_candidates(:phone)"), {"phone": phone}
                    )
                ).all()
        matches = []
        versions: dict[UUID, int] = {}
        for candidate in candidates:
            password_hash, versions[candidate.user_id] = await self._password_hash(candidate)
            if await verify_password(password_hash, password):
                matches.append(candidate)
        if not candidates:
            await verify_password(None, password)  # same cost as a wrong password
        if not matches:
            return LoginOutcome(error=WRONG_CREDENTIALS, status=400)
        await self.throttle.succeeded(phone, ip)

        platform = [m for m in matches if m.kind == "platform"]
        if platform:
            return LoginOutcome(session=session_data(platform[0].user_id, None))
        active = [m for m in matches if m.tenant_status == TenantStatus.ACTIVE]
        if not active:
            pending = any(m.tenant_status == TenantStatus.PENDING for m in matches)
            return LoginOutcome(
                error=N_("Your district's signup is still waiting for approval.")
                if pending
                else N_("Your district's signup was not approved."),
                status=403,
            )
        if len(active) > 1:
            chosen = [m for m in active if str(m.tenant_id) == tenant_choice]
            if not chosen:
                return LoginOutcome(
                    choices=[TenantChoice(m.tenant_id, m.tenant_name) for m in active]
                )
            active = chosen
        match = active[0]
        with tenant_scope(match.tenant_id):
            async with self.db.session() as session:
                data = await logged_in(
                    session, match.user_id, match.tenant_id, versions[match.user_id]
                )
                await session.commit()
        return LoginOutcome(session=data)

    async def _password_hash(self, candidate: Any) -> tuple[str | None, int]:
        """A tenant user's hash and password version, read together under that tenant's
        RLS (not by the cross-tenant lookup). The session keeps the version it was
        checked against, so a reset committed during the check still ends it."""
        if candidate.kind == "platform":
            return str(candidate.platform_password_hash), 0
        with tenant_scope(candidate.tenant_id):
            async with self.db.session() as session:
                row = (
                    await session.execute(
                        select(User.password_hash, User.password_version).where(
                            User.id == candidate.user_id
                        )
                    )
                ).first()
        return (row[0], row[1]) if row else (None, 0)

    # --- the district's users (tenant admin) --------------------------------------

    async def list_users(self, user_id: UUID | None = None) -> list[UserRow]:
        """The district's accounts with their roles (or just `user_id`'s)."""
        roles = func.array_agg(UserRole.role).filter(UserRole.role.is_not(None))
        query = (
            select(User, func.coalesce(roles, []))
            .outerjoin(UserRole, _roles_of_user())
            .group_by(User.tenant_id, User.id)
            .order_by(User.is_active.desc(), User.name)
        )
        if user_id is not None:
            query = query.where(User.id == user_id)
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        return [
            UserRow(u.id, u.name, u.phone, u.is_active, sorted(r, key=_role_order), u.last_login_at)
            for u, r in rows
        ]

    async def user(self, user_id: UUID) -> UserRow:
        found = await self.list_users(user_id)
        if not found:
            raise NotFound()
        return found[0]

    async def set_roles(self, user_id: UUID, roles: list[str], actor: Actor) -> str | None:
        """Give an account exactly `roles`; returns an error msgid or None.

        The district must keep an active administrator, and an administrator cannot
        take the role from themselves (someone else must, so nobody locks themselves out).
        """
        wanted = sorted(set(roles), key=_role_order)
        async with self.db.session() as session:
            # The account first: another district's id is a 404 whatever the form says.
            name = await session.scalar(
                select(User.name).where(User.id == user_id).with_for_update()
            )
            if name is None:
                raise NotFound()
            if not wanted or any(role not in TENANT_ROLES for role in wanted):
                return N_("Choose at least one role.")
            if user_id == actor.id and Role.TENANT_ADMIN not in wanted:
                return N_("You cannot remove your own administrator role.")
            before = sorted(
                (await session.scalars(select(UserRole.role).where(UserRole.user_id == user_id))),
                key=_role_order,
            )
            if before == wanted:
                return None
            await session.execute(delete(UserRole).where(UserRole.user_id == user_id))
            session.add_all(
                UserRole(tenant_id=require_tenant(), user_id=user_id, role=role) for role in wanted
            )
            await session.flush()
            admins = await session.scalar(
                select(func.count())
                .select_from(UserRole)
                .join(User, _roles_of_user())
                .where(UserRole.role == Role.TENANT_ADMIN, User.is_active)
            )
            if not admins:
                await session.rollback()
                return N_("The district needs at least one active administrator.")
            await record(
                session, actor, "account.roles_changed", subject_type="user",
                subject_id=user_id, subject_name=name, changes={"roles": [before, wanted]},
            )  # fmt: skip
            await session.commit()
        return None

    async def account_summary(self) -> tuple[dict[str, int], int]:
        """Active accounts per role and open invitations, in one round trip."""
        per_role = [func.count().filter(UserRole.role == role).label(role) for role in TENANT_ROLES]
        open_invitations = (
            select(func.count())
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > func.now(),
            )
            .scalar_subquery()
        )
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(*per_role, open_invitations)
                    .select_from(UserRole)
                    .join(User, _roles_of_user())
                    .where(User.is_active)
                )
            ).one()
        return {role: row[i] for i, role in enumerate(TENANT_ROLES)}, row[-1]

    async def admins_to_ask(self, user_id: UUID, limit: int = 3) -> list[str]:
        """The district administrators someone should ask (to link their account to
        the roster, say): the one who invited them first, if still active."""
        inviter = (
            select(Invitation.invited_by)
            .where(
                Invitation.phone == select(User.phone).where(User.id == user_id).scalar_subquery(),
                Invitation.accepted_at.is_not(None),
            )
            .order_by(Invitation.accepted_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            select(User.name)
            .join(UserRole, _roles_of_user())
            .where(UserRole.role == Role.TENANT_ADMIN, User.is_active)
            .order_by((User.id == inviter).is_(True).desc(), User.name)
            .limit(limit)
        )
        async with self.db.session() as session:
            return list(await session.scalars(query))

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

    async def set_active(self, user_id: UUID, active: bool, actor: Actor) -> str | None:
        """Disable or re-enable an account; returns an error msgid or None."""
        if user_id == actor.id and not active:
            return N_("You cannot disable your own account.")
        async with self.db.session() as session:
            name = await session.scalar(
                update(User)
                .where(User.id == user_id, User.is_active.is_not(active))
                .values(is_active=active)
                .returning(User.name)
            )
            if name is None:
                if await session.scalar(select(User.id).where(User.id == user_id)) is None:
                    raise NotFound()
                return None  # already so: nothing changed, nothing to record
            await record(
                session, actor, "account.enabled" if active else "account.disabled",
                subject_type="user", subject_id=user_id, subject_name=name,
                changes={"is_active": [not active, active]},
            )  # fmt: skip
            await session.commit()
        return None

    # --- accepting an invitation (anonymous, by link) --------------------------------

    async def invitation_tenant(self, token: str) -> UUID | None:
        """The tenant of an open invitation; the only cross-tenant lookup besides login."""
        async with self.db.session() as session:
            return await session.scalar(
                text("select invitation_tenant(:h)"), {"h": hash_token(token)}
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
                data = await logged_in(session, user.id, tenant_id, user.password_version)
                roles = frozenset({invitation.role})
                try:
                    await session.commit()
                except IntegrityError:
                    return None, {"password": N_("This phone number already has an account here.")}
        return Accepted(data, roles), {}


@dataclass(frozen=True)
class ResetLink:
    name: str
    phone: str
    tenant_name: str


class PasswordService:
    """Forgotten and changed passwords. Either ends the account's other sessions."""

    def __init__(self, services: AppServices) -> None:
        self.db = services.db
        self.settings = services.settings
        self.throttle = login_throttle(services)

    async def issue_reset(self, user_id: UUID, actor: Actor) -> tuple[str, str]:
        """A one-time link for the user (token, their name); earlier links stop working."""
        token = secrets.token_urlsafe(24)
        hours = self.settings.auth.password_reset_hours
        async with self.db.session() as session:
            name = await session.scalar(select(User.name).where(User.id == user_id, User.is_active))
            if name is None:
                raise NotFound()  # no such account here, or it is disabled
            await session.execute(
                update(PasswordReset)
                .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
                .values(used_at=func.now())
            )
            session.add(
                PasswordReset(
                    tenant_id=require_tenant(),
                    user_id=user_id,
                    token_hash=hash_token(token),
                    issued_by=actor.id,
                    expires_at=datetime.now(UTC) + timedelta(hours=hours),
                )
            )
            await record(
                session, actor, "password.reset_link", subject_type="user",
                subject_id=user_id, subject_name=name,
            )  # fmt: skip
            await session.commit()
        return token, name

    async def _reset_tenant(self, token: str) -> UUID | None:
        async with self.db.session() as session:
            return await session.scalar(
                text("select password_reset_tenant(:h)"), {"h": hash_token(token)}
            )

    async def open_reset(self, token: str) -> ResetLink | None:
        tenant_id = await self._reset_tenant(token)
        if tenant_id is None:
            return None
        with tenant_scope(tenant_id):
            async with self.db.session() as session:
                row = (
                    await session.execute(
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

    async def reset(self, token: str, password: str, confirm: str) -> FormErrors:
        tenant_id = await self._reset_tenant(token)
        if tenant_id is None:
            raise NotFound()
        password_hash, errors = await hashed_new_password(password, confirm)
        if errors:
            return errors
        with tenant_scope(tenant_id):
            async with self.db.session() as session:
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
                            PasswordReset.expires_at > func.now(),
                            User.is_active,
                        )
                        .with_for_update(of=PasswordReset)
                    )
                ).first()
                if found is None:
                    raise NotFound()
                reset, name = found
                reset.used_at = datetime.now(UTC)
                await self._set_password(session, reset.user_id, password_hash)
                await record(
                    session, Actor("user", name, reset.user_id), "password.reset",
                    subject_type="user", subject_id=reset.user_id, subject_name=name,
                )  # fmt: skip
                await session.commit()
        return {}

    async def change(
        self, actor: Actor, current: str, password: str, confirm: str, ip: str
    ) -> tuple[int | None, FormErrors]:
        """The logged-in user changes their own password, knowing the current one.

        Returns the new password version (for the session that stays logged in), or
        errors. Guesses at the current password are throttled like logins: a borrowed
        session must not become a way to find the password.
        """
        user_id = actor.id
        if user_id is None:
            raise NotFound()
        if await self.throttle.reserve(f"user:{user_id}", ip):
            return None, {
                "current_password": N_("Too many wrong passwords. Please try again later.")
            }
        async with self.db.session() as session:
            stored = await session.scalar(select(User.password_hash).where(User.id == user_id))
        if stored is None:
            raise NotFound()
        if not await verify_password(stored, current):
            return None, {"current_password": N_("The current password is not correct.")}
        await self.throttle.succeeded(f"user:{user_id}", ip)
        password_hash, errors = await hashed_new_password(password, confirm)
        if errors:
            return None, errors
        async with self.db.session() as session:
            version = await self._set_password(session, user_id, password_hash)
            await record(
                session, actor, "password.changed", subject_type="user",
                subject_id=user_id, subject_name=actor.name,
            )  # fmt: skip
            await session.commit()
        return version, {}

    @staticmethod
    async def _set_password(session: AsyncSession, user_id: UUID, password_hash: str) -> int:
        """Store the new hash and bump the version; returns the new version."""
        version = await session.scalar(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=password_hash, password_version=User.password_version + 1)
            .returning(User.password_version)
        )
        return int(version or 0)


def _roles_of_user() -> Any:
    """The join condition users ↔ user_roles, with tenant_id as Citus needs it."""
    return and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id)


def _role_order(role: str) -> int:
    order: list[str] = [*TENANT_ROLES, Role.OPERATOR, Role.PROVINCIAL_VIEWER]
    return order.index(role) if role in order else len(order)


async def create_tenant_user(
    session: AsyncSession,
    tenant_id: UUID,
    *,
    name: str,
    phone: str,
    password_hash: str,
    roles: list[Role],
) -> User:
    """Insert a user and roles in the caller's transaction (signup, demo data).

    Takes a finished hash: hashing inside an open transaction would hold its
    connection for the ~150 ms argon2 takes.
    """
    user = User(tenant_id=tenant_id, name=name, phone=phone, password_hash=password_hash)
    session.add(user)
    await session.flush()
    for role in roles:
        session.add(UserRole(tenant_id=tenant_id, user_id=user.id, role=role))
    return user
