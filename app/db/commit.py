"""Committing where a unique constraint states a rule people can break."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused


async def commit_or_refuse(session: AsyncSession, refusals: dict[str, str]) -> None:
    """Commit; a violation of a constraint named in `refusals` (constraint name →
    msgid) rolls back and becomes Refused with that message. Two admins saving at
    once meet here rather than in a check-then-write race."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        for constraint, message in refusals.items():
            if constraint in str(exc.orig):
                raise Refused(message) from exc
        raise
