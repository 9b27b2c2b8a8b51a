"""Server-side sessions in Redis; the cookie carries only a random id.

Each login gets a new id (no session fixation); logout deletes the record. A session
ends after `idle_seconds` without a request.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from redis.asyncio import Redis

COOKIE_NAME = "redstar_session"


class SessionStore:
    def __init__(self, redis: Redis, idle_seconds: int) -> None:
        self.redis = redis
        self.idle_seconds = idle_seconds

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
        raw = await (self.redis.getex(key, ex=self.idle_seconds) if touch else self.redis.get(key))
        return json.loads(raw) if raw else None

    async def destroy(self, session_id: str) -> None:
        await self.redis.delete(self._key(session_id))
