"""Verification codes: what is printed on a certificate and typed or scanned to check it.

Twelve characters drawn by `secrets` from 31 that cannot be mistaken for one another
when read aloud or typed from paper (no 0/O, 1/I/L): about 59 bits, so guessing a
code is hopeless even without the public page's rate limit. Shown in groups of four
(ABCD-EFGH-JKMN); typed in any case, with or without spaces and dashes.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
GROUP = 4


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """ABCDEFGHJKMN → ABCD-EFGH-JKMN, for reading aloud."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normal(raw: str) -> str | None:
    """The code as stored, from what someone typed (full-width characters, lower
    case, spaces and dashes allowed); None if it cannot be a code."""
    text = unicodedata.normalize("NFKC", raw).upper()
    text = "".join(ch for ch in text if ch not in " -_\t")
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text
