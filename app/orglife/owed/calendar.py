"""A branch's month of meetings as weeks (Monday first) for the month grid on wide
screens, and as a list of the days that have meetings for phones."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.core import clock
from app.orglife.models import Meeting

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class Day:
    day: date
    in_month: bool
    meetings: list[Meeting] = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]

    @property
    def last(self) -> date:
        return next_month(self.first) - timedelta(days=1)

    @property
    def busy_days(self) -> list[Day]:
        return [d for week in self.weeks for d in week if d.in_month and d.meetings]

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def following(self) -> date:
        return next_month(self.first)


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def month_asked(raw: str) -> date:
    """The month of `?month=2026-12`; anything else (or a year past 2100) is this month."""
    found = MONTH.match(raw.strip())
    if found and 2000 <= int(found[1]) <= 2100 and 1 <= int(found[2]) <= 12:
        return date(int(found[1]), int(found[2]), 1)
    return clock.today().replace(day=1)


def meeting_day(meeting: Meeting) -> date:
    """Held: the day it was held; planned: the day it starts, China time."""
    return meeting.held_on or meeting.starts_at.astimezone(clock.CHINA_TIME).date()


def month_of(first: date, meetings: list[Meeting]) -> Month:
    start = first - timedelta(days=first.weekday())
    end = next_month(first)
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting_day(meeting), []).append(meeting)
    weeks = []
    day = start
    while day < end:
        weeks.append([Day(d, d.month == first.month, by_day.get(d, []))
                      for d in (day + timedelta(days=i) for i in range(7))])  # fmt: skip
        day += timedelta(days=7)
    return Month(first, weeks)
