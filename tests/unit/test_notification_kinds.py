"""Every kind of notice is named, has defaults and an audience; quiet hours end when
they should, across midnight or not."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from app.core.clock import CHINA_TIME
from app.notifications.kinds import KINDS, Kind
from app.notifications.outbox import after_quiet_hours
from app.notifications.preferences.service import AUDIENCE


def test_every_kind_is_named_and_reaches_someone() -> None:
    assert set(KINDS) == set(Kind)
    assert set(AUDIENCE) == set(Kind)
    assert all(AUDIENCE[kind] for kind in Kind)


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TIME)


@pytest.mark.parametrize(
    ("moment", "start", "end", "expected"),
    [
        (at(23, 15), time(22), time(7), at(7, day=8)),  # late evening: tomorrow morning
        (at(3), time(22), time(7), at(7)),  # small hours: this morning
        (at(7), time(22), time(7), at(7)),  # the window's end is outside it
        (at(21, 59), time(22), time(7), at(21, 59)),
        (at(12, 30), time(12), time(14), at(14)),  # a window within one day
        (at(14, 1), time(12), time(14), at(14, 1)),
    ],
)
def test_quiet_hours(moment: datetime, start: time, end: time, expected: datetime) -> None:
    assert after_quiet_hours(moment, start, end) == expected
