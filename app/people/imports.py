"""Roster imports in two steps: a dry run that writes nothing to the roster, then a
commit in one transaction.

The web request only stores the upload (encrypted: it holds ID numbers) and queues
a job; the worker parses and plans it (`check`), and later applies it (`apply`).
So a 40,000-row file or a 50 MB upload never holds up the web server, and the page
follows the job's status.

Every change of an import's status is in this module, so its one state machine reads
in one place (about 450 lines); the commit's writes are in import_commit, the kept
problem rows' format in import_problems.

Over 400 lines: the upload, the dry run and the commit share one state machine
(uploaded → checked → committed) best read in one place; the row writes already live
in import_commit.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import structlog
from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.i18n import N_
from app.people.import_commit import apply_rows, committer
from app.people.import_plan import Plan, Roster, plan_rows
from app.people.import_problems import (
    ProblemRow,
    problem_fields,
    problem_workbook,
    reasons,
    unpack_row,
)
from app.people.models import (
    Category,
    ImportRow,
    ImportStatus,
    OrgUnit,
    Person,
    RosterImport,
    UnitKind,
)
from app.people.reader import MAX_BYTES, RosterFileError
from app.people.sandbox import parse_isolated
from app.state import AppServices
from tenants.context import require_tenant

log = structlog.get_logger("redstar.roster")

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
CHANGED_SINCE = N_(
    "The roster changed after this file was checked, so it was not imported. "
    "Upload the file again to check it against the roster as it is now."
)
NOT_SAVED = N_(
    "The import could not be saved, and nothing was written. Please tell the "
    "platform's support with the time of this attempt."
)
RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.COMMITTING)


def check_job_id(import_id: UUID) -> str:
    return f"roster-check:{import_id}"


class ImportService:
    def __init__(self, services: AppServices) -> None:
        self.services = services
        self.db = services.db

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
        async with self.db.session() as session:
            session.add(
                RosterImport(
                    tenant_id=tenant_id,
                    id=import_id,
                    filename=(filename or "roster")[:200],
                    uploaded_by=actor.id,
                    default_category=default_category or None,
                    file_enc=self.services.cipher.encrypt_bytes(tenant_id, data),
                )
            )
            await session.commit()
        await self.queue_check(import_id)
        return import_id

    async def queue_check(self, import_id: UUID) -> None:
        """Queue the dry run; the job id makes a second call (a page poll) a no-op."""
        await self.services.redis.enqueue_job(
            "check_roster_import",
            str(require_tenant()),
            str(import_id),
            _job_id=check_job_id(import_id),
        )

    async def recent(self, limit: int = 20) -> list[RosterImport]:
        async with self.db.session() as session:
            query = select(RosterImport).order_by(RosterImport.uploaded_at.desc()).limit(limit)
            return list((await session.scalars(query)).all())

    async def get(self, import_id: UUID) -> RosterImport:
        async with self.db.session() as session:
            found = await session.get(
                RosterImport, {"tenant_id": require_tenant(), "id": import_id}
            )
        if found is None:
            raise NotFound()
        return found

    async def rows(self, import_id: UUID, which: str, page: int) -> tuple[list[ImportRow], int]:
        """A page of the import's rows. After the commit a kept row's reasons quote no
        values in its columns: they are read back from its encrypted copy."""
        query = select(ImportRow).where(ImportRow.import_id == import_id)
        if (condition := ROW_FILTERS.get(which)) is not None:
            query = query.where(condition)
        async with self.db.session() as session:
            total = await session.scalar(select(func.count()).select_from(query.subquery()))
            found = list(
                await session.scalars(
                    query.order_by(ImportRow.line).limit(ROWS_PAGE).offset((page - 1) * ROWS_PAGE)
                )
            )
            session.expunge_all()  # read-only from here: what is set below is not saved
        tenant_id = require_tenant()
        for row in found:
            if row.cells_enc is not None and row.data == {}:  # committed: values stripped
                kept = unpack_row(self.services.cipher, tenant_id, row.cells_enc)
                row.problems, row.warnings = kept.problems, kept.warnings
        return found, total or 0

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
        async with self.db.session() as session:
            if parent_id is not None:
                parent = await session.get(
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
            moved = await session.scalar(
                update(RosterImport)
                .where(RosterImport.id == import_id, RosterImport.status == ImportStatus.CHECKED)
                .values(
                    status=ImportStatus.COMMITTING,
                    commit_mode=mode,
                    committed_by=actor.id,
                    summary=summary | {"new_branch_parent": str(parent_id or "")},
                )
                .returning(RosterImport.id)
            )
            await session.commit()
        if moved is None:
            raise Refused(N_("This import is not waiting to be committed."))
        await self.queue_commit(import_id)

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
        async with self.db.session() as session:
            changed = await session.execute(
                query.values(infirm_confirmed=confirmed).returning(ImportRow.line)
            )
            found = changed.all()
            await session.commit()
        if not found:
            if (await self.get(import_id)).status != ImportStatus.CHECKED:
                raise Refused(N_("This import is not waiting to be committed."))
            raise Refused(N_("Please choose from the list."))

    async def queue_commit(self, import_id: UUID) -> None:
        """Queue the commit; like queue_check, safe to call again while it waits."""
        await self.services.redis.enqueue_job(
            "commit_roster_import",
            str(require_tenant()),
            str(import_id),
            _job_id=f"roster-commit:{import_id}",
        )

    async def problem_rows_workbook(self, import_id: UUID, actor: Actor) -> bytes:
        """The rows with problems or warnings as an .xlsx to fix and upload again; the
        download is audited like the roster's, since it holds the same personal data."""
        found = await self.get(import_id)
        tenant_id = require_tenant()
        async with self.db.session() as session:
            rows = list(
                await session.scalars(
                    select(ImportRow)
                    .where(ImportRow.import_id == import_id, ImportRow.cells_enc.is_not(None))
                    .order_by(ImportRow.line)
                )
            )
            if not rows:
                raise Refused(N_("There are no rows with problems to download."))
            await record(
                session, actor, "roster.rows_to_fix_downloaded", subject_type="roster_import",
                subject_id=import_id, subject_name=found.filename, changes={"count": len(rows)},
            )  # fmt: skip
            await session.commit()
        cipher = self.services.cipher
        committed = found.status == ImportStatus.COMMITTED
        problems = []
        for row in rows:
            assert row.cells_enc is not None  # the query asked for kept rows only
            kept = unpack_row(cipher, tenant_id, row.cells_enc)
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
        async with self.db.session() as session:
            gone = await session.execute(
                delete(ImportRow).where(ImportRow.import_id == import_id).returning(ImportRow.line)
            )
            await record(
                session, actor, "roster.rows_to_fix_deleted", subject_type="roster_import",
                subject_id=import_id, subject_name=found.filename,
                changes={"count": len(gone.all())},
            )  # fmt: skip
            await session.execute(
                update(RosterImport)
                .where(RosterImport.id == import_id)
                .values(summary=(found.summary or {}) | {"problems_forgotten": True})
            )
            await session.commit()

    async def discard(self, import_id: UUID, actor: Actor) -> None:
        found = await self.get(import_id)
        if found.status not in (ImportStatus.CHECKED, ImportStatus.FAILED):
            raise Refused(N_("This import can no longer be discarded."))
        async with self.db.session() as session:
            await session.execute(
                update(RosterImport)
                .where(RosterImport.id == import_id)
                .values(status=ImportStatus.DISCARDED, file_enc=None)
            )
            await session.execute(delete(ImportRow).where(ImportRow.import_id == import_id))
            await session.commit()


