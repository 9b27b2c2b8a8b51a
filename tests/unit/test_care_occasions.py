"""The care calendar's arithmetic: political birthdays (day known or only the month),
golden and diamond weddings only at 50 and 60, 29 February in common and leap years,
weeks across the year end, the round birthday mark, and the due refresh's prefilter
never leaving out someone who is due."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from app.care.calendar.forms import add_months, query_month
from app.core import clock
from app.grid.due import birthdays_near
from app.grid.occasions import (
    CalendarRule,
    birthday_in,
    calendar_occasions,
    occasion_words,
    political_birthday_in,
    round_birthday,
    wedding_anniversary_in,
)
from app.people.imports.cells import married_too_young

POLITICAL = CalendarRule(uuid4(), "political_birthday")
WEDDING = CalendarRule(uuid4(), "wedding")


def political(joined: date, start: date, end: date, *, day_known: bool = True) -> list:
    return calendar_occasions(
        POLITICAL, born=date(1930, 5, 5), party_member=True, start=start, end=end,
        joined=joined, joined_day_known=day_known,
    )  # fmt: skip


def test_a_leap_day_joining_falls_on_the_28th_in_common_years() -> None:
    joined = date(1956, 2, 29)
    assert political_birthday_in(2027, joined) == date(2027, 2, 28)
    assert political_birthday_in(2028, joined) == date(2028, 2, 29)
    # 28 February 2027 is a Sunday: its week runs from Monday the 22nd.
    (found,) = political(joined, date(2027, 2, 22), date(2027, 2, 22))
    assert (found.key, found.opens_on, found.last_day) == (
        "political_birthday:2027", date(2027, 2, 22), date(2027, 2, 28)
    )  # fmt: skip
    # 29 February 2028 is a Tuesday: Monday 28 February to Sunday 5 March.
    (found,) = political(joined, date(2028, 3, 5), date(2028, 3, 5))
    assert (found.key, found.opens_on) == ("political_birthday:2028", date(2028, 2, 28))


def test_a_leap_day_wedding_is_golden_on_the_28th_and_diamond_on_the_29th() -> None:
    assert wedding_anniversary_in(2026, date(1976, 2, 29)) == date(2026, 2, 28)
    assert wedding_anniversary_in(2028, date(1968, 2, 29)) == date(2028, 2, 29)


def test_political_birthdays_across_the_year_end() -> None:
    """30 December 2026 (a Wednesday) and 2 January 2027 (a Saturday) share the week of
    Monday 28 December: both are due in it, each under its own year."""
    monday = date(2026, 12, 28)
    (december,) = political(date(1949, 12, 30), monday, monday)
    (january,) = political(date(1949, 1, 2), monday, monday)
    assert (december.key, december.opens_on, december.last_day) == (
        "political_birthday:2026", monday, date(2027, 1, 3)
    )  # fmt: skip
    assert (january.key, january.opens_on, january.last_day) == (
        "political_birthday:2027", monday, date(2027, 1, 3)
    )  # fmt: skip


def test_a_month_only_joining_falls_in_the_first_week_starting_in_that_month() -> None:
    # 1 March 2026 is a Sunday: the week from Monday 2 March, never February's last.
    assert political_birthday_in(2026, date(1950, 3, 1), day_known=False) == date(2026, 3, 2)
    assert political_birthday_in(2027, date(1950, 3, 1), day_known=False) == date(2027, 3, 1)
    (found,) = political(date(1950, 3, 1), date(2026, 3, 1), date(2026, 3, 31), day_known=False)
    assert (found.opens_on, found.last_day) == (date(2026, 3, 2), date(2026, 3, 8))


def test_only_party_members_have_political_birthdays_from_the_first_anniversary() -> None:
    args = {"born": None, "start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    assert calendar_occasions(POLITICAL, party_member=False, joined=date(1960, 7, 1), **args) == []
    assert calendar_occasions(POLITICAL, party_member=True, joined=date(2026, 7, 1), **args) == []
    assert calendar_occasions(POLITICAL, party_member=True, joined=None, **args) == []


def test_weddings_are_visited_only_at_50_and_60_years() -> None:
    married = date(1976, 5, 5)
    found = calendar_occasions(
        WEDDING, born=None, party_member=False, start=date(2020, 1, 1), end=date(2045, 12, 31),
        married=married,
    )  # fmt: skip
    assert [o.key for o in found] == ["wedding:2026", "wedding:2036"]
    assert [occasion_words(o.key, None, None, married) for o in found] == ["金婚", "钻石婚"]


def test_the_due_list_says_the_occasion_in_words() -> None:
    born, joined = date(1946, 12, 7), date(1976, 12, 7)
    assert occasion_words("birthday:2026", born, None, None) == "80 岁整寿"
    assert occasion_words("birthday:2027", born, None, None) == "81 岁生日"
    assert occasion_words("political_birthday:2026", born, joined, None) == "入党 50 周年"
    assert occasion_words("mid_autumn:2026", born, joined, None) is None


@pytest.mark.parametrize(("age", "round_age"), [(69, None), (70, 70), (80, 80), (90, 90),
                                                 (95, None), (100, 100)])  # fmt: skip
def test_round_birthdays_are_70_80_90_and_100(age: int, round_age: int | None) -> None:
    assert round_birthday(f"birthday:{1930 + age}", date(1930, 3, 3)) == round_age
    assert round_birthday(f"political_birthday:{1930 + age}", date(1930, 3, 3)) is None


def test_a_wedding_before_the_16th_birthday_is_a_mistake() -> None:
    assert married_too_young(date(1956, 5, 4), date(1940, 5, 5))
    assert not married_too_young(date(1956, 5, 5), date(1940, 5, 5))
    # 29 February 1884 + 16 years: 1900 is not a leap year, so the 28th (as in SQL).
    assert not married_too_young(date(1900, 2, 28), date(1884, 2, 29))


def days_from(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize(
    "today",
    days_from(date(2026, 12, 20), date(2027, 1, 10))
    + days_from(date(2028, 2, 20), date(2028, 3, 8)),
    ids=str,
)
def test_the_refresh_reads_everyone_whose_political_birthday_or_wedding_is_near(
    today: date,
) -> None:
    """due.occasions_near lets through the people whose joining or wedding day (MM-DD)
    is among `birthdays_near`, or whose joining month is among their months when the day
    is not known: never one who is due."""
    start, end = today - timedelta(days=1), today + timedelta(days=7)
    near = set(birthdays_near(start, end))
    months = {day[:2] for day in near}
    for day in days_from(date(1956, 1, 1), date(1956, 12, 31)):
        if political(day, start, end):
            assert day.strftime("%m-%d") in near, day
        if political(day, start, end, day_known=False):
            assert day.strftime("%m") in months, day
        for year in (start.year - 60, start.year - 50, start.year - 49):
            married = birthday_in(year, day)
            wedding = calendar_occasions(
                WEDDING, born=None, party_member=False, start=start, end=end, married=married
            )
            if wedding:
                assert married.strftime("%m-%d") in near, married


def test_the_month_in_the_address_is_this_month_when_mangled() -> None:
    this = clock.today().replace(day=1)
    assert query_month({"month": "2026-13"}) == query_month({}) == query_month({"month": "x\x00"})
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert add_months(date(2027, 1, 1), -1) == date(2026, 12, 1)
    assert query_month({"month": add_months(this, 2).strftime("%Y-%m")}) == add_months(this, 2)
