"""The certificate forms: the period to certify, and the reason for revoking one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.core import clock
from app.core.errors import Refused
from app.core.forms import FieldError, FormReader
from app.i18n import N_
from app.points.forms import event_day, sentence

REASON_LENGTH = 200
REASON_MISSING = N_("Please say why the certificate is revoked.")


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def period_form(today: date | None = None) -> dict[str, str]:
    """The form's first values: this year so far."""
    today = today or clock.today()
    return {"period_start": date(today.year, 1, 1).isoformat(), "period_end": today.isoformat()}


def parse_period(data: Mapping[str, str]) -> Period:
    """From and to, both days, to not before from, neither after today."""
    reader = FormReader(data)
    start = reader.field("period_start", event_day)
    end = reader.field("period_end", event_day)
    today = clock.today()
    if start and start > today:
        reader.error("period_start", N_("The period cannot start after today."))
    if end and end > today:
        reader.error("period_end", N_("The period cannot end after today."))
    if start and end and end < start:
        reader.error("period_end", N_("The end of the period cannot be before its start."))
    reader.done()
    assert start is not None and end is not None
    return Period(start, end)


def parse_reason(data: Mapping[str, str]) -> str:
    """The reason for revoking: its one field's message is the refusal itself (the
    button answers with a message on top, not a form sent back)."""
    try:
        return sentence(REASON_MISSING, REASON_LENGTH)(data.get("reason", ""))
    except FieldError as exc:
        raise Refused(exc.message, **exc.args_) from None
