"""What service requests tell people (stored in Chinese, as written; see
app.notifications.outbox)."""

from __future__ import annotations

from uuid import UUID

from app.notifications.kinds import Kind
from app.notifications.outbox import Notice


def request_link(request_id: UUID) -> str:
    return f"/requests/{request_id}"


def sla_breached(request_id: UUID, level: int, person: str, category: str) -> Notice:
    """The request ran out of time and reached `level`, whose holders are told."""
    return Notice(
        kind=Kind.SLA_BREACH,
        key=f"sla:{request_id}:{level}",
        title=f"诉求超时：{person}（{category}）",
        body=f"{person}的“{category}”诉求已过办理时限，现转到你这里。请尽快跟进办理。",
        link=request_link(request_id),
    )


def reopened_for_call_back(
    request_id: UUID, round_: int, person: str, category: str, satisfaction: int
) -> Notice:
    """A satisfaction of 1 or 2 reopened the request for the level that calls back."""
    return Notice(
        kind=Kind.REQUEST_REOPENED,
        key=f"reopen:{request_id}:{round_}",
        title=f"诉求重新办理：{person}（{category}）",
        body=(
            f"{person}对“{category}”的办理结果不满意（{satisfaction}分），诉求已重新打开。"
            "请回访老同志，重新办理。"
        ),
        link=request_link(request_id),
    )
