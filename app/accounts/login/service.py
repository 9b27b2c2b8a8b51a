"""Logging in: credentials checked with throttling, one generic message for any
mismatch, and the session a login starts (`logged_in`, shared with invitations)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.hashing import verify_password
from app.accounts.models import User
from app.accounts.throttle import LoginThrottle
from app.core import clock
from app.core.forms import FieldError
from app.core.validators import mainland_mobile
from app.db.tenant import tenant_transaction
from app.i18n import N_
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
    await session.execute(update(User).where(User.id == user_id).values(last_login_at=clock.now()))
    return session_data(user_id, tenant_id, password_version)


class LoginService:
    def __init__(self, session: AsyncSession, throttle: LoginThrottle) -> None:
        self.session = session
        self.throttle = throttle

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
            candidates = (
                await self.session.execute(
                    text("select * from login_candidates(:phone)"), {"phone": phone}
                )
            ).all()
        # No transaction stays open while argon2 works (~150 ms a check); each
        # district's hash is read in a transaction of its own.
        await self.session.commit()
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
        async with tenant_transaction(self.session, match.tenant_id):
            data = await logged_in(
                self.session, match.user_id, match.tenant_id, versions[match.user_id]
            )
        return LoginOutcome(session=data)

    async def _rejection_reason(self, tenant_ids: Iterable[UUID]) -> str:
        """Why the latest of these signups was rejected (the reason is required), told
        to its applicant only once their password matched."""
        return (
            await self.session.scalar(
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
        async with tenant_transaction(self.session, candidate.tenant_id):
            row = (
                await self.session.execute(
                    select(User.password_hash, User.password_version).where(
                        User.id == candidate.user_id
                    )
                )
            ).first()
        return (row[0], row[1]) if row else (None, 0)
