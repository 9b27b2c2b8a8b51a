"""Worker jobs run per tenant through the same tenant context as web requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.accounts.jobs import prune_stale_invitations
from app.accounts.models import Invitation, Role
from app.accounts.service import hash_token
from app.db import Database
from app.state import AppServices
from tenants.context import tenant_scope
from tests.factories import District, World


async def add_invitation(
    services: AppServices, district: District, token: str, age_days: int
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            session.add(
                Invitation(
                    tenant_id=district.tenant_id, token_hash=hash_token(token), name="某人",
                    phone="13912345678", role=Role.MEMBER,
                    invited_by=district.users[Role.TENANT_ADMIN].id,
                    expires_at=datetime.now(UTC) - timedelta(days=age_days),
                )
            )  # fmt: skip
            await session.commit()


async def test_prune_removes_long_expired_invitations_in_every_tenant(
    services: AppServices, owner_db: Database, world: World
) -> None:
    await add_invitation(services, world.a, "a-old", 40)
    await add_invitation(services, world.b, "b-old", 31)
    await add_invitation(services, world.b, "b-recent", 5)
    assert await prune_stale_invitations({"services": services}) == 2
    assert await prune_stale_invitations({"services": services}) == 0  # idempotent
    async with owner_db.engine.connect() as conn:
        left = (await conn.execute(text("select tenant_id from invitations"))).scalars().all()
    assert left == [world.b.tenant_id]
