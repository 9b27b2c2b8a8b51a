"""GB/T 2260 administrative divisions, from python-stdnum's table (the one it uses to
check the birthplace in an ID number), so a region code is checked against the real
list instead of a digit pattern.

The table keeps history: "[1983-]历下区" is current, "[1983-1987]郊区" was retired.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum import numdb

_YEARS = re.compile(r"^\[(\d{4})-(\d{4})?\]")


@lru_cache(maxsize=4096)
def current_county(code: str) -> str | None:
    """The name of the district or county `code` names today, or None."""
    if not re.fullmatch(r"[0-9]{6}", code) or code.endswith("00"):
        return None  # not six digits, or a province or city (…00)
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[1][1]:
        return None
    name = parts[1][1]["county"]
    years = _YEARS.match(name)
    if years and years.group(2):  # an end year: no longer in use
        return None
    return _YEARS.sub("", name)
