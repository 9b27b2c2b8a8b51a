"""Login throttling: attempts counted per account and per client address in Redis.

An attempt is reserved *before* the password is checked (INCR, then compare), so
guesses sent in parallel are counted like guesses sent one after another. A
successful login gives its reservation back: it clears the account's count and
returns the address's one, so an office behind one NAT address is not locked out by
its own successful logins. Reaching a limit locks until the window, fixed from the
first attempt, ends.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis.asyncio import Redis

from app.settings import AuthSettings

# DECR only a key that still exists: once its window has expired, a plain DECR would
# leave a negative count behind with no expiry.
GIVE_BACK = (
    "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"
)


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int
    per_ip: int
    window_seconds: int


class LoginThrottle:
    def __init__(self, redis: Redis, limits: ThrottleLimits) -> None:
        self.redis = redis
        self.limits = limits
        self._give_back = redis.register_script(GIVE_BACK)

    @staticmethod
    def _keys(phone: str, ip: str) -> tuple[str, str]:
        # Hash the phone: no personal data in Redis keys.
        account = hashlib.sha256(phone.encode()).hexdigest()[:32]
        return f"login-attempts:acct:{account}", f"login-attempts:ip:{ip}"

    async def reserve(self, phone: str, ip: str) -> int:
        """Count this attempt; returns seconds to wait when over a limit, else 0."""
        account_key, ip_key = self._keys(phone, ip)
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in (account_key, ip_key):
                pipe.incr(key)
                pipe.expire(key, self.limits.window_seconds, nx=True)
                pipe.ttl(key)
            account_count, _, account_ttl, ip_count, _, ip_ttl = await pipe.execute()
        waits = []
        if account_count > self.limits.per_account:
            waits.append(max(int(account_ttl), 1))
        if ip_count > self.limits.per_ip:
            waits.append(max(int(ip_ttl), 1))
        return max(waits, default=0)

    async def succeeded(self, phone: str, ip: str) -> None:
        account_key, ip_key = self._keys(phone, ip)
        await self.redis.delete(account_key)
        await self._give_back(keys=[ip_key])


def login_throttle(redis: Redis, auth: AuthSettings) -> LoginThrottle:
    """The throttle logins and password changes share, with the configured limits."""
    return LoginThrottle(
        redis,
        ThrottleLimits(
            auth.login_max_failures_account, auth.login_max_failures_ip, auth.login_lock_seconds
        ),
    )
