"""The commit of a checked roster import: new units, new and updated people and their
audit events, written in the caller's transaction (app.people.imports.worker.apply holds the
lock and decides what happens to the dry-run rows afterwards)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.audit.models import AuditEvent
from app.audit.service import record
from app.core.errors import Refused
from app.core.identity import Actor
from app.i18n import N_
from app.people.events import people_changed
from app.people.imports.plan import DATE_FIELDS, PLAIN_FIELDS
from app.people.models import ImportRow, OrgUnit, Person, RosterImport, UnitKind
from app.people.org.service import add_unit, lock_tree
from app.people.pinyin import search_keys, sort_key
from tenants.models import Tenant


async def committer(session: AsyncSession, found: RosterImport) -> Actor:
    from app.accounts.models import User

    name = await session.scalar(select(User.name).where(User.id == found.committed_by))
    return Actor("user", name or "", found.committed_by)


async def apply_rows(
    session: AsyncSession, tenant_id: UUID, found: RosterImport, actor: Actor
) -> dict[str, int]:
    query = select(ImportRow).where(ImportRow.import_id == found.id)
    wanted: ColumnElement[bool] = (
        ImportRow.outcome.in_(("new", "update"))
        if found.commit_mode == "good"
        else ImportRow.outcome != "same"
    )
    # An unchanged row whose infirm proposal was confirmed changes that one flag.
    query = query.where(or_(wanted, ImportRow.infirm_confirmed))
    rows = list((await session.scalars(query.order_by(ImportRow.line))).all())
    if any(row.outcome == "error" for row in rows):
        raise Refused(N_("This file still has rows with problems."))
    if found.commit_mode == "all" and any(row.warnings for row in rows):
        raise Refused(N_("This file still has rows with problems."))
    units_before = await session.scalar(select(func.count()).select_from(OrgUnit)) or 0
    units = await _create_units(session, tenant_id, found, rows, actor)
    units_after = await session.scalar(select(func.count()).select_from(OrgUnit)) or 0
    created_units = units_after - units_before
    before = await _current_values(session, [row.person_id for row in rows if row.person_id])
    now = datetime.now(UTC)
    created: list[dict[str, Any]] = []
    updates: dict[frozenset[str], list[dict[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    for row in rows:
        values = _person_values(row, units)
        person_id = row.person_id or uuid4()
        if row.warnings:
            row.person_id = person_id  # kept after the commit: a link to fill in the gap
        changes: dict[str, Any] = {"import": [None, f"{found.filename} #{row.line}"]}
        if row.outcome == "new":
            created.append(
                {
                    "tenant_id": tenant_id,
                    "id": person_id,
                    **values,
                    "search_keys": search_keys(values["name"]),
                    "sort_key": sort_key(values["name"]),
                    "id_number_enc": row.id_number_enc,
                    "id_number_index": row.id_number_index,
                    "id_tail": row.data.get("id_tail"),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            action = "person.created"
        else:
            keys = row.data.get("changed", []) + (["infirm"] if row.infirm_confirmed else [])
            changed = {key: values[key] for key in keys if key in values}
            old = before.get(person_id, {})
            changes |= {
                key: [_plain(old.get(key)), _plain(value)] for key, value in changed.items()
            }
            values_set = {"tenant_id": tenant_id, "id": person_id, "updated_at": now, **changed}
            updates.setdefault(frozenset(values_set), []).append(values_set)
            action = "person.updated"
        events.append(
            {
                "tenant_id": tenant_id,
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "actor_name": actor.name,
                "action": action,
                "subject_type": "person",
                "subject_id": person_id,
                "subject_name": values.get("name", row.name),
                "changes": changes,
            }
        )
    for start in range(0, len(created), 5000):
        await session.execute(insert(Person), created[start : start + 5000])
    for same_columns in updates.values():  # bulk UPDATE by primary key, per set of columns
        await session.execute(update(Person), same_columns)
    for start in range(0, len(events), 5000):
        await session.execute(insert(AuditEvent), events[start : start + 5000])
    await people_changed(session, [p["id"] for rows in (created, *updates.values()) for p in rows])
    updated = sum(len(group) for group in updates.values())
    infirm = sum(1 for row in rows if row.infirm_confirmed)
    return {"created": len(created), "updated": updated, "units": created_units, "infirm": infirm}


async def _current_values(session: AsyncSession, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    found: dict[UUID, dict[str, Any]] = {}
    for start in range(0, len(ids), 5000):
        rows = await session.execute(
            select(Person.__table__).where(Person.id.in_(ids[start : start + 5000]))
        )
        found.update({row.id: row._asdict() for row in rows})
    return found


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (date, UUID)) else value


async def _unit_event(
    session: AsyncSession, actor: Actor, unit_id: UUID, name: str, parent: str,
    found: RosterImport,
) -> None:  # fmt: skip
    await record(
        session, actor, "org.unit_created", subject_type="org_unit", subject_id=unit_id,
        subject_name=name, changes={"parent": [None, parent], "import": [None, found.filename]},
    )  # fmt: skip


async def _create_units(
    session: AsyncSession,
    tenant_id: UUID,
    found: RosterImport,
    rows: list[ImportRow],
    actor: Actor,
) -> dict[tuple[str, str | None], UUID]:
    """Create the branches and groups the rows need: (branch, None) / (branch, group) → id."""
    await lock_tree(session)
    wanted_branches = {row.data["branch"] for row in rows if row.data.get("branch")}
    existing = {
        name: unit_id
        for unit_id, name in await session.execute(
            select(OrgUnit.id, OrgUnit.name).where(
                OrgUnit.kind == UnitKind.BRANCH, OrgUnit.retired_at.is_(None)
            )
        )
    }
    made: dict[tuple[str, str | None], UUID] = {}
    missing = sorted(wanted_branches - set(existing))
    if missing:
        parent = await _new_branch_parent(session, tenant_id, found, actor)
        for name in missing:
            made[(name, None)] = await add_unit(session, UnitKind.BRANCH, name, parent)
            await _unit_event(session, actor, made[(name, None)], name, parent.name, found)
    branch_ids = existing | {name: unit_id for (name, _), unit_id in made.items()}
    for row in rows:
        branch, group = row.data.get("branch"), row.data.get("group")
        if branch and group and not row.data.get("group_id") and (branch, group) not in made:
            parent_unit = await session.get(
                OrgUnit, {"tenant_id": tenant_id, "id": branch_ids[branch]}
            )
            existing_group = await session.scalar(
                select(OrgUnit.id).where(
                    OrgUnit.parent_id == branch_ids[branch],
                    OrgUnit.name == group,
                    OrgUnit.retired_at.is_(None),
                )
            )
            if existing_group is None:
                existing_group = await add_unit(session, UnitKind.GROUP, group, parent_unit)
                await _unit_event(session, actor, existing_group, group, branch, found)
            made[(branch, group)] = existing_group
    for (name, _), unit_id in list(made.items()):
        made.setdefault((name, None), branch_ids.get(name, unit_id))
    for name, unit_id in existing.items():
        made.setdefault((name, None), unit_id)
    return made


async def _new_branch_parent(
    session: AsyncSession, tenant_id: UUID, found: RosterImport, actor: Actor
) -> OrgUnit:
    """Where new branches go: the unit the admin chose, else the only center, else a
    new center named after the district."""
    chosen = (found.summary or {}).get("new_branch_parent")
    if chosen:
        parent = await session.get(OrgUnit, {"tenant_id": tenant_id, "id": UUID(chosen)})
        if parent is not None and parent.retired_at is None:
            return parent
    centers = (
        await session.scalars(
            select(OrgUnit).where(OrgUnit.kind == UnitKind.CENTER, OrgUnit.retired_at.is_(None))
        )
    ).all()
    if centers:
        return centers[0]
    name = await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
    center_id = await add_unit(session, UnitKind.CENTER, name or "中心", None)
    await _unit_event(session, actor, center_id, name or "中心", "", found)
    center = await session.get(OrgUnit, {"tenant_id": tenant_id, "id": center_id})
    assert center is not None
    return center


def _person_values(row: ImportRow, units: dict[tuple[str, str | None], UUID]) -> dict[str, Any]:
    data = row.data
    values: dict[str, Any] = {key: data[key] for key in PLAIN_FIELDS if key in data}
    for key, known in DATE_FIELDS.items():
        if key in data:
            values[key] = date.fromisoformat(data[key])
            values[known] = data[known]
    for key in ("deceased_on", "married_on"):
        if key in data:
            values[key] = date.fromisoformat(data[key])
    if "group_id" in data and data["group_id"] is None:
        values["group_id"] = None  # moved to another branch, out of the old group
    if branch := data.get("branch"):
        values["branch_id"] = (
            UUID(data["branch_id"]) if data.get("branch_id") else units[(branch, None)]
        )
        if group := data.get("group"):
            values["group_id"] = (
                UUID(data["group_id"]) if data.get("group_id") else units[(branch, group)]
            )
    if values.get("party_joined_on"):
        values["party_member"] = True
    if row.infirm_confirmed:
        values["infirm"] = True
    return values
