"""Worker jobs run per tenant through the same tenant context as web requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.accounts.jobs import prune_stale_invitations
from app.accounts.links import hash_token
from app.accounts.models import Invitation
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
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


async def test_the_worker_runs_an_enqueued_job_with_its_own_services(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Through arq itself: WorkerSettings' startup opens services, the job runs per tenant."""
    from arq import create_pool
    from arq.worker import Worker

    from workers.settings import WorkerSettings

    await add_invitation(services, world.a, "a-old", 40)
    redis_settings = WorkerSettings.redis_settings
    pool = await create_pool(redis_settings)
    job = await pool.enqueue_job("prune_stale_invitations", _job_id="prune-test")
    assert job is not None
    assert await pool.enqueue_job("prune_stale_invitations", _job_id="prune-test") is None
    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=redis_settings,
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        on_job_start=WorkerSettings.on_job_start,
        on_job_end=WorkerSettings.on_job_end,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    assert await job.result(timeout=5) == 1
    await pool.aclose()
    async with owner_db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from invitations"))).scalar() == 0
