"""Accounts: logging in, and a district admin's users (roles, disabling).

Invitations are in `invitations.py`, reset links and password changes in
`password_changes.py`, argon2 hashing in `passwords.py`; the helpers all three share
(token hashes, the rules of a new password, the session a login starts) are here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Invitation, User, UserRole
from app.accounts.passwords import hash_password, verify_password
from app.accounts.throttle import LoginThrottle, ThrottleLimits
from app.audit.service import record
from app.core.errors import NotFound
from app.core.forms import FieldError, FormErrors
from app.core.identity import Actor
from app.core.roles import TENANT_ROLES, Role
from app.core.validators import mainland_mobile, new_password
from app.i18n import N_
from app.state import AppServices
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
    error_args: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    choices: list[TenantChoice] = field(default_factory=list)
    apply_again: bool = False
    """The district's signup was rejected: the applicant may correct it and sign up again."""


@dataclass(frozen=True)
class UserRow:
    id: UUID
    name: str
    phone: str
    is_active: bool
    roles: list[str]
    last_login_at: datetime | None


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
            if any(m.tenant_status == TenantStatus.PENDING for m in matches):
                return LoginOutcome(
                    error=N_("Your district's signup is still waiting for approval."), status=403
                )
            return LoginOutcome(
                error=N_("Your district's signup was not approved. The reason given: %(reason)s"),
                error_args={"reason": await self._rejection_reason(m.tenant_id for m in matches)},
                status=403,
                apply_again=True,
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

    async def _rejection_reason(self, tenant_ids: Iterable[UUID]) -> str:
        """Why the latest of these signups was rejected (the reason is required), told
        to its applicant only once their password matched."""
        async with self.db.session() as session:
            return (
                await session.scalar(
                    select(Tenant.decision_note)
                    .where(Tenant.id.in_(list(tenant_ids)))
                    .order_by(Tenant.decided_at.desc().nulls_last())
                    .limit(1)
                )
                or ""
            )

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
