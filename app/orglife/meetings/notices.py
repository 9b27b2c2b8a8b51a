"""What planning a meeting tells: the members expected at it who have accounts learn
when and where, in plain words. The key holds the start, so a meeting moved to another
time tells them again, and a change of anything else does not."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.notifications.kinds import Kind
from app.notifications.outbox import Notice, notify
from app.orglife.models import Meeting
from app.people.models import Person

WEEKDAYS = "一二三四五六日"


async def tell_planned(
    session: AsyncSession, meeting: Meeting, kind_name: str, expected: Sequence[Person]
) -> int:
    starts = meeting.starts_at.astimezone(clock.CHINA_TIME)
    when = (
        f"{starts.month}月{starts.day}日（星期{WEEKDAYS[starts.weekday()]}）"
        f"{starts.hour}:{starts.minute:02d}"
    )
    place = f"在{meeting.place}" if meeting.place else ""
    notice = Notice(
        Kind.MEETING_PLANNED,
        f"meeting:{meeting.id}:{starts.isoformat()}",
        f"{when}{kind_name}",
        f"{when}{place}召开{kind_name}，主题：{meeting.topic}。请准时参加；不能参加的，"
        "请向支部书记请假。",
    )
    return await notify(session, [p.user_id for p in expected if p.user_id], notice)