# --- the worker's side --------------------------------------------------------------


async def check(services: AppServices, import_id: UUID, *, today: date | None = None) -> str:
    """The dry run: parse, plan, store one row per line. Returns the new status."""
    tenant_id = require_tenant()
    async with services.db.session() as session:
        claimed = await session.scalar(
            update(RosterImport)
            # CHECKING too: arq runs a job id once at a time, so a checking import seen
            # here is a retry after the worker died, and its rows were never written.
            .where(
                RosterImport.id == import_id,
                RosterImport.status.in_((ImportStatus.UPLOADED, ImportStatus.CHECKING)),
                RosterImport.file_enc.is_not(None),
            )
            .values(status=ImportStatus.CHECKING)
            .returning(RosterImport)
        )
        await session.commit()
    if claimed is None:
        return "skipped"  # already checked, or a second delivery of the job
    found = claimed
    assert found.file_enc is not None
    data = services.cipher.decrypt_bytes(tenant_id, found.file_enc)
    try:
        parsed = await parse_isolated(
            data, found.filename, default_category=found.default_category, today=today
        )
    except RosterFileError as exc:
        await _fail(services, import_id, exc.message, exc.args_)
        return ImportStatus.FAILED
    except Exception:
        log.exception("roster_check_failed", import_id=str(import_id))
        await _fail(services, import_id, N_("This file could not be read."), {})
        return ImportStatus.FAILED
    try:
        async with services.db.session() as session:
            roster = await Roster.load(session)
            stamp = await roster_stamp(session)
        plan = await asyncio.to_thread(plan_rows, parsed, roster, services.cipher, tenant_id)
        async with services.db.session() as session:
            await _store_rows(session, tenant_id, import_id, plan)
            await session.execute(
                update(RosterImport)
                .where(RosterImport.id == import_id)
                .values(
                    status=ImportStatus.CHECKED,
                    summary=plan.summary(parsed) | {"roster_stamp": stamp},
                    file_enc=None,
                )
            )
            await session.commit()
    except Exception:
        log.exception("roster_check_failed", import_id=str(import_id))
        await _fail(services, import_id, N_("This file could not be read."), {})
        return ImportStatus.FAILED
    return ImportStatus.CHECKED


