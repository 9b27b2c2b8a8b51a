"""Reading back the notices the triggers wrote (tests/service/test_notices_*.py): as
the owner, past row-level security, so a test sees every district's and the
platform's notices at once and can say that nobody else was told."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text

from app.db import Database


@dataclass(frozen=True)
class Written:
    tenant_id: UUID | None
    recipient_id: UUID
    kind: str
    key: str
    title: str
    body: str
    link: str


async def written(owner_db: Database, kind: str | None = None) -> list[Written]:
    """Every notice (of `kind`), oldest first."""
    async with owner_db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "select tenant_id, recipient_id, kind, dedupe_key, title, body, link"
                " from notifications where cast(:kind as text) is null or kind = :kind"
                " order by created_at, dedupe_key, recipient_id"
            ),
            {"kind": kind},
        )
        return [Written(*row) for row in rows]


def told(notices: list[Written]) -> dict[UUID, list[str]]:
    """Who was told what: recipient → their notices' keys."""
    found: dict[UUID, list[str]] = {}
    for notice in notices:
        found.setdefault(notice.recipient_id, []).append(notice.key)
    return found
