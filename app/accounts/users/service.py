"""The district's accounts (tenant admin): listing them, their roles, disabling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Invitation, User, UserRole
from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.core.roles import TENANT_ROLES, Role
from app.db.tenant import require_tenant
from app.i18n import N_


@dataclass(frozen=True)
class UserRow:
    id: UUID
    name: str
    phone: str
    is_active: bool
    roles: list[str]
    last_login_at: datetime | None


class AccountService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
        rows = (await self.session.execute(query)).all()
        return [
            UserRow(u.id, u.name, u.phone, u.is_active, sorted(r, key=_role_order), u.last_login_at)
            for u, r in rows
        ]

    async def user(self, user_id: UUID) -> UserRow:
        found = await self.list_users(user_id)
        if not found:
            raise NotFound()
        return found[0]

    async def set_roles(self, user_id: UUID, roles: list[str], actor: Actor) -> None:
        """Give an account exactly `roles` (Refused if the rules say no).

        The district must keep an active administrator, and an administrator cannot
        take the role from themselves (someone else must, so nobody locks themselves out).
        """
        wanted = sorted(set(roles), key=_role_order)
        session = self.session
        # The account first: another district's id is a 404 whatever the form says.
        name = await session.scalar(select(User.name).where(User.id == user_id).with_for_update())
        if name is None:
            raise NotFound()
        if not wanted or any(role not in TENANT_ROLES for role in wanted):
            raise Refused(N_("Choose at least one role."))
        if user_id == actor.id and Role.TENANT_ADMIN not in wanted:
            raise Refused(N_("You cannot remove your own administrator role."))
        before = sorted(
            (await session.scalars(select(UserRole.role).where(UserRole.user_id == user_id))),
            key=_role_order,
        )
        if before == wanted:
            return
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
            await session.rollback()  # the roles stay as they were
            raise Refused(N_("The district needs at least one active administrator."))
        await record(
            session, actor, "account.roles_changed", subject_type="user",
            subject_id=user_id, subject_name=name, changes={"roles": [before, wanted]},
        )  # fmt: skip
        await session.commit()

    async def account_summary(self) -> tuple[dict[str, int], int]:
        """Active accounts per role and open invitations, in one round trip."""
        per_role = [func.count().filter(UserRole.role == role).label(role) for role in TENANT_ROLES]
        open_invitations = (
            select(func.count())
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > clock.now(),
            )
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(*per_role, open_invitations)
                .select_from(UserRole)
                .join(User, _roles_of_user())
                .where(User.is_active)
            )
        ).one()
        return {role: row[i] for i, role in enumerate(TENANT_ROLES)}, row[-1]

    async def set_active(self, user_id: UUID, active: bool, actor: Actor) -> None:
        """Disable or re-enable an account (Refused: not one's own), and commit."""
        await self.change_active(user_id, active, actor)
        await self.session.commit()

    async def change_active(self, user_id: UUID, active: bool, actor: Actor) -> None:
        """As `set_active`, in the caller's transaction: after-care disables a login in
        the same commit as the death it records, so neither is saved without the other."""
        if user_id == actor.id and not active:
            raise Refused(N_("You cannot disable your own account."))
        name = await self.session.scalar(
            update(User)
            .where(User.id == user_id, User.is_active.is_not(active))
            .values(is_active=active)
            .returning(User.name)
        )
        if name is None:
            if await self.session.scalar(select(User.id).where(User.id == user_id)) is None:
                raise NotFound()
            return  # already so: nothing changed, nothing to record
        await record(
            self.session, actor, "account.enabled" if active else "account.disabled",
            subject_type="user", subject_id=user_id, subject_name=name,
            changes={"is_active": [not active, active]},
        )  # fmt: skip


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
