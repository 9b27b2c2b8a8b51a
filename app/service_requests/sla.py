"""The SLA clock (水坏不过夜，电坏不过天): when a request is due, which escalation level
holds it at a given moment, and how long is left. Pure: times in, times out, read in
China time (no daylight saving, so hours are plain hours).

A category gives either `sla_hours` (due that many hours after logging) or
`same_day_by` (due that day by that time; logged at or after it, the next day at the
same time — water is not left broken overnight). Level 1 holds the request until it
is due; each later level has its own `limit_hours` once the one before it ran out; the
last level keeps it. A request reopened for a call-back starts at a higher level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from app.core.clock import CHINA_TIME


class SlaRule(Protocol):
    """What the clock needs of a category (RequestCategory has it)."""

    @property
    def sla_hours(self) -> int | None: ...
    @property
    def same_day_by(self) -> time | None: ...


class LevelRule(Protocol):
    """What the clock needs of an escalation level (EscalationLevel has it)."""

    @property
    def level(self) -> int: ...
    @property
    def limit_hours(self) -> int | None: ...


SAME_DAY_LEAD = timedelta(hours=2)
"""A same-day deadline gives at least this much time; logged later, it is tomorrow's."""


def due_at(category: SlaRule, logged_at: datetime) -> datetime:
    """When a request logged at `logged_at` in `category` must be resolved."""
    logged = logged_at.astimezone(CHINA_TIME)
    if category.sla_hours is not None:
        return logged + timedelta(hours=category.sla_hours)
    if category.same_day_by is None:
        raise ValueError("a category needs sla_hours or same_day_by")
    by = category.same_day_by.replace(tzinfo=None)
    due = datetime.combine(logged.date(), by, tzinfo=CHINA_TIME)
    if logged > due - SAME_DAY_LEAD:  # a leak logged at 21:58 is not due at 22:00
        due = datetime.combine(logged.date() + timedelta(days=1), by, tzinfo=CHINA_TIME)
    return due


def deadlines(
    due: datetime, levels: Sequence[LevelRule], start: int = 1
) -> list[tuple[int, datetime]]:
    """Each level from `start` on, with the moment its time runs out.

    The starting level has until `due`; each later level its `limit_hours` more. A
    start above the last level starts at the last level."""
    chain = sorted(levels, key=lambda rule: rule.level)
    if not chain:
        return [(start, due)]
    first = next((i for i, rule in enumerate(chain) if rule.level >= start), len(chain) - 1)
    steps = [(chain[first].level, due)]
    for rule in chain[first + 1 :]:
        due = due + timedelta(hours=rule.limit_hours or 0)
        steps.append((rule.level, due))
    return steps


def level_at(due: datetime, levels: Sequence[LevelRule], at: datetime, start: int = 1) -> int:
    """The level that holds the request at `at`: a level holds it up to and including
    the moment its time runs out; past the last deadline the last level keeps it."""
    steps = deadlines(due, levels, start)
    for level, ends in steps:
        if at <= ends:
            return level
    return steps[-1][0]


def deadline_of(due: datetime, levels: Sequence[LevelRule], level: int, start: int = 1) -> datetime:
    """When `level`'s time runs out (for a level below the start: the start's)."""
    steps = deadlines(due, levels, start)
    for step, ends in steps:
        if step >= level:
            return ends
    return steps[-1][1]


@dataclass(frozen=True)
class Reading:
    """The clock read at a moment: for an open request now, for a resolved one at its
    resolution (the clock stops there)."""

    level: int
    overdue: bool
    left: timedelta
    """Until due (negative: overdue by that much)."""
    level_ends: datetime
    """When the holding level's time runs out."""
    stopped: bool


def read(
    due: datetime,
    levels: Sequence[LevelRule],
    now: datetime,
    *,
    start: int = 1,
    resolved_at: datetime | None = None,
) -> Reading:
    at = resolved_at or now
    level = level_at(due, levels, at, start)
    return Reading(
        level=level,
        overdue=at > due,
        left=due - at,
        level_ends=deadline_of(due, levels, level, start),
        stopped=resolved_at is not None,
    )


def split(delta: timedelta) -> tuple[int, int, int]:
    """Days, hours and whole minutes of a length of time (its size, sign dropped)."""
    minutes = int(abs(delta).total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes
