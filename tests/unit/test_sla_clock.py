"""The SLA clock: due times from a category, the escalation level at any moment, and
the clock in words — in China time, across midnight, month and year ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.clock import CHINA_TIME
from app.i18n import current_locale
from app.service_requests import sla, words


@dataclass(frozen=True)
class Category:
    sla_hours: int | None = None
    same_day_by: time | None = None


@dataclass(frozen=True)
class Level:
    level: int
    limit_hours: int | None = None


WATER = Category(same_day_by=time(22, 0))  # 水坏不过夜
POWER = Category(sla_hours=24)  # 电坏不过天
CHAIN = [Level(1), Level(2, 24), Level(3, 48)]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TIME)


@pytest.mark.parametrize(
    ("logged", "due"),
    [
        (at(2026, 5, 6, 9, 30), at(2026, 5, 6, 22)),  # morning: tonight
        (at(2026, 5, 6, 20, 0), at(2026, 5, 6, 22)),  # two hours before: still tonight
        (at(2026, 5, 6, 21, 59), at(2026, 5, 7, 22)),  # a minute before: too late for tonight
        (at(2026, 5, 6, 22, 0), at(2026, 5, 7, 22)),  # at the hour: tomorrow night
        (at(2026, 5, 6, 23, 30), at(2026, 5, 7, 22)),  # late evening: tomorrow night
        (at(2026, 5, 31, 22, 15), at(2026, 6, 1, 22)),  # across the month end
        (at(2026, 2, 28, 23, 0), at(2026, 3, 1, 22)),  # February of a common year
        (at(2028, 2, 28, 23, 0), at(2028, 2, 29, 22)),  # and of a leap year
        (at(2026, 12, 31, 22, 0), at(2027, 1, 1, 22)),  # across the year end
    ],
)
def test_same_day_by_is_tonight_or_else_tomorrow_at_that_time(
    logged: datetime, due: datetime
) -> None:
    assert sla.due_at(WATER, logged) == due


def test_same_day_by_reads_the_day_in_china_whatever_the_zone_given() -> None:
    # 15:30 UTC on 6 May is 23:30 in China: past 22:00 there, so due the next night.
    logged = datetime(2026, 5, 6, 15, 30, tzinfo=ZoneInfo("UTC"))
    assert sla.due_at(WATER, logged) == at(2026, 5, 7, 22)


@pytest.mark.parametrize(
    ("logged", "due"),
    [
        (at(2026, 5, 6, 9, 30), at(2026, 5, 7, 9, 30)),
        (at(2026, 12, 31, 18, 0), at(2027, 1, 1, 18, 0)),
        (at(2026, 1, 31, 23, 59), at(2026, 2, 1, 23, 59)),
    ],
)
def test_hours_count_from_the_logging_time(logged: datetime, due: datetime) -> None:
    assert sla.due_at(POWER, logged) == due


def test_a_category_without_a_limit_is_a_bug() -> None:
    with pytest.raises(ValueError):
        sla.due_at(Category(), at(2026, 5, 6))


DUE = at(2026, 12, 31, 22)


@pytest.mark.parametrize(
    ("moment", "level"),
    [
        (DUE - timedelta(hours=5), 1),
        (DUE, 1),  # due at 22:00 and resolved at 22:00 is in time
        (DUE + timedelta(minutes=1), 2),
        (DUE + timedelta(hours=24), 2),  # level 2 has 24 hours, up to and including
        (DUE + timedelta(hours=24, minutes=1), 3),
        (DUE + timedelta(hours=72), 3),
        (DUE + timedelta(days=30), 3),  # the last level keeps it
    ],
)
def test_levels_at_each_boundary(moment: datetime, level: int) -> None:
    assert sla.level_at(DUE, CHAIN, moment) == level


def test_a_call_back_starts_higher_and_climbs_from_there() -> None:
    assert sla.level_at(DUE, CHAIN, DUE - timedelta(hours=1), start=2) == 2
    # The starting level has until due; the next its own limit after that.
    assert sla.level_at(DUE, CHAIN, DUE + timedelta(hours=1), start=2) == 3
    assert sla.deadline_of(DUE, CHAIN, 3, start=2) == DUE + timedelta(hours=48)
    # A start past the chain's end starts at its last level.
    assert sla.level_at(DUE, CHAIN, DUE + timedelta(days=9), start=7) == 3


def test_deadlines_follow_the_chain_in_order_whatever_order_it_comes_in() -> None:
    shuffled = [CHAIN[2], CHAIN[0], CHAIN[1]]
    assert sla.deadlines(DUE, shuffled) == [
        (1, DUE),
        (2, DUE + timedelta(hours=24)),
        (3, DUE + timedelta(hours=72)),
    ]


def test_the_clock_stops_at_resolution() -> None:
    late = DUE + timedelta(hours=30)
    reading = sla.read(DUE, CHAIN, DUE + timedelta(days=10), resolved_at=late)
    assert reading.stopped and reading.overdue and reading.level == 3
    assert reading.left == -timedelta(hours=30)
    in_time = sla.read(DUE, CHAIN, DUE + timedelta(days=10), resolved_at=DUE - timedelta(hours=1))
    assert not in_time.overdue and in_time.level == 1


def test_an_open_request_reads_time_left_or_overdue_by() -> None:
    before = sla.read(DUE, CHAIN, DUE - timedelta(hours=2, minutes=5))
    assert not before.overdue and before.left == timedelta(hours=2, minutes=5)
    assert before.level_ends == DUE
    after = sla.read(DUE, CHAIN, DUE + timedelta(hours=3))
    assert after.overdue and after.level == 2
    assert after.level_ends == DUE + timedelta(hours=24)
    assert sla.split(after.left) == (0, 3, 0)
    assert sla.split(timedelta(days=2, hours=3, minutes=59, seconds=59)) == (2, 3, 59)


@pytest.mark.parametrize(
    ("hours", "zh", "en"),
    [
        (168, "7天内", "Within 7 days"),  # 换证
        (24, "1天内", "Within 1 day"),  # 电坏不过天
        (72, "3天内", "Within 3 days"),
        (36, "36小时内", "Within 36 hours"),
        (1, "1小时内", "Within 1 hour"),
    ],
)
def test_a_time_limit_reads_whole_days_as_days_and_the_rest_as_hours(
    hours: int, zh: str, en: str
) -> None:
    assert words.sla_words(Category(sla_hours=hours)) == zh
    assert words.within_hours(hours) == zh  # one formatter: the must-visit rules say it so too
    token = current_locale.set("en")
    try:
        assert words.sla_words(Category(sla_hours=hours)) == en
    finally:
        current_locale.reset(token)
