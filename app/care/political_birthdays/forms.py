"""What a tick, an untick and a parcel send: the year, the gift (or the gifts in the
parcel), and for a parcel its tracking number and the day it was posted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.care.political_birthdays.models import POSTABLE, Gift
from app.core import clock
from app.core.forms import FieldError, FormReader
from app.i18n import N_
from app.points.forms import event_day, one_of

OLDEST_POST_DAYS = 366
TRACKING = re.compile(r"[A-Za-z0-9]{8,30}")
"""Express numbers (顺丰 SF…, 邮政 EMS …) are 8 to 30 letters and digits; spaces and
dashes people type between groups are dropped."""


def year_of(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 1950 <= int(text) <= 2200:
        raise FieldError(N_("Please reload the page and try again."))
    return int(text)


def tracking_number(raw: str) -> str:
    text = re.sub(r"[\s\-]", "", raw)
    if not text:
        raise FieldError(N_("Please enter the parcel's tracking number."))
    if not TRACKING.fullmatch(text):
        raise FieldError(N_("A tracking number is 8 to 30 letters and digits."))
    return text.upper()


def post_day(raw: str) -> date:
    day = event_day(raw) if raw.strip() else clock.today()
    if day > clock.today():
        raise FieldError(N_("The day it was posted cannot be in the future."))
    if day < clock.today() - timedelta(days=OLDEST_POST_DAYS):
        raise FieldError(N_("A parcel can be recorded up to a year later, not more."))
    return day


@dataclass(frozen=True)
class TickForm:
    year: int
    gift: Gift


@dataclass(frozen=True)
class PostForm:
    year: int
    gifts: tuple[Gift, ...]
    tracking_number: str
    posted_on: date


def parse_tick(data: Mapping[str, str]) -> TickForm:
    reader = FormReader(data)
    year = reader.field("year", year_of)
    gift = reader.field("gift", one_of(set(Gift), N_("Please choose a gift.")))
    reader.done()
    assert year is not None and gift is not None
    return TickForm(year, Gift(gift))


def parse_post(data: Mapping[str, str]) -> PostForm:
    """The parcel: at least one of the gifts that can be posted (`gift_card` …)."""
    reader = FormReader(data)
    year = reader.field("year", year_of)
    gifts = tuple(gift for gift in POSTABLE if data.get(f"gift_{gift}"))
    if not gifts:
        reader.error("gifts", N_("Please tick what went in the parcel."))
    number = reader.field("tracking_number", tracking_number)
    day = reader.field("posted_on", post_day)
    reader.done()
    assert year is not None and number is not None and day is not None
    return PostForm(year, gifts, number, day)
