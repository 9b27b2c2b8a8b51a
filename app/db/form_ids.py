"""Forms that carry an id made when they were shown (a visit, a service request), so a
retry on a weak network saves once — and an id that already names something else is a
clear refusal, never a primary-key error."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused


class FormUsed(Refused):
    """The form's id already names a different saved row: nothing is written, and the
    form comes back with a fresh id so that sending it again is a deliberate new one."""


async def hold_form_id(session: AsyncSession, table: str, form_id: UUID) -> None:
    """Wait until no other transaction is saving this form id, for the rest of this
    transaction. Two posts of one form (a double tap, a retry racing the first) then
    meet one after the other: the second reads the first's row and compares, instead
    of both inserting and one failing on the primary key. A hash collision only makes
    two unrelated saves wait for each other."""
    await session.execute(
        text("select pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{table}:{form_id}"}
    )
