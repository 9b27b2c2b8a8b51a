"""Login throttling: failures counted per account and per client address in Redis.

Reaching either limit locks further attempts until the window (fixed from the first
failure) ends. A successful login clears the account's count, not the address's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int
    per_ip: int
    window_seconds: int


class LoginThrottle:
    def __init__(self, redis: Redis, limits: ThrottleLimits) -> None:
        self.redis = redis
        self.limits = limits

    @staticmethod
    def _keys(phone: str, ip: str) -> tuple[str, str]:
        # Hash the phone: no personal data in Redis keys.
        account = hashlib.sha256(phone.encode()).hexdigest()[:32]
        return f"login-fail:acct:{account}", f"login-fail:ip:{ip}"

    async def locked_for(self, phone: str, ip: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        account_key, ip_key = self._keys(phone, ip)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in (account_key, ip_key):
                pipe.get(key)
                pipe.ttl(key)
            account_count, account_ttl, ip_count, ip_ttl = await pipe.execute()
        waits = []
        if account_count and int(account_count) >= self.limits.per_account:
            waits.append(max(int(account_ttl), 1))
        if ip_count and int(ip_count) >= self.limits.per_ip:
            waits.append(max(int(ip_ttl), 1))
        return max(waits, default=0)

    async def record_failure(self, phone: str, ip: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in self._keys(phone, ip):
                pipe.incr(key)
                pipe.expire(key, self.limits.window_seconds, nx=True)
            await pipe.execute()

    async def record_success(self, phone: str, ip: str) -> None:
        await self.redis.delete(self._keys(phone, ip)[0])
