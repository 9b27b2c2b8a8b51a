"""Telling the capabilities above the roster that people changed.

When people are added, imported, or their birth date, party membership or death
changes, grid service writes their birthday and holiday visits at once, in the same
transaction (app.grid.due.people_changed). Grid stands above the roster, so the roster
does not call it: grid subscribes here with `on_people_changed`, and every write of
the roster announces the people it changed with `people_changed`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

PeopleChanged = Callable[[AsyncSession, Sequence[UUID]], Awaitable[object]]
L = TypeVar("L", bound=PeopleChanged)

_listeners: list[PeopleChanged] = []


def on_people_changed(listener: L) -> L:
    """Register `listener(session, person_ids)`, run in the transaction that changed them."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def people_changed(session: AsyncSession, person_ids: Sequence[UUID]) -> None:
    """Announce that these people were added or changed, in the caller's transaction."""
    for listener in _listeners:
        await listener(session, person_ids)
