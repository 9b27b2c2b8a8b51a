"""Reading the notice settings form: a tick box per kind and outside channel
(`digest.sms`), quiet hours as two times of day, and an email address."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import time

from app.core.forms import FieldError, FormReader
from app.core.validators import time_of_day
from app.i18n import N_
from app.notifications.kinds import Channel, Kind

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL = 254


@dataclass(frozen=True)
class PreferenceForm:
    channels: dict[Kind, frozenset[Channel]]
    """The ticked channels of each kind shown (only channels that could be ticked)."""
    quiet_start: time
    quiet_end: time
    email: str | None
    """None when email is not offered (the stored address stays as it is)."""


def tick(kind: str, channel: str) -> str:
    """The tick box of one kind and channel."""
    return f"{kind}.{channel}"


def email_address(raw: str) -> str:
    """An address as people type it (full-width ＠ too); empty means none."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text and (len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text)):
        raise FieldError(N_("Please enter an email address like name@example.com."))
    return text


def parse_preferences(
    data: Mapping[str, str],
    kinds: Collection[Kind],
    offered: Collection[Channel],
) -> PreferenceForm:
    """The choices for `kinds` over the `offered` channels. Quiet hours must be a
    time range: two times of day that differ (a window may cross midnight)."""
    reader = FormReader(data)
    channels = {
        kind: frozenset(c for c in offered if reader.raw(tick(kind, c)) in ("1", "on"))
        for kind in kinds
    }
    start = reader.field("quiet_start", time_of_day)
    end = reader.field("quiet_end", time_of_day)
    if start is not None and start == end:
        reader.error("quiet_end", N_("Quiet hours must end at another time than they start."))
    email = None
    if Channel.EMAIL in offered:
        email = reader.field("email", email_address)
        if email == "" and any(Channel.EMAIL in chosen for chosen in channels.values()):
            reader.error("email", N_("Please enter your email address, or untick email."))
    reader.done()
    assert start is not None and end is not None
    return PreferenceForm(channels, start, end, email)
