"""ID numbers and phones as the pages show them: masked. The cipher that keeps ID
numbers encrypted at rest is app.core.crypto (one of the app's shared resources);
its names are importable from here too, where the roster code has always found them.
"""

from __future__ import annotations

from app.core.crypto import CorruptCiphertext, IdCipher, UnknownKey, generate_key

__all__ = ["CorruptCiphertext", "IdCipher", "UnknownKey", "generate_key", "mask_id", "mask_phone"]


def _mask(text: str | None, head: int, tail: int) -> str:
    """Keep head and tail, star the rest (as many stars as characters hidden); too
    short to hide anything that way, star all of it."""
    text = (text or "").strip()
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask_id(id_number: str | None) -> str:
    """`370102194910011234` → `3701**********1234`: region and tail, never the birthday."""
    return _mask(id_number, 4, 4)


def mask_phone(phone: str | None) -> str:
    """`13800138000` → `138****8000`, as Chinese sites show a mobile number."""
    return _mask(phone, 3, 4)
