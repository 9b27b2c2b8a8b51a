"""Is this exception a server being away? One answer for the web (a friendly 503, not a
500) and the worker (the job is tried again later, not failed).

PostgreSQL that is shutting down, starting up or restarting answers a new connection
with SQLSTATE 57P03 ("the database system is shutting down"), ends open ones with
57P01/57P02, and a lost socket shows as class 08; SQLAlchemy's asyncpg dialect wraps
those as a plain `DBAPIError` whose `orig` carries the SQLSTATE. Any other database
error — a constraint, a bad statement — is ours to fix and stays a 500.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

CONNECTION_CLASS = "08"
"""SQLSTATE class 08, connection exception (08003: the connection does not exist)."""
GOING_AWAY = frozenset(
    {
        "57P01",  # admin_shutdown: terminating connection due to administrator command
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: shutting down, starting up, in recovery
        "53300",  # too_many_connections: a restart's reconnect storm
    }
)


def server_away(exc: BaseException) -> bool:
    """True when `exc` says PostgreSQL or Valkey cannot be reached just now: waiting
    and trying again is the cure. An error raised while handling such an error counts
    too (redis-py turns a connection lost under WATCH into a WatchError)."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if _away(found):
            return True
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return False


def _away(exc: BaseException) -> bool:
    # TimeoutError and ConnectionError are OSErrors.
    if isinstance(exc, OSError | RedisConnectionError | RedisTimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            return True
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        return state.startswith(CONNECTION_CLASS) or state in GOING_AWAY
    return False


def backoff(attempt: int, *, first: float = 1.0, cap: float = 30.0) -> float:
    """Seconds to wait before attempt `attempt + 1`: first, twice that, … up to `cap`
    (1, 2, 4, 8, 16, 30, 30 … by default): quick after a blip, gentle on a long outage."""
    return min(cap, first * 2 ** max(0, attempt - 1))
