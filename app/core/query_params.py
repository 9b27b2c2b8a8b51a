"""Query parameters, read one way on every page.

The identity middleware cleans the query string once, before any handler runs
(`clean_query_string`): control characters cannot be typed into a search box, cannot
be stored (PostgreSQL text refuses a NUL) and mean nothing in a link, so they are
dropped. Handlers (and the filters of list pages) then read typed values with the
helpers below, from `request.query_params` or any mapping of strings. They never
raise: a mangled link shows the page as if the parameter were absent, never an error
page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Mapping
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

# A percent-encoded or raw control character (C0, DEL), or a byte that is not UTF-8
# once decoded: only such query strings are rewritten, the rest pass untouched.
_SUSPECT = re.compile(rb"%(?:[01][0-9A-Fa-f]|7[Ff]|[89A-Fa-f][0-9A-Fa-f])|[\x00-\x1f\x7f-\xff]")


def clean_query_string(raw: bytes) -> bytes:
    """The query string without control characters (and with bytes that are not
    UTF-8 replaced), parameters and their order kept."""
    if not _SUSPECT.search(raw):
        return raw
    text = raw.decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True, errors="replace")
    return urlencode(
        [(_without_controls(key), _without_controls(value)) for key, value in pairs]
    ).encode()


def _without_controls(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


Params = Mapping[str, str]


def query_text(params: Params, name: str, *, max_length: int = 40) -> str:
    """Search text as typed (control characters dropped here too, for a mapping that
    did not come through the middleware), trimmed to what a search box holds."""
    return _without_controls(params.get(name, "")).strip()[:max_length]


def query_id(params: Params, name: str) -> UUID | None:
    """An id from a link or a filter; anything else reads as none (the page then
    shows its picker or its whole list)."""
    raw = params.get(name, "").strip()
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def query_page(params: Params, name: str = "page", *, last: int = 10_000) -> int:
    """A page number from 1 to `last`; a mangled one is the first page."""
    return query_int(params, name, default=1, low=1, high=last)


def query_int(params: Params, name: str, *, default: int, low: int, high: int) -> int:
    """A whole number within [low, high]; anything else is `default`."""
    try:
        value = int(params.get(name, ""))
    except ValueError:
        return default
    return min(max(value, low), high)


def query_choice(params: Params, name: str, allowed: Container[str], default: str = "") -> str:
    """One of `allowed`, or `default` for anything else."""
    value = params.get(name, "")
    return value if value in allowed else default


def query_flag(params: Params, name: str) -> bool:
    """A tick box or a `=1` link."""
    return params.get(name, "") in ("1", "on")
