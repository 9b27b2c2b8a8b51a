"""The waiting pool: answers on their way to the database, in Valkey, with no person.

An answer is not written when it is given: its participation row is, and the answer
waits here, encrypted under the district's key (so Valkey's append-only file holds no
answer in clear), until at least BATCH answers wait. Then they are written together,
shuffled, in one transaction of their own — so no row's transaction id or place on
disk points to the member whose participation was written beside it. The design and
its limits: app/care/README.md.

Claiming is one atomic script: the waiting list is renamed to a "being written" list,
which is deleted only after the rows are committed. A writer that dies in between
leaves the list behind; the next writer (or the close) writes it again, and the
answers' own random ids make that harmless (insert … on conflict do nothing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

from app.core.crypto import IdCipher

BATCH = 5
"""Answers written together, at least: as many as the results need before showing."""

CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
if redis.call('LLEN', KEYS[1]) < tonumber(ARGV[1]) then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
"""


@dataclass(frozen=True)
class Pooled:
    id: UUID
    answers: dict[str, Any]


class AnswerPool:
    """One survey's waiting answers."""

    def __init__(self, redis: Redis, cipher: IdCipher, tenant_id: UUID, survey_id: UUID) -> None:
        self.redis = redis
        self.cipher = cipher
        self.tenant_id = tenant_id
        self.waiting = f"care:survey-pool:{tenant_id}:{survey_id}"
        self.writing = f"{self.waiting}:writing"

    def seal(self, answer: Pooled) -> bytes:
        plain = json.dumps({"id": str(answer.id), "answers": answer.answers}, ensure_ascii=False)
        return self.cipher.encrypt(self.tenant_id, plain)

    async def put(self, sealed: bytes) -> None:
        await self.redis.rpush(self.waiting, sealed)  # type: ignore[misc]

    async def take_back(self, sealed: bytes) -> None:
        """Undo `put` (the participation beside it was not committed)."""
        await self.redis.lrem(self.waiting, 1, sealed)  # type: ignore[misc, arg-type]

    async def claim(self, at_least: int = BATCH) -> list[Pooled]:
        """The answers to write now: a whole batch (at least `at_least`), or a batch an
        earlier writer left unfinished."""
        keys = [self.waiting, self.writing]
        if not await self.redis.eval(CLAIM, 2, *keys, str(at_least)):  # type: ignore[misc]
            return []
        return await self._read(self.writing)

    async def everything(self) -> list[Pooled]:
        """At the close (the survey locked, so no writer runs): all that waits or was
        claimed, left in place until `forget`."""
        return await self._read(self.writing) + await self._read(self.waiting)

    async def _read(self, key: str) -> list[Pooled]:
        found = []
        for item in await self.redis.lrange(key, 0, -1):  # type: ignore[misc]
            data = json.loads(self.cipher.decrypt(self.tenant_id, item))
            found.append(Pooled(UUID(data["id"]), data["answers"]))
        return found

    async def written(self) -> None:
        """The claimed answers are committed: forget them."""
        await self.redis.delete(self.writing)

    async def forget(self) -> None:
        """The survey's close is committed: nothing here will be written any more."""
        await self.redis.delete(self.waiting, self.writing)

    async def waiting_count(self) -> int:
        return int(await self.redis.llen(self.waiting)) + int(  # type: ignore[misc]
            await self.redis.llen(self.writing)  # type: ignore[misc]
        )
