"""What grid service tells people (stored in Chinese, as written; see
app.notifications.outbox)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from app.notifications.kinds import Kind
from app.notifications.outbox import Notice

DUE_LIST = "/grid"


def morning_digest(account_id: UUID, day: date, overdue: int, today: int) -> Notice:
    """07:30: how many of the worker's people are overdue and due today."""
    parts = []
    if overdue:
        parts.append(f"已逾期 {overdue} 人")
    if today:
        parts.append(f"今天到期 {today} 人")
    return Notice(
        kind=Kind.DIGEST,
        key=f"digest:{account_id}:{day.isoformat()}",
        title=f"今天要走访：{'，'.join(parts)}",
        body=f"{'，'.join(parts)}。请打开待访名单，按时走访。",
        link=DUE_LIST,
    )
