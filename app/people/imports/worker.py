"""Roster imports, the worker's side: the dry run (`check`) and the commit (`apply`).

Each holds the import's claim (app.db.locks) while it works, and moves the import by
its status, so a job delivered twice — or queued again by the sweep — does its work
once; a job killed mid-way frees the claim with its connection, and the sweep starts
it again at once. Each works in transactions of its own (a job is its own unit of
work): the status is committed before the slow parse, the result after it. A server
that is away is not the file's fault: that error goes up, and the job is tried again
(workers.jobs.retried). The commit's writes are in
app.people.imports.commit; the kept problem rows' format in app.people.imports.problems.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core.errors import Refused
from app.core.outages import server_away
from app.db import Database
from app.db.locks import claim
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.crypto import IdCipher
from app.people.imports.commit import apply_rows, committer
from app.people.imports.plan import Plan, Roster, plan_rows
from app.people.imports.reader import RosterFileError
from app.people.imports.sandbox import parse_isolated
from app.people.imports.service import RUNNING, claim_key
from app.people.models import ImportRow, ImportStatus, Person, RosterImport

log = structlog.get_logger("redstar.roster")

CHANGED_SINCE = N_(
    "The roster changed after this file was checked, so it was not imported. "
    "Upload the file again to check it against the roster as it is now."
)
NOT_SAVED = N_(
    "The import could not be saved, and nothing was written. Please tell the "
    "platform's support with the time of this attempt."
)


async def check(
    db: Database, cipher: IdCipher, import_id: UUID, *, today: date | None = None
) -> str:
    """The dry run: parse, plan, store one row per line. Returns the new status."""
    async with claim(db, claim_key(import_id, ImportStatus.CHECKING)) as held:
        if not held:
            return "skipped"  # another job is checking it right now
        return await _check(db, cipher, import_id, today)


async def _check(db: Database, cipher: IdCipher, import_id: UUID, today: date | None) -> str:
    tenant_id = require_tenant()
    async with db.unit() as session:
        claimed = await session.scalar(
            update(RosterImport)
            # CHECKING too: we hold the claim, so a checking import seen here is one
            # whose job died (killed, or a server away) before its rows were written.
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
    data = cipher.decrypt_bytes(tenant_id, found.file_enc)
    try:
        parsed = await parse_isolated(
            data, found.filename, default_category=found.default_category, today=today
        )
    except RosterFileError as exc:
        await _fail(db, import_id, exc.message, exc.args_)
        return ImportStatus.FAILED
    except Exception as exc:
        if server_away(exc):
            raise
        log.exception("roster_check_failed", import_id=str(import_id))
        await _fail(db, import_id, N_("This file could not be read."), {})
        return ImportStatus.FAILED
    try:
        async with db.unit() as session:
            roster = await Roster.load(session)
            stamp = await roster_stamp(session)
        plan = await asyncio.to_thread(plan_rows, parsed, roster, cipher, tenant_id)
        async with db.unit() as session:
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
            # notify: roster_import_checked (to the uploader, in this transaction)
            await session.commit()
    except Exception as exc:
        if server_away(exc):
            raise
        log.exception("roster_check_failed", import_id=str(import_id))
        await _fail(db, import_id, N_("This file could not be read."), {})
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
    than it takes (line, name, reasons, encrypted cells; see app.people.imports.problems)."""
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


async def _fail(db: Database, import_id: UUID, message: str, args: dict[str, Any]) -> None:
    async with db.unit() as session:
        await session.execute(
            update(RosterImport)
            # Only a running import fails: a late duplicate run must not undo a result.
            .where(RosterImport.id == import_id, RosterImport.status.in_(RUNNING))
            .values(status=ImportStatus.FAILED, error=message, error_args=args, file_enc=None)
        )
        await session.commit()


async def apply(db: Database, import_id: UUID) -> str:
    """The commit: new units, new people, updated people and their audit events, all
    in one transaction. A clash with a change made since the dry run (someone added
    the same ID number meanwhile) rolls everything back and asks for a new check."""
    async with claim(db, claim_key(import_id, ImportStatus.COMMITTING)) as held:
        if not held:
            return "skipped"  # another job is committing it right now
        return await _apply(db, import_id)


async def _apply(db: Database, import_id: UUID) -> str:
    tenant_id = require_tenant()
    try:
        async with db.unit() as session:
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
            # notify: roster_import_committed (to committed_by, in this transaction)
            await session.commit()
    except Refused as exc:
        log.warning("roster_commit_refused", import_id=str(import_id))
        await _fail(db, import_id, exc.message, {})
        return ImportStatus.FAILED
    except IntegrityError as exc:
        log.exception("roster_commit_failed", import_id=str(import_id))
        clash = "uq_people_id_number" in str(exc.orig)
        await _fail(db, import_id, CHANGED_SINCE if clash else NOT_SAVED, {})
        return ImportStatus.FAILED
    return ImportStatus.COMMITTED
