"""What the dashboard tells people (stored in Chinese, as written; see
app.notifications.outbox): the administrators' weekly summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.notifications.kinds import Kind
from app.notifications.outbox import Notice

if TYPE_CHECKING:
    from app.dashboard.weekly import WeeklyFigures


def weekly_summary(figures: WeeklyFigures) -> Notice:
    week = figures.week_start
    in_time = f"按时办结 {figures.in_time}%" if figures.in_time is not None else "还没有办结的"
    lines = [
        f"上周走访 {figures.visits} 次。",
        f"现在逾期未访 {figures.overdue_people} 人。",
        f"上周新诉求 {figures.requests} 件，{in_time}。"
        if figures.requests
        else "上周没有新诉求。",
        f"积分申报待审核 {figures.claims_waiting} 件。",
    ]
    return Notice(
        kind=Kind.WEEKLY_SUMMARY,
        key=f"weekly:{week.isoformat()}",
        title=f"每周简报（{week.month}月{week.day}日起的一周）",
        body="".join(lines),
        link="/",
    )
