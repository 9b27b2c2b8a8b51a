"""The must-visit calendar: lunar festivals (across year boundaries and in years with a
leap month), birthday weeks, holiday windows and the meeting day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from app.core.clock import CHINA_TIME
from app.grid.due import birthdays_near
from app.grid.occasions import (
    CalendarRule,
    birthday_in,
    calendar_occasions,
    concern_due_at,
    holiday_on,
    holiday_windows,
    meeting_days,
)


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("spring_festival", 2026, date(2026, 2, 17)),
        ("spring_festival", 2027, date(2027, 2, 6)),
        ("lantern", 2026, date(2026, 3, 3)),
        ("dragon_boat", 2026, date(2026, 6, 19)),
        ("mid_autumn", 2026, date(2026, 9, 25)),
        ("double_ninth", 2026, date(2026, 10, 18)),
        # Years with a leap month: the festival is in the ordinary month of its number.
        ("dragon_boat", 2020, date(2020, 6, 25)),  # 闰四月 before it
        ("dragon_boat", 2023, date(2023, 6, 22)),  # 闰二月
        ("mid_autumn", 2025, date(2025, 10, 6)),  # 闰六月 before it
        ("double_ninth", 2025, date(2025, 10, 29)),
        ("mid_autumn", 2020, date(2020, 10, 1)),  # the same day as 国庆
        ("army_day", 2026, date(2026, 8, 1)),
        ("party_day", 2026, date(2026, 7, 1)),
        ("national_day", 2026, date(2026, 10, 1)),
    ],
)
def test_holidays_fall_on_their_days(code: str, year: int, expected: date) -> None:
    assert holiday_on(code, year) == expected


def spring(days_before: int, days_after: int = 6) -> CalendarRule:
    return CalendarRule(uuid4(), "holiday", "spring_festival", days_before, days_after)


def test_a_spring_festival_window_reaches_back_into_december() -> None:
    # 2023's Spring Festival was on 22 January; a 30-day window opens on 23 December 2022.
    found = holiday_windows(spring(30), date(2022, 12, 20), date(2022, 12, 31))
    assert [(o.key, o.opens_on, o.last_day) for o in found] == [
        ("spring_festival:2023", date(2022, 12, 23), date(2023, 1, 28))
    ]


def test_the_next_spring_festival_is_found_across_new_year() -> None:
    rule = spring(14)
    assert holiday_windows(rule, date(2026, 12, 20), date(2026, 12, 31)) == []
    found = holiday_windows(rule, date(2027, 1, 20), date(2027, 1, 27))
    assert [o.key for o in found] == ["spring_festival:2027"]
    assert found[0].opens_on == date(2027, 1, 23)


def test_a_window_is_found_while_it_is_open_and_not_after() -> None:
    rule = CalendarRule(uuid4(), "holiday", "mid_autumn", days_before=7)
    assert [o.key for o in holiday_windows(rule, date(2026, 9, 25), date(2026, 9, 25))] == [
        "mid_autumn:2026"
    ]
    assert holiday_windows(rule, date(2026, 9, 26), date(2026, 10, 3)) == []


def test_an_occasion_is_due_at_the_end_of_its_last_day_china_time() -> None:
    rule = CalendarRule(uuid4(), "holiday", "army_day", days_before=7)
    (occasion,) = holiday_windows(rule, date(2026, 7, 30), date(2026, 7, 30))
    assert occasion.due_at == datetime(2026, 8, 2, tzinfo=CHINA_TIME)


def test_birthdays_are_due_within_their_week() -> None:
    rule = CalendarRule(uuid4(), "birthday")
    # 1930-11-26: in 2026 a Thursday, so the week runs Monday 23 to Sunday 29 November.
    (found,) = calendar_occasions(
        rule, born=date(1930, 11, 26), party_member=False,
        start=date(2026, 11, 20), end=date(2026, 11, 27),
    )  # fmt: skip
    assert (found.key, found.opens_on, found.last_day) == (
        "birthday:2026",
        date(2026, 11, 23),
        date(2026, 11, 29),
    )


def test_a_new_year_birthday_week_starts_in_december() -> None:
    rule = CalendarRule(uuid4(), "birthday")
    # 1 January 2027 is a Friday: its week opens on Monday 28 December 2026.
    found = calendar_occasions(
        rule, born=date(1940, 1, 1), party_member=False,
        start=date(2026, 12, 28), end=date(2026, 12, 28),
    )  # fmt: skip
    assert [(o.key, o.opens_on) for o in found] == [("birthday:2027", date(2026, 12, 28))]


def test_leap_day_birthdays_fall_on_the_28th_in_common_years() -> None:
    assert birthday_in(2026, date(1936, 2, 29)) == date(2026, 2, 28)
    assert birthday_in(2028, date(1936, 2, 29)) == date(2028, 2, 29)


def test_party_only_rules_skip_people_outside_the_party() -> None:
    rule = CalendarRule(uuid4(), "holiday", "party_day", days_before=7, party_only=True)
    args = {"born": None, "start": date(2026, 6, 28), "end": date(2026, 6, 28)}
    assert calendar_occasions(rule, party_member=False, **args) == []
    assert len(calendar_occasions(rule, party_member=True, **args)) == 1


def test_people_without_a_birth_date_have_no_birthday_visit() -> None:
    rule = CalendarRule(uuid4(), "birthday")
    found = calendar_occasions(
        rule, born=None, party_member=True, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert found == []


def test_a_hospital_visit_is_due_48_hours_after_it_is_noted() -> None:
    noted = datetime(2026, 12, 31, 20, 0, tzinfo=CHINA_TIME)
    assert concern_due_at(noted, 48) == noted + timedelta(hours=48)


def test_the_meeting_day_is_on_every_month() -> None:
    assert meeting_days(10, date(2026, 11, 24), date(2027, 2, 9)) == [
        date(2026, 12, 10), date(2027, 1, 10)
    ]  # fmt: skip


def days_from(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize(
    "today",
    days_from(date(2026, 12, 1), date(2027, 3, 31))
    + days_from(date(2027, 12, 1), date(2028, 3, 31)),
    ids=str,
)
def test_the_refresh_reads_everyone_whose_birthday_week_meets_its_window(today: date) -> None:
    """due.refresh computes birthday weeks only for people whose birth day is near its
    window (a roster of 40,000 has a few hundred): never leaving out one who is due —
    every birth day of a leap year, across year ends, 29 February in common years."""
    start, end = today - timedelta(days=1), today + timedelta(days=7)
    birthday = CalendarRule(id=uuid4(), trigger="birthday")
    near = set(birthdays_near(start, end))
    for born in days_from(date(1936, 1, 1), date(1936, 12, 31)):
        if calendar_occasions(birthday, born=born, party_member=False, start=start, end=end):
            assert born.strftime("%m-%d") in near, born
