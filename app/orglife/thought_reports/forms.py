"""The thought report form: the day it was received (not ahead of today, at most a year
back), how it came, and a short note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from app.core import clock
from app.core.forms import FieldError, FormReader
from app.core.validators import plain_text
from app.i18n import N_
from app.orglife.models import ReportChannel
from app.points.forms import event_day, one_of, required_id

MAX_NOTE = 200
OLDEST_DAYS = 366


@dataclass(frozen=True)
class ReportForm:
    id: UUID
    """Made when the form was shown: a retry or a double tap saves one report."""
    reported_on: date
    channel: ReportChannel
    note: str | None


def report_day(raw: str) -> date:
    day = event_day(raw) if raw.strip() else clock.today()
    if day > clock.today():
        raise FieldError(N_("A thought report cannot be dated in the future."))
    if day < clock.today() - timedelta(days=OLDEST_DAYS):
        raise FieldError(N_("A thought report can be recorded up to a year later, not more."))
    return day


def note(raw: str) -> str | None:
    text = plain_text(raw)
    if len(text) > MAX_NOTE:
        raise FieldError(N_("Please keep it under %(n)s characters."), n=MAX_NOTE)
    return text or None


def parse_report(data: Mapping[str, str]) -> ReportForm:
    reader = FormReader(data)
    report_id = reader.field("report_id", required_id(N_("Please reload the page and try again.")))
    day = reader.field("reported_on", report_day)
    channel = reader.field(
        "channel", one_of(set(ReportChannel), N_("Please choose how the report came."))
    )
    text = reader.field("note", note)
    reader.done()
    assert report_id is not None and day is not None and channel is not None
    return ReportForm(report_id, day, ReportChannel(channel), text)
