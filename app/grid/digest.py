"""The morning digest (早间提醒): at 07:30 each grid worker is told how many of their
people are overdue and how many are due today — only when there is something — with
a link to the due list.

The district's workers are split into batches (`BATCH`) that run as jobs of their
own, so the worker processes share a large district; a batch counts its workers' people
in one aggregate statement, by the due list's own definitions (`app.grid.due`), and
writes each worker's notice. The dedupe key (`digest:{account}:{date}`) makes a batch
that runs twice — a retry, a second process, a second cron tick — write nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User, UserRole
from app.core.roles import Role
from app.grid import due
from app.grid.coverage.service import plan_each_time
from app.grid.models import Grid, GridAssignment, GridWorker, VisitDueItem
from app.grid.notices import morning_digest
from app.notifications.outbox import notify_each

BATCH = 200
"""Workers per job: a 10,000-worker district is 50 jobs the worker processes share."""


@dataclass(frozen=True)
class DigestCounts:
    overdue: int
    today: int
    """People with an item due today (not overdue yet)."""


async def digest_recipients(session: AsyncSession) -> list[UUID]:
    """Active grid-worker accounts of the district with at least one live grid."""
    await plan_each_time(session)
    found = await session.scalars(
        select(GridWorker.user_id)
        .distinct()
        .join(Grid, and_(Grid.tenant_id == GridWorker.tenant_id, Grid.id == GridWorker.grid_id))
        .join(User, and_(User.tenant_id == GridWorker.tenant_id, User.id == GridWorker.user_id))
        .join(
            UserRole,
            and_(
                UserRole.tenant_id == User.tenant_id,
                UserRole.user_id == User.id,
                UserRole.role == Role.GRID_WORKER,
            ),
        )
        .where(Grid.retired_at.is_(None), User.is_active)
        .order_by(GridWorker.user_id)
    )
    return list(found)


async def digest_counts(
    session: AsyncSession, workers: Sequence[UUID], now: datetime
) -> dict[UUID, DigestCounts]:
    """Each worker's people overdue and due today, as the due list counts them (the
    people of their live grids, living, with an item of an enabled rule on the list).
    One statement for the batch; a worker with nothing is left out."""
    await plan_each_time(session)
    chosen = due.id_table(workers)
    overdue, today = due.overdue(now), due.due_today(now)
    rows = await session.execute(
        due.listed_items(
            now,
            GridWorker.user_id,
            func.count(distinct(VisitDueItem.person_id)).filter(overdue),
            func.count(distinct(VisitDueItem.person_id)).filter(today),
        )
        .join(GridWorker, and_(GridWorker.tenant_id == GridAssignment.tenant_id,
                               GridWorker.grid_id == GridAssignment.grid_id))
        .join(chosen, chosen.c.id == GridWorker.user_id)
        .join(Grid, and_(Grid.tenant_id == GridWorker.tenant_id, Grid.id == GridWorker.grid_id))
        .where(Grid.retired_at.is_(None), overdue | today)
        .group_by(GridWorker.user_id)
    )  # fmt: skip
    return {
        worker: DigestCounts(late, today_count)
        for worker, late, today_count in rows
        if late or today_count
    }


async def send_digests(
    session: AsyncSession, workers: Sequence[UUID], day: date, now: datetime
) -> int:
    """The morning notices of `workers` for `day`, written together; returns how many
    were new."""
    counted = await digest_counts(session, workers, now)
    return await notify_each(
        session,
        [
            (worker, morning_digest(worker, day, c.overdue, c.today))
            for worker, c in counted.items()
        ],
    )