async def roster_stamp(session: AsyncSession) -> str:
    """Changes whenever a person is added or changed: a commit planned against an
    older roster is refused rather than applied to one it was not checked against."""
    count, latest = (await session.execute(select(func.count(), func.max(Person.updated_at)))).one()
    return f"{count}:{latest.isoformat() if latest else '-'}"


async def _store_rows(session: AsyncSession, tenant_id: UUID, import_id: UUID, plan: Plan) -> None:
    batch = [
        {
            "tenant_id": tenant_id,
            "import_id": import_id,
            "line": row.line,
            "outcome": row.outcome,
            "person_id": row.person_id,
            "name": row.name,
            "data": row.data,
            "id_number_enc": row.id_number_enc,
            "id_number_index": row.id_number_index,
            "problems": row.problems,
            "warnings": row.warnings,
            "suspects": row.suspects,
            "infirm_sign": row.infirm_sign,
            "cells_enc": row.cells_enc,
        }
        for row in plan.rows
    ]
    for start in range(0, len(batch), 5000):
        await session.execute(insert(ImportRow), batch[start : start + 5000])


async def _keep_only_problem_rows(session: AsyncSession, import_id: UUID) -> None:
    """The dry-run rows hold the file's personal data, and the roster now has what was
    imported: only the rows with problems or warnings stay, to be fixed, with no more
    than it takes (line, name, reasons, encrypted cells; see import_problems)."""
    rows = ImportRow.import_id == import_id
    fine = and_(ImportRow.outcome != "error", ImportRow.warnings == [])
    await session.execute(delete(ImportRow).where(rows, fine))
    await session.execute(
        update(ImportRow)
        .where(rows)
        .values(data={}, id_number_enc=None, id_number_index=None, suspects=[],
                infirm_sign=None, infirm_confirmed=False,
                problems=_without_quoted_values(ImportRow.problems),
                warnings=_without_quoted_values(ImportRow.warnings))
    )  # fmt: skip


def _without_quoted_values(column: Any) -> Any:
    """The reasons without the values they quote (a phone number, a date): those stay
    only in the row's encrypted copy (`cells_enc`)."""
    item = func.jsonb_array_elements(column).table_valued("value").alias("item")
    stripped = select(func.jsonb_agg(item.c.value.op("-")("args"))).select_from(item)
    return func.coalesce(stripped.scalar_subquery(), text("'[]'::jsonb"))


async def _fail(services: AppServices, import_id: UUID, message: str, args: dict[str, Any]) -> None:
    async with services.db.session() as session:
        await session.execute(
            update(RosterImport)
            # Only a running import fails: a late duplicate run must not undo a result.
            .where(RosterImport.id == import_id, RosterImport.status.in_(RUNNING))
            .values(status=ImportStatus.FAILED, error=message, error_args=args, file_enc=None)
        )
        await session.commit()


async def apply(services: AppServices, import_id: UUID) -> str:
    """The commit: new units, new people, updated people and their audit events, all
    in one transaction. A clash with a change made since the dry run (someone added
    the same ID number meanwhile) rolls everything back and asks for a new check."""
    tenant_id = require_tenant()
    try:
        async with services.db.session() as session:
            found = await session.scalar(
                select(RosterImport).where(RosterImport.id == import_id).with_for_update()
            )
            if found is None or found.status != ImportStatus.COMMITTING:
                return "skipped"
            # One roster commit at a time per district, against the roster it checked.
            await session.execute(
                text("select pg_advisory_xact_lock(hashtext('roster:' || :tenant))"),
                {"tenant": str(tenant_id)},
            )
            if (found.summary or {}).get("roster_stamp") != await roster_stamp(session):
                raise Refused(CHANGED_SINCE)
            actor = await committer(session, found)
            counts = await apply_rows(session, tenant_id, found, actor)
            await _keep_only_problem_rows(session, import_id)
            found.status = ImportStatus.COMMITTED
            found.committed_at = datetime.now(UTC)
            found.summary = (found.summary or {}) | {"committed": counts}
            await record(
                session,
                actor,
                "roster.imported",
                subject_type="roster_import",
                subject_id=import_id,
                subject_name=found.filename,
                changes={
                    "created": counts["created"],
                    "updated": counts["updated"],
                    "units": counts["units"],
                },
            )
            await session.commit()
    except Refused as exc:
        log.warning("roster_commit_refused", import_id=str(import_id))
        await _fail(services, import_id, exc.message, {})
        return ImportStatus.FAILED
    except IntegrityError as exc:
        log.exception("roster_commit_failed", import_id=str(import_id))
        clash = "uq_people_id_number" in str(exc.orig)
        await _fail(services, import_id, CHANGED_SINCE if clash else NOT_SAVED, {})
        return ImportStatus.FAILED
    return ImportStatus.COMMITTED
