"""The public check of a certificate by its verification code (/verify/{code}).

Anyone may ask, without logging in, so the page says as little as it can: the masked
name, the period, the hours, the issuing district and the day of issue — and whether
it was revoked (and when) or the record now shows other hours. Nothing else of the
district is read. The code alone finds the district through `certificate_tenant()`,
a SECURITY DEFINER function that returns nothing but a tenant id; the certificate is
then read under that district's row-level security like any of its pages.

Lookups are counted per client address in Valkey (`LookupThrottle`), so the codes
cannot be tried one after another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.tenant import tenant_transaction
from app.people.models import Person
from app.volunteering.certificates.service import CertificateService, when
from app.volunteering.models import Certificate
from tenants.models import Tenant

LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 600


@dataclass(frozen=True)
class Verified:
    """What the public page may show of a certificate."""

    masked_name: str
    period_start: date
    period_end: date
    hours: Decimal
    district: str
    issued_on: date
    revoked_on: date | None
    hours_now: Decimal | None
    """The record's hours for the period now, when they differ from the certificate's."""


def masked(name: str) -> str:
    """张建国 → 张*国, 李明 → 李*, 欧阳小明 → 欧**明: enough to match the paper in
    someone's hand, not enough to find the person."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


async def verify(session: AsyncSession, code: str) -> Verified | None:
    """The certificate with `code` (already normalised), or None if there is none."""
    tenant_id = await session.scalar(select(func.certificate_tenant(code)))
    if tenant_id is None:
        return None
    async with tenant_transaction(session, tenant_id):
        found = await session.scalar(select(Certificate).where(Certificate.code == code))
        if found is None:  # revoked rights or a race with a deletion: nothing to show
            return None
        name = await session.scalar(select(Person.name).where(Person.id == found.person_id))
        district = await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
        now = await CertificateService(session).figures_now(
            found.person_id, found.period_start, found.period_end
        )
    issued_on = when(found.issued_at)
    assert issued_on is not None
    return Verified(
        masked_name=masked(name or ""), period_start=found.period_start,
        period_end=found.period_end, hours=found.hours, district=district or "",
        issued_on=issued_on, revoked_on=when(found.revoked_at),
        hours_now=now.hours if now.hours != found.hours else None,
    )  # fmt: skip


class LookupThrottle:
    """Public lookups per client address: `limit` in a window fixed from the first."""

    def __init__(
        self, redis: Redis, limit: int = LOOKUPS_PER_WINDOW, window: int = WINDOW_SECONDS
    ) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window

    async def reserve(self, ip: str) -> int:
        """Count this lookup; the seconds to wait when over the limit, else 0."""
        key = f"certificate-lookups:ip:{ip}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window, nx=True)
            pipe.ttl(key)
            count, _, ttl = await pipe.execute()
        return max(int(ttl), 1) if count > self.limit else 0
