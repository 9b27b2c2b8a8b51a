"""An account's inbox: its notices a page at a time, opening one (which marks it read)
and marking them all read. Every query names the account as recipient, and RLS keeps
it to the account's district (or the platform), so another account's notice is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound
from app.core.identity import UNREAD_SHOWN, Identity
from app.core.pagination import Page, paginate
from app.notifications.models import Notification

PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxItem:
    id: UUID
    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool


class InboxService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, identity: Identity, *, unread_only: bool, number: int) -> Page[InboxItem]:
        """A page of the account's notices, newest first (all, or the unread only)."""
        query = select(
            Notification.id, Notification.kind, Notification.title, Notification.body,
            Notification.created_at, Notification.read_at.is_not(None),
        ).where(Notification.recipient_id == identity.user_id)  # fmt: skip
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        found = await paginate(
            self.session,
            query.order_by(Notification.created_at.desc(), Notification.id.desc()),
            number,
            PAGE_SIZE,
        )
        return Page(
            [InboxItem(*row) for row in found.items], found.number, found.pages, found.total
        )

    async def open(self, identity: Identity, notification_id: UUID) -> str:
        """Mark the notice read (the first time only) and give its link ('' if none)."""
        link = await self.session.scalar(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.recipient_id == identity.user_id,
            )
            .values(read_at=func.coalesce(Notification.read_at, clock.now()))
            .returning(Notification.link)
        )
        if link is None:
            raise NotFound()
        return link

    async def read_all(self, identity: Identity) -> int:
        """Mark every unread notice of the account read; how many there were."""
        marked = await self.session.execute(
            update(Notification)
            .where(
                Notification.recipient_id == identity.user_id,
                Notification.read_at.is_(None),
            )
            .values(read_at=clock.now())
        )
        return int(marked.rowcount)  # type: ignore[attr-defined]


def unread_count(account_id: UUID) -> ScalarSelect[int]:
    """The account's unread notices, counted no further than the header shows: the
    LIMIT under the count walks at most UNREAD_SHOWN + 1 entries of the partial index
    `ix_notifications_unread`, however many notices pile up. A scalar subquery, so the
    identity's one statement carries it (app.access)."""
    unread = (
        select(Notification.id)
        .where(Notification.recipient_id == account_id, Notification.read_at.is_(None))
        .limit(UNREAD_SHOWN + 1)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()
