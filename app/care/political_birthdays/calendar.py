"""Who has a political birthday when: pure date arithmetic, and the same rule as SQL.

A political birthday is the anniversary of `party_joined_on`, from the first one (a
year after joining) on; someone who joined on 29 February has it on the 28th in common
years (app.grid.occasions.birthday_in, the must-visit engine's rule). When the roster
knows only the month (`party_joined_day_known` false) the anniversary falls on the
month's first Monday, as on the care calendar and the due list
(app.grid.occasions.political_birthday_in), and the page says the day is not known.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Date, Integer, and_, case, cast, extract, func

from app.grid.occasions import birthday_in, political_birthday_in
from app.people.models import Person

ADVANCE_DAYS = 31
"""Gifts may be recorded up to a month before the day (prepared and handed over ahead)."""
COMING_DAYS = 28
"""The list's default: this month, and four weeks on from today."""


def anniversary(year: int, joined: date, day_known: bool = True) -> date:
    """The day of the anniversary in `year` (also for the joining year itself, where the
    must-visit engine has none: callers check the year)."""
    if year <= joined.year:
        return birthday_in(year, joined)
    day = political_birthday_in(year, joined, day_known)
    assert day is not None
    return day


def party_years(year: int, joined: date) -> int:
    return year - joined.year


def default_window(today: date) -> tuple[date, date]:
    """This month's first day to four weeks on (at least to the month's end)."""
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return today.replace(day=1), max(month_end, today + timedelta(days=COMING_DAYS))


def month_window(first: date) -> tuple[date, date]:
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _anniversary_sql(year: int) -> ColumnElement[date]:
    joined = Person.party_joined_on
    month = cast(extract("month", joined), Integer)
    day: ColumnElement[int] = cast(extract("day", joined), Integer)
    if not calendar.isleap(year):
        day = case((and_(month == 2, day == 29), 28), else_=day)
    known = cast(func.make_date(year, month, day), Date)
    first = func.make_date(year, month, 1)
    # The month's first Monday: isodow runs Monday 1 .. Sunday 7.
    monday = cast(first + (8 - cast(extract("isodow", first), Integer)) % 7, Date)
    return case((Person.party_joined_day_known, known), else_=monday)


def anniversary_sql(start: date, end: date) -> ColumnElement[date]:
    """Each person's anniversary that falls on or after `start` in the years the window
    [start, end] spans (under a year long): filter it `<= end`."""
    assert end - start < timedelta(days=365)
    first = _anniversary_sql(start.year)
    if start.year == end.year:
        return first
    return case((first >= start, first), else_=_anniversary_sql(end.year))
