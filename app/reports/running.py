"""Building a report, the worker's side: claim it, build it, keep the file, say so.

`build()` is idempotent and safe to run twice at once. It holds the claim
`report:<id>` (a PostgreSQL advisory lock on a connection of its own, app.db.locks)
for as long as it works, so a second delivery of the job does nothing, and a killed
worker's claim is freed with its connection at once: the sweep (sweep.py) starts the
build again without waiting out arq's job timeout. Only the row's newest attempt may
finish it, so a build that lost its claim and went on cannot overwrite the next one.

Progress is written in short transactions of its own (at most one a second), so the
page's bar moves while the build reads in one long transaction.
"""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import UUID

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, InterfaceError

from app.core import clock
from app.core.crypto import IdCipher
from app.core.errors import Refused
from app.db import Database
from app.db.locks import claim
from app.db.tenant import require_tenant
from app.i18n import N_
from app.notifications.outbox import notify
from app.reports.kinds import KINDS
from app.reports.models import WAITING, Report, ReportStatus
from app.reports.notices import report_ready
from app.reports.settings.service import keep_days
from app.reports.storage import Storage, report_key

log = structlog.get_logger("redstar.reports")

MAX_ATTEMPTS = 5
PROGRESS_EVERY = 1.0
"""Seconds between two progress writes of one build."""

NOT_MADE = N_(
    "The report could not be made. Please try again; if it fails again, please tell "
    "the platform's support the time of this attempt."
)
TRIED_TOO_OFTEN = N_(
    "The report could not be made after %(count)s tries. Please try again later; if it "
    "fails again, please tell the platform's support."
)
KIND_GONE = N_("This kind of report is no longer offered.")

TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "57")
"""Connection exceptions, a rollback (serialisation, deadlock), operator intervention
(the server shutting down or starting): another try may well succeed."""


def claim_key(report_id: UUID) -> str:
    return f"report:{report_id}"


def job_id(report_id: UUID, attempt: int) -> str:
    """A fresh id per attempt: arq refuses an id while its last result is kept (an hour)."""
    return f"report:{report_id}:{attempt}"


async def enqueue(redis: ArqRedis, tenant_id: UUID, report_id: UUID, attempt: int) -> bool:
    """Queue the build; False when Valkey could not be reached — the row waits, and the
    sweep queues it when the queue is back."""
    try:
        await redis.enqueue_job(
            "build_report", str(tenant_id), str(report_id), _job_id=job_id(report_id, attempt)
        )
    except (RedisError, OSError) as exc:
        log.warning("report_not_queued", report_id=str(report_id), error=type(exc).__name__)
        return False
    return True


class RowProgress:
    """The `Progress` a builder gets: writes the percentage (and that the row moved) in
    a short transaction of its own, at most once every PROGRESS_EVERY seconds."""

    def __init__(self, db: Database, report_id: UUID, attempt: int) -> None:
        self.db, self.report_id, self.attempt = db, report_id, attempt
        self.shown = 0
        self.written_at = 0.0

    async def __call__(self, percent: int) -> None:
        percent = max(0, min(99, int(percent)))  # 100 is the finished row's
        now = time.monotonic()
        if percent <= self.shown or now - self.written_at < PROGRESS_EVERY:
            return
        async with self.db.unit() as session:
            await session.execute(
                update(Report)
                .where(Report.id == self.report_id, Report.attempt == self.attempt,
                       Report.status == ReportStatus.RUNNING)
                .values(progress=percent, moved_at=clock.now())
            )  # fmt: skip
        self.shown, self.written_at = percent, now


def transient(exc: BaseException) -> bool:
    """A database or network hiccup (a restart, a dropped connection): worth another
    try, not a reason to tell the user the report failed."""
    if isinstance(exc, DBAPIError):
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        return (
            exc.connection_invalidated
            or isinstance(exc, InterfaceError)
            or state[:2] in TRANSIENT_SQLSTATE_CLASSES
        )
    return isinstance(exc, RedisError | OSError | TimeoutError)


async def build(db: Database, cipher: IdCipher, storage: Storage, report_id: UUID) -> str:
    """Build the report if it is waiting and no one else is building it. Returns what
    happened (for the job's log): done, failed, claimed, skipped or superseded.

    A transient error is raised, leaving the row running: the job retries it, and the
    sweep queues it again once the job has given up."""
    async with claim(db, claim_key(report_id)) as held:
        if not held:
            return "claimed"
        now = clock.now()
        async with db.unit() as session:
            report = await session.scalar(
                update(Report)
                .where(Report.id == report_id, Report.status.in_(WAITING))
                .values(status=ReportStatus.RUNNING, progress=0, started_at=now, moved_at=now)
                .returning(Report)
            )
        if report is None:
            return "skipped"  # finished, failed or expired: a late or second delivery
        kind = KINDS.get(report.kind)
        if kind is None:
            return await fail(db, report, KIND_GONE)
        if report.attempt > MAX_ATTEMPTS:
            return await fail(db, report, TRIED_TOO_OFTEN, count=MAX_ATTEMPTS)
        log.info("report_started", report_id=str(report_id), kind=report.kind,
                 attempt=report.attempt)  # fmt: skip
        try:
            async with db.unit() as session:  # the builder only reads
                built = await kind.builder(cipher)(
                    session, report.parameters, RowProgress(db, report.id, report.attempt)
                )
        except Refused as exc:
            return await fail(db, report, exc.message, **exc.args_)
        except Exception as exc:
            if transient(exc):
                raise
            log.exception("report_failed", report_id=str(report_id), kind=report.kind)
            return await fail(db, report, NOT_MADE)
        extension = built.filename.rsplit(".", 1)[-1]
        key = report_key(require_tenant(), report.id, report.attempt, extension)
        await storage.put(key, built.content)
        finished = clock.now()
        async with db.unit() as session:
            keep = await keep_days(session)
            done = await session.scalar(
                update(Report)
                .where(Report.id == report.id, Report.attempt == report.attempt,
                       Report.status == ReportStatus.RUNNING)
                .values(status=ReportStatus.DONE, progress=100, file_key=key,
                        filename=built.filename, media_type=built.media_type,
                        size=len(built.content), finished_at=finished, moved_at=finished,
                        expires_at=finished + timedelta(days=keep), error=None, error_args={})
                .returning(Report)
            )  # fmt: skip
            if done is not None:  # its inbox item in the same transaction as "done"
                await notify(session, [done.requested_by], report_ready(done, kind.title))
        if done is None:
            await storage.delete(key)  # a newer attempt owns the row now
            return "superseded"
        if report.file_key and report.file_key != key:
            await storage.delete(report.file_key)  # made again: the old file goes
        log.info("report_done", report_id=str(report_id), bytes=len(built.content))
        return ReportStatus.DONE


async def fail(db: Database, report: Report, message: str, **args: object) -> str:
    """The row says why, as a msgid the page shows in the reader's language."""
    now = clock.now()
    async with db.unit() as session:
        await session.execute(
            update(Report)
            .where(Report.id == report.id, Report.attempt == report.attempt,
                   Report.status == ReportStatus.RUNNING)
            .values(status=ReportStatus.FAILED, error=message, error_args=args,
                    finished_at=now, moved_at=now)
        )  # fmt: skip
    return ReportStatus.FAILED
