"""The time in China. Services call `clock.today()` / `clock.now()` through the module,
so tests can move the clock with one monkeypatch."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA_TIME = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(CHINA_TIME)


def today() -> date:
    """The calendar date in China, whatever the server's zone."""
    return now().date()
