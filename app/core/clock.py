"""The time in China. Services call `clock.today()` / `clock.now()` through the module,
so tests can move the clock with one monkeypatch.

End-to-end tests run the app in other processes, which a monkeypatch cannot reach:
with APP_ENV=test, the seconds written in the file named by REDSTAR_CLOCK_SHIFT_FILE
move every process's clock forward (to see an SLA run out). Outside tests the
variable is ignored.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CHINA_TIME = ZoneInfo("Asia/Shanghai")

_SHIFT_FILE = (
    Path(os.environ["REDSTAR_CLOCK_SHIFT_FILE"])
    if os.environ.get("APP_ENV") == "test" and os.environ.get("REDSTAR_CLOCK_SHIFT_FILE")
    else None
)


def _shift() -> timedelta:
    if _SHIFT_FILE is None:
        return timedelta()
    try:
        return timedelta(seconds=float(_SHIFT_FILE.read_text() or 0))
    except (OSError, ValueError):
        return timedelta()


def now() -> datetime:
    return datetime.now(CHINA_TIME) + _shift()


def today() -> date:
    """The calendar date in China, whatever the server's zone."""
    return now().date()
