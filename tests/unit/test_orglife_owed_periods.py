"""Meetings owed in a year: periods of a frequency, the district's first year pro rata,
and what is due by a day — across a year end the count starts again."""

from __future__ import annotations

from datetime import date

from app.orglife.owed.periods import due_by, kept, owed_in_year, periods


def test_a_frequency_splits_the_year_into_equal_periods() -> None:
    assert periods("quarterly") == [(1, 3), (4, 6), (7, 9), (10, 12)]
    assert periods("half_yearly") == [(1, 6), (7, 12)]
    assert periods("yearly") == [(1, 12)]
    assert len(periods("monthly")) == 12
    assert periods("none") == []


def test_a_whole_year_owes_every_period() -> None:
    started = date(2020, 5, 1)
    assert [owed_in_year(f, 2026, started) for f in ("monthly", "quarterly", "yearly")] == [
        12, 4, 1,
    ]  # fmt: skip
    assert owed_in_year("none", 2026, started) == 0


def test_a_district_started_in_september_owes_the_periods_it_was_there_for() -> None:
    started = date(2026, 9, 20)
    assert owed_in_year("monthly", 2026, started) == 4  # September to December
    assert owed_in_year("quarterly", 2026, started) == 2  # the third quarter and the fourth
    assert owed_in_year("half_yearly", 2026, started) == 1
    assert owed_in_year("yearly", 2026, started) == 1
    assert owed_in_year("monthly", 2025, started) == 0  # before it existed
    assert owed_in_year("monthly", 2027, started) == 12  # its next year is whole


def test_a_period_is_due_once_it_has_ended() -> None:
    started = date(2020, 1, 1)
    may = date(2026, 5, 15)
    assert due_by("monthly", 2026, started, may) == 4  # January to April
    assert due_by("quarterly", 2026, started, may) == 1
    assert due_by("yearly", 2026, started, may) == 0
    assert due_by("monthly", 2027, started, may) == 0  # a year ahead owes nothing yet


def test_across_a_year_end_the_count_starts_again() -> None:
    started = date(2026, 9, 1)
    new_year = date(2027, 1, 2)
    assert due_by("monthly", 2026, started, new_year) == 4  # last year: all of it is due
    assert due_by("monthly", 2027, started, new_year) == 0  # this year: nothing ended yet
    assert due_by("quarterly", 2026, started, date(2026, 12, 31)) == 1  # Q4 not over yet


def test_a_period_is_kept_by_a_meeting_held_in_it() -> None:
    # Twelve 主题党日 in January keep January only; a lecture in December keeps Q4.
    assert kept("monthly", 2026, None, {1}) == 1
    assert kept("monthly", 2026, None, {1, 2, 5}, date(2026, 5, 20)) == 2  # May not ended
    assert kept("quarterly", 2026, date(2026, 9, 1), {12}) == 1
    assert kept("quarterly", 2026, date(2026, 9, 1), {12}, date(2026, 12, 20)) == 0
    assert kept("quarterly", 2026, None, {2, 3}, date(2027, 1, 2)) == 1  # one quarter, once
    assert kept("yearly", 2027, None, {1}, date(2026, 12, 1)) == 0  # a year to come
