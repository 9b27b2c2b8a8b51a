"""Someone's own words quoted in a notice (a reason for rejecting, an answer):
shortened, on one line, and with anything shaped like an ID number left out — notify
refuses a notice that carries one, and a secretary may have typed one."""

from __future__ import annotations

import re

_ID_LIKE = re.compile(r"\d{17}[\dXx]")
LEFT_OUT = "（已隐去）"


def quote(text: str, limit: int = 80) -> str:
    one_line = _ID_LIKE.sub(LEFT_OUT, " ".join(text.split()))
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
