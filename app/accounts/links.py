"""One-time links (invitations, password resets): the token travels in the link, only
its hash is stored, so the table alone opens no link."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
