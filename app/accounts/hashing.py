"""argon2id password hashes (argon2-cffi's defaults follow RFC 9106's recommendation),
and the rules every new password must pass.

Hashing takes ~100–200 ms of CPU on purpose, so it runs in a worker thread: on the
event loop it would stall every other request of the process meanwhile. For the same
reason a service ends its transaction before it hashes, so no connection waits on it.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.forms import FormReader
from app.core.validators import new_password

_hasher = PasswordHasher()

# Verified against when no account matches, so a wrong phone costs as much as a
# wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("redstar-no-such-account")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


async def hashed_new_password(password: str, confirm: str) -> str:
    """A new password (typed twice) checked against the rules and hashed; InvalidForm
    naming `password` if it is refused."""
    reader = FormReader({"password": password})
    checked = reader.field("password", lambda typed: new_password(typed, confirm))
    reader.done()
    assert checked is not None
    return await hash_password(checked)
