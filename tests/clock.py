"""The app's clock held still in tests (app.core.clock is what every service reads)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from app.core import clock


def set_clock(monkeypatch: pytest.MonkeyPatch, day: date, at: time = time(10)) -> None:
    """Move both clocks to `at` on `day`, China time."""
    when = datetime.combine(day, at, clock.CHINA_TIME)
    monkeypatch.setattr(clock, "now", lambda: when)
    monkeypatch.setattr(clock, "today", lambda: when.date())
