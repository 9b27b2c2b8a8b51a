"""The report settings form: the days a finished report's file is kept."""

from __future__ import annotations

from collections.abc import Mapping

from app.core.forms import FieldError, FormReader
from app.i18n import N_

KEEP_DAYS_RANGE = (1, 90)
KEEP_DAYS = N_("Please enter a number of days from %(low)s to %(high)s.")


def parse_keep_days(data: Mapping[str, str]) -> int:
    reader = FormReader(data)
    days = reader.field("keep_days", _days)
    reader.done()
    assert days is not None
    return days


def _days(text: str) -> int:
    low, high = KEEP_DAYS_RANGE
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise FieldError(KEEP_DAYS, low=low, high=high)
    return int(value)
