"""Roster imports, the web's side: the upload, the page that follows its dry run, the
admin's answers (commit, confirm infirm flags, discard) and the rows kept to fix.

The web request only stores the upload (encrypted: it holds ID numbers) and queues
a job; the worker parses and plans it, and later applies it (app.people.imports.worker).
So a 40,000-row file or a 50 MB upload never holds up the web server, and the page
follows the job's status: uploaded → checking → checked → committing → committed (or
failed, or discarded). A step that queues the next job commits first, so the worker
finds what the request wrote.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

from arq.connections import ArqRedis
from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.core.pagination import Page, paginate
from app.db.locks import is_claimed_in
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.crypto import IdCipher
from app.people.imports.problems import (
    ProblemRow,
    problem_fields,
    problem_workbook,
    reasons,
    unpack_row,
)
from app.people.imports.reader import MAX_BYTES
from app.people.models import (
    Category,
    ImportRow,
    ImportStatus,
    OrgUnit,
    RosterImport,
    UnitKind,
)

ROWS_PAGE = 100
ROW_FILTERS = {
    "error": ImportRow.outcome == "error",
    "warning": and_(ImportRow.outcome != "error", ImportRow.warnings != []),
    "new": ImportRow.outcome == "new",
    "update": ImportRow.outcome == "update",
    "suspect": ImportRow.suspects != [],
    "infirm": ImportRow.infirm_sign.is_not(None),
    "all": None,
}
RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.COMMITTING)
STUCK_AFTER = timedelta(minutes=1)
"""A running import nobody works on, queued longer ago than this, is queued again."""


def claim_key(import_id: UUID, status: str) -> str:
    """The claim (app.db.locks) that the job working on an import in `status` holds."""
    step = "commit" if status == ImportStatus.COMMITTING else "check"
    return f"roster-{step}:{import_id}"


async def queue_job(redis: ArqRedis, import_id: UUID, status: str) -> None:
    """Queue the job an import in `status` waits for, under a fresh job id each time:
    arq refuses an id while its job or result is kept (an hour), and a killed job's id
    stays "in progress" for its whole timeout, so a retry must not reuse one. A second
    job is harmless: it finds the claim held or the import moved on, and skips."""
    committing = status == ImportStatus.COMMITTING
    await redis.enqueue_job(
        "commit_roster_import" if committing else "check_roster_import",
        str(require_tenant()),
        str(import_id),
        _job_id=f"{claim_key(import_id, status)}:{uuid4().hex}",
    )


class ImportService:
    def __init__(self, session: AsyncSession, cipher: IdCipher, redis: ArqRedis) -> None:
        self.session = session
        self.cipher = cipher
        self.redis = redis

    async def upload(self, filename: str, data: bytes, default_category: str, actor: Actor) -> UUID:
        """Store the file and queue its dry run."""
        if not data:
            raise Refused(N_("The file is empty."))
        if len(data) > MAX_BYTES:
            raise Refused(
                N_("The file is larger than %(mb)s MB. Split it into smaller files."),
                mb=MAX_BYTES // (1024 * 1024),
            )
        if default_category and default_category not in Category.__members__.values():
            raise Refused(N_("Please choose a category."))
        tenant_id = require_tenant()
        import_id = uuid4()
        self.session.add(
            RosterImport(
                tenant_id=tenant_id,
                id=import_id,
                filename=(filename or "roster")[:200],
                uploaded_by=actor.id,
                default_category=default_category or None,
                file_enc=self.cipher.encrypt_bytes(tenant_id, data),
                queued_at=clock.now(),
            )
        )
        await self.session.commit()  # before the job is queued: the worker must find it
        await queue_job(self.redis, import_id, ImportStatus.UPLOADED)
        return import_id

    async def recent(self, limit: int = 20) -> list[RosterImport]:
        query = select(RosterImport).order_by(RosterImport.uploaded_at.desc()).limit(limit)
        return list((await self.session.scalars(query)).all())

    async def get(self, import_id: UUID) -> RosterImport:
        """The import as it is now (the worker changes it under the page's feet)."""
        found = await self.session.get(
            RosterImport, {"tenant_id": require_tenant(), "id": import_id}, populate_existing=True
        )
        if found is None:
            raise NotFound()
        return found

    async def rows(self, import_id: UUID, which: str, number: int) -> Page[ImportRow]:
        """A page of the import's rows. After the commit a kept row's reasons quote no
        values in its columns: they are read back from its encrypted copy."""
        query = select(ImportRow).where(ImportRow.import_id == import_id)
        if (condition := ROW_FILTERS.get(which)) is not None:
            query = query.where(condition)
        page = await paginate(self.session, query.order_by(ImportRow.line), number, ROWS_PAGE)
        found: list[ImportRow] = [row[0] for row in page.items]
        tenant_id = require_tenant()
        for row in found:
            if row.cells_enc is not None and row.data == {}:  # committed: values stripped
                self.session.expunge(row)  # read-only from here: what is set is not saved
                kept = unpack_row(self.cipher, tenant_id, row.cells_enc)
                row.problems, row.warnings = kept.problems, kept.warnings
        return replace(page, items=found)

    async def commit(
        self, import_id: UUID, mode: str, parent_id: UUID | None, actor: Actor
    ) -> None:
        """Queue the commit of a checked import: all rows (only when none has an error)
        or the good rows. The status moves checked → committing exactly once."""
        found = await self.get(import_id)
        if mode not in ("all", "good"):
            raise Refused(N_("Please choose what to import."))
        summary = found.summary or {}
        if found.status != ImportStatus.CHECKED:
            raise Refused(N_("This import is not waiting to be committed."))
        if mode == "all" and summary.get("error"):
            raise Refused(
                N_("%(count)s rows have problems: fix the file, or import only the good rows."),
                count=summary["error"],
            )
        if mode == "all" and summary.get("warnings"):
            raise Refused(
                N_("%(count)s rows would be imported without a value that is wrong: fix the "
                   "file, or import the rows as they can be."),
                count=summary["warnings"],
            )  # fmt: skip
        if parent_id is not None:
            parent = await self.session.get(
                OrgUnit, {"tenant_id": require_tenant(), "id": parent_id}
            )
            if (
                parent is None
                or parent.retired_at
                or parent.kind
                not in (
                    UnitKind.CENTER,
                    UnitKind.SUBCENTER,
                )
            ):
                raise Refused(N_("Please choose where the new branches belong."))
        moved = await self.session.scalar(
            update(RosterImport)
            .where(RosterImport.id == import_id, RosterImport.status == ImportStatus.CHECKED)
            .values(
                status=ImportStatus.COMMITTING,
                commit_mode=mode,
                committed_by=actor.id,
                summary=summary | {"new_branch_parent": str(parent_id or "")},
                queued_at=clock.now(),
            )
            .returning(RosterImport.id)
        )
        await self.session.commit()  # before the job is queued: the worker must find it
        if moved is None:
            raise Refused(N_("This import is not waiting to be committed."))
        await queue_job(self.redis, import_id, ImportStatus.COMMITTING)

    async def confirm_infirm(self, import_id: UUID, line: int | None, confirmed: bool) -> None:
        """The admin's answer to the health notes' proposals, for one row or all of them:
        only confirmed rows become infirm (exempt from points) on commit."""
        waiting = (
            select(RosterImport.id)
            .where(RosterImport.id == import_id, RosterImport.status == ImportStatus.CHECKED)
            .exists()
        )
        query = update(ImportRow).where(
            ImportRow.import_id == import_id, ImportRow.infirm_sign.is_not(None), waiting
        )
        if line is not None:
            query = query.where(ImportRow.line == line)
        changed = await self.session.execute(
            query.values(infirm_confirmed=confirmed).returning(ImportRow.line)
        )
        found = changed.all()
        await self.session.commit()
        if not found:
            if (await self.get(import_id)).status != ImportStatus.CHECKED:
                raise Refused(N_("This import is not waiting to be committed."))
            raise Refused(N_("Please choose from the list."))

    async def stuck(self, found: RosterImport) -> bool:
        """True when no job works on a running import: nobody holds its claim, and it
        is being checked (so its job started and died) or its job was queued over a
        minute ago (lost with Valkey's queue, or failed on every try)."""
        if found.status not in RUNNING:
            return False
        if found.status != ImportStatus.CHECKING and clock.now() - found.queued_at < STUCK_AFTER:
            return False
        return not await is_claimed_in(self.session, claim_key(found.id, found.status))

    async def start_again(self, import_id: UUID) -> None:
        """The admin's button on a stuck import: queue its job again."""
        if not await self.requeue(await self.get(import_id)):
            raise Refused(N_("This import is still being worked on. Please wait a little."))

    async def requeue_stuck(self) -> int:
        """The worker's sweep, for this tenant: queue again every stuck import."""
        running = await self.session.scalars(
            select(RosterImport).where(RosterImport.status.in_(RUNNING))
        )
        queued = 0
        for found in running.all():
            queued += await self.requeue(found)
        return queued

    async def requeue(self, found: RosterImport) -> bool:
        """Queue a stuck import's job again, once: the page's button and the sweep may
        both try, and only the one that moves `queued_at` queues."""
        if not await self.stuck(found):
            return False
        moved = await self.session.scalar(
            update(RosterImport)
            .where(
                RosterImport.id == found.id,
                RosterImport.status == found.status,
                RosterImport.queued_at == found.queued_at,
            )
            .values(queued_at=clock.now())
            .returning(RosterImport.id)
        )
        await self.session.commit()  # before the job is queued: the worker must find it
        if moved is None:
            return False
        await queue_job(self.redis, found.id, found.status)
        return True

    async def problem_rows_workbook(self, import_id: UUID, actor: Actor) -> bytes:
        """The rows with problems or warnings as an .xlsx to fix and upload again; the
        download is audited like the roster's, since it holds the same personal data."""
        found = await self.get(import_id)
        tenant_id = require_tenant()
        rows = list(
            await self.session.scalars(
                select(ImportRow)
                .where(ImportRow.import_id == import_id, ImportRow.cells_enc.is_not(None))
                .order_by(ImportRow.line)
            )
        )
        if not rows:
            raise Refused(N_("There are no rows with problems to download."))
        await record(
            self.session, actor, "roster.rows_to_fix_downloaded", subject_type="roster_import",
            subject_id=import_id, subject_name=found.filename, changes={"count": len(rows)},
        )  # fmt: skip
        await self.session.commit()
        committed = found.status == ImportStatus.COMMITTED
        problems = []
        for row in rows:
            assert row.cells_enc is not None  # the query asked for kept rows only
            kept = unpack_row(self.cipher, tenant_id, row.cells_enc)
            said = reasons(row, kept, committed=committed)
            problems.append(ProblemRow(row.line, kept.cells, said))
        fields = problem_fields((found.summary or {}).get("columns", {}), found.default_category)
        return await asyncio.to_thread(problem_workbook, problems, fields, found.default_category)

    async def forget_problem_rows(self, import_id: UUID, actor: Actor) -> None:
        """The admin has what they need: the kept rows of a finished import go (and the
        log says who deleted how many)."""
        found = await self.get(import_id)
        if found.status in RUNNING or found.status == ImportStatus.CHECKED:
            raise Refused(N_("This import is not finished yet."))
        gone = await self.session.execute(
            delete(ImportRow).where(ImportRow.import_id == import_id).returning(ImportRow.line)
        )
        await record(
            self.session, actor, "roster.rows_to_fix_deleted", subject_type="roster_import",
            subject_id=import_id, subject_name=found.filename,
            changes={"count": len(gone.all())},
        )  # fmt: skip
        await self.session.execute(
            update(RosterImport)
            .where(RosterImport.id == import_id)
            .values(summary=(found.summary or {}) | {"problems_forgotten": True})
        )
        await self.session.commit()

    async def discard(self, import_id: UUID, actor: Actor) -> None:
        found = await self.get(import_id)
        if found.status not in (ImportStatus.CHECKED, ImportStatus.FAILED):
            raise Refused(N_("This import can no longer be discarded."))
        await self.session.execute(
            update(RosterImport)
            .where(RosterImport.id == import_id)
            .values(status=ImportStatus.DISCARDED, file_enc=None)
        )
        await self.session.execute(delete(ImportRow).where(ImportRow.import_id == import_id))
        await self.session.commit()
