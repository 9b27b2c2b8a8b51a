"""Loading who is asking: an account, its roles, its roster person, the units that
person leads, the grids the account works, the volunteer teams it leads and its
unread notices, read in one
statement.

This sits above the capabilities (it reads accounts, people and grid tables) and below
the web layer, which calls it once per request (app.web.identity); jobs, the demo and
tests call it to act as an account would.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import PlatformUser, User, UserRole
from app.core.identity import Identity
from app.grid.models import Grid, GridWorker
from app.notifications.inbox.service import unread_count
from app.people.models import OrgUnit, Person
from app.settings import Settings
from app.volunteering.models import MemberRole, Team, TeamMember
from tenants.models import Tenant, TenantStatus


async def load_identity(
    session: AsyncSession, settings: Settings, data: dict[str, Any], session_id: str = ""
) -> Identity | None:
    """Rebuild the identity from session data in one statement; None if the account
    or tenant is gone. For a tenant user the tenant must already be in context (the
    transaction's RLS scope): the middleware sets it from the session data first."""
    if time.time() - data.get("at", 0) > settings.auth.session_max_seconds:
        return None
    user_id = UUID(data["uid"])
    if data.get("tid") is None:
        staff = (
            await session.execute(
                select(
                    PlatformUser.name, PlatformUser.role, PlatformUser.province_code,
                    unread_count(user_id),
                ).where(PlatformUser.id == user_id, PlatformUser.is_active)
            )
        ).first()  # fmt: skip
        if staff is None:
            return None
        return Identity(
            user_id=user_id, name=staff.name, roles=frozenset({staff.role}),
            province_code=staff.province_code, unread=staff[3], session_id=session_id,
        )  # fmt: skip
    found = await tenant_identity(session, user_id, UUID(data["tid"]), session_id)
    if found is None or found[1] != data.get("pv"):
        return None  # gone, or the password was reset or changed since this login
    return found[0]


async def tenant_identity(
    session: AsyncSession, user_id: UUID, tenant_id: UUID, session_id: str = ""
) -> tuple[Identity, int] | None:
    """A tenant user's identity and password version, or None if the account is
    inactive or the district not active. One statement: roles, linked person, led
    units, worked grids and unread notices come as subqueries."""
    row = (
        await session.execute(
            select(
                User.name,
                User.is_active,
                User.password_version,
                Tenant.name,
                Tenant.status,
                _ids(select(UserRole.role).where(UserRole.user_id == User.id)),
                select(Person.id).where(Person.user_id == User.id).limit(1).scalar_subquery(),
                _ids(
                    select(OrgUnit.id)
                    .join(Person, Person.id == OrgUnit.leader_person_id)
                    .where(Person.user_id == User.id, OrgUnit.retired_at.is_(None))
                ),
                _ids(
                    select(GridWorker.grid_id)
                    .join(Grid, Grid.id == GridWorker.grid_id)
                    .where(GridWorker.user_id == User.id, Grid.retired_at.is_(None))
                ),
                unread_count(user_id),
                _ids(
                    select(TeamMember.team_id)
                    .join(Person, Person.id == TeamMember.person_id)
                    .join(Team, Team.id == TeamMember.team_id)
                    .where(
                        Person.user_id == User.id,
                        TeamMember.role == MemberRole.LEADER,
                        TeamMember.left_on.is_(None),
                        Team.retired_at.is_(None),
                    )
                ),
            )
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None or not row[1] or row[4] != TenantStatus.ACTIVE:
        return None
    identity = Identity(
        user_id=user_id, name=row[0], roles=frozenset(row[5]), tenant_id=tenant_id,
        tenant_name=row[3], person_id=row[6], led_units=frozenset(row[7]),
        grids=frozenset(row[8]), unread=row[9], led_teams=frozenset(row[10]),
        session_id=session_id,
    )  # fmt: skip
    return identity, row[2]


def _ids(query: Select[Any]) -> ColumnElement[Any]:
    """A correlated subquery's values as one array column (empty when none)."""
    return func.array(query.scalar_subquery())
