"""Server-side sessions in Redis; the cookie carries only a random id.

Each login gets a new id (no session fixation); logout deletes the record. A session
ends after `idle_seconds` without a request.

While Valkey cannot be reached, a session this process read in the last few minutes
is taken from its memory, so a grid worker in the middle of logging a visit is not
sent to an error page by a cache restart; logins and logouts wait for Valkey.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import OrderedDict
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

COOKIE_NAME = "redstar_session"
REMEMBERED = 5000
"""Sessions kept in memory for an outage (the most recently used)."""
REMEMBER_SECONDS = 300


class SessionStore:
    def __init__(self, redis: Redis, idle_seconds: int) -> None:
        self.redis = redis
        self.idle_seconds = idle_seconds
        self._recent: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    @staticmethod
    def _key(session_id: str) -> str:
        return f"session:{session_id}"

    async def create(self, data: dict[str, Any]) -> str:
        session_id = secrets.token_urlsafe(32)
        await self.redis.set(self._key(session_id), json.dumps(data), ex=self.idle_seconds)
        return session_id

    async def load(self, session_id: str, *, touch: bool = True) -> dict[str, Any] | None:
        """The session's data; `touch` (a person's request) restarts its idle time."""
        if not session_id or len(session_id) > 64:
            return None
        key = self._key(session_id)
        try:
            raw = await (
                self.redis.getex(key, ex=self.idle_seconds) if touch else self.redis.get(key)
            )
        except (RedisConnectionError, RedisTimeoutError):
            seen = self._recent.get(session_id)
            if seen is None or time.monotonic() - seen[0] > REMEMBER_SECONDS:
                raise
            return seen[1]
        data = json.loads(raw) if raw else None
        self._remember(session_id, data)
        return data

    def _remember(self, session_id: str, data: dict[str, Any] | None) -> None:
        self._recent.pop(session_id, None)
        if data is not None:
            self._recent[session_id] = (time.monotonic(), data)
            while len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)

    async def destroy(self, session_id: str) -> None:
        self._recent.pop(session_id, None)
        await self.redis.delete(self._key(session_id))
