"""Which roster person an account is: the link a secretary's data scope and a member's
home hang on (`people.user_id`, one person per account).

An administrator links them on the person's page. Until then the account sees no one
of its branch, so whoever meets an unlinked account is told whom to ask.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, select

from app.accounts.models import Invitation, Role, User, UserRole
from app.db import Database


async def admins_to_ask(db: Database, user_id: UUID, limit: int = 3) -> list[str]:
    """The district administrators someone should ask (to link their account to the
    roster, say): the one who invited them first, if still active."""
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
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.TENANT_ADMIN, User.is_active)
        .order_by((User.id == inviter).is_(True).desc(), User.name)
        .limit(limit)
    )
    async with db.session() as session:
        return list(await session.scalars(query))
