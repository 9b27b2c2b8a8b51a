"""Telling the capabilities above grid that visits answered due items.

Organisational life writes 送学上门 items for infirm members who missed a meeting
(app.orglife.home_study) and records the home study when a visit answers one. Grid
stands below organisational life, so it does not call it: orglife subscribes here with
`on_due_items_answered`, and `app.grid.due.resolve()` — the one place a visit answers
items — announces the items it answered, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

DueItemsAnswered = Callable[[AsyncSession, Sequence[UUID]], Awaitable[object]]
L = TypeVar("L", bound=DueItemsAnswered)

_listeners: list[DueItemsAnswered] = []


def on_due_items_answered(listener: L) -> L:
    """Register `listener(session, item_ids)`, run in the transaction that answered them."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def due_items_answered(session: AsyncSession, item_ids: Sequence[UUID]) -> None:
    """Announce that visits just answered these due items (their `visit_id` is set)."""
    if not item_ids:
        return
    for listener in _listeners:
        await listener(session, item_ids)
