"""The district's keeping time for report files. A change applies to reports finished
afterwards; those already made keep the expiry they were given."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.db.tenant import require_tenant
from app.reports.models import DEFAULT_KEEP_DAYS, ReportSettings


async def keep_days(session: AsyncSession) -> int:
    """Days a finished report's file is kept (7 until the administrator says otherwise)."""
    found = await session.scalar(select(ReportSettings.keep_days))
    return found or DEFAULT_KEEP_DAYS


async def set_keep_days(session: AsyncSession, identity: Identity, days: int) -> None:
    values = {"keep_days": days, "changed_by_name": identity.name, "changed_at": clock.now()}
    await session.execute(
        insert(ReportSettings)
        .values(tenant_id=require_tenant(), **values)
        .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
    )
