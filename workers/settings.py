"""arq WorkerSettings: registers every capability's jobs and cron schedule, each
tried again while PostgreSQL or Valkey is away (workers.jobs.retried). `redstar
worker` runs it through workers.runner, which outlives a Valkey outage."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any, ClassVar

import structlog
from arq import cron, func
from arq.connections import RedisSettings
from arq.cron import CronJob

from app.accounts.jobs import prune_stale_invitations
from app.core.clock import CHINA_TIME
from app.dashboard.jobs import send_weekly_summaries
from app.grid.jobs import refresh_due_items, send_digest_batch, send_morning_digests
from app.logging import configure_logging
from app.notifications.channels.webhook import http_client
from app.notifications.jobs import deliver_notification, queue_deliveries, sweep_deliveries
from app.people.jobs import check_roster_import, commit_roster_import, recover_roster_imports
from app.reports.jobs import build_report, sweep_reports
from app.service_requests.jobs import escalate_service_requests
from app.settings import get_settings
from app.signup.jobs import remind_pending_signups
from app.state import open_services
from workers.jobs import JOB_TRIES, Job, retried

settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(production=settings.app.production)
    stack = AsyncExitStack()
    ctx["services"] = await stack.enter_async_context(open_services(settings))
    ctx["http"] = await stack.enter_async_context(http_client())  # webhooks keep connections
    ctx["exit_stack"] = stack
    structlog.get_logger("redstar.worker").info("worker_started")


async def shutdown(ctx: dict[str, Any]) -> None:
    stack = ctx.pop("exit_stack", None)  # none when startup failed (a server away)
    if stack is not None:
        await stack.aclose()


async def on_job_start(ctx: dict[str, Any]) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(job_id=ctx.get("job_id"))


async def on_job_end(ctx: dict[str, Any]) -> None:
    structlog.contextvars.clear_contextvars()


def every(job: Job, **when: Any) -> CronJob:
    """A cron entry: one run per tick across workers, retried like any job."""
    return cron(retried(job), unique=True, max_tries=JOB_TRIES, **when)  # type: ignore[arg-type]


JOBS: list[Job] = [
    prune_stale_invitations,
    check_roster_import,
    commit_roster_import,
    recover_roster_imports,
    refresh_due_items,
    escalate_service_requests,
    queue_deliveries,
    sweep_deliveries,
    build_report,
    sweep_reports,
    send_morning_digests,
    send_digest_batch,
    send_weekly_summaries,
    remind_pending_signups,
]


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        *(retried(job) for job in JOBS),
        # A delivery's result is kept a minute, not arq's hour: its id names an attempt.
        func(retried(deliver_notification), name="deliver_notification", keep_result=60),  # type: ignore[arg-type]
    ]
    cron_jobs: ClassVar[list[Any]] = [
        every(prune_stale_invitations, hour={3}, minute={17}),
        # 00:07, 01:07 and 02:07: the new day's windows open before the first worker
        # looks; the later runs catch up a missed one.
        every(refresh_due_items, hour={0, 1, 2}, minute={7}),
        # A breach is recorded, and its level told, within a minute of the clock's turn.
        every(escalate_service_requests, second={35}),
        # Each grid worker's morning digest: the batches it queues share the processes.
        every(send_morning_digests, hour={7}, minute={30}),
        every(send_weekly_summaries, weekday="mon", hour={8}, minute={0}),
        # Approvers of a signup whose notice was lost between its two transactions.
        every(remind_pending_signups, minute=set(range(3, 60, 10))),
        # The sweeps: what a lost enqueue, Valkey's lost queue or a killed worker left —
        # imports, deliveries and reports — start again within a minute, and at once
        # when a worker starts.
        every(recover_roster_imports, second={55}, run_at_startup=True),
        every(sweep_deliveries, second={5}, run_at_startup=True),
        every(sweep_reports, second={0}, run_at_startup=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    on_job_start = on_job_start
    on_job_end = on_job_end
    redis_settings = RedisSettings.from_dsn(settings.redis.url or "redis://127.0.0.1:6379")
    timezone = CHINA_TIME  # cron hours are China's, whatever the server's zone
    max_jobs = 10
    job_timeout = 600
    max_tries = JOB_TRIES
