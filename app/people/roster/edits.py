"""What a change to a person checks and records: the chosen branch and group against
the tree and the viewer's scope, the values set with a before/after of each, and the
audit event committed with them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core.errors import Refused
from app.core.identity import Actor
from app.core.scope import Scope
from app.db.commit import commit_or_refuse
from app.i18n import N_
from app.people.crypto import IdCipher, mask_id
from app.people.models import OrgUnit, Person, UnitKind
from app.people.pinyin import search_keys, sort_key
from app.people.scope import units_under


async def check_units(session: AsyncSession, scope: Scope, values: dict[str, Any]) -> None:
    """The branch and group exist, are active, fit together and lie in scope."""
    branch_id, group_id = values.get("branch_id"), values.get("group_id")
    if branch_id is None:
        if not scope.everyone:
            raise Refused(N_("Please choose a branch."))
        if group_id is not None:
            raise Refused(N_("Choose the branch of this party group."))
        return
    wanted = [u for u in (branch_id, group_id) if u]
    units = {
        unit.id: unit
        for unit in await session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(wanted), OrgUnit.retired_at.is_(None))
        )
    }
    inside = set(
        await session.scalars(select(OrgUnit.id).where(OrgUnit.id.in_(wanted), units_under(scope)))
    )
    branch = units.get(branch_id)
    if branch is None or branch.kind != UnitKind.BRANCH:
        raise Refused(N_("Please choose a branch."))
    group = units.get(group_id) if group_id else None
    if group_id is not None and (
        group is None or group.kind != UnitKind.GROUP or group.parent_id != branch_id
    ):
        raise Refused(N_("This party group does not belong to the chosen branch."))
    # A group leader's scope is the group: its branch may be named with it.
    if branch_id not in inside and not (group_id and group_id in inside):
        raise Refused(N_("Please choose a branch."))


def apply_values(
    cipher: IdCipher, person: Person, values: dict[str, Any], units: dict[UUID, str]
) -> dict[str, list[Any]]:
    """Set the given fields; return what changed as {field: [before, after]}, with
    ID numbers masked (the audit log is read by more eyes than the roster)."""
    changes: dict[str, list[Any]] = {}
    tenant_id = person.tenant_id
    for key, value in values.items():
        if key == "id_number":
            before = (
                cipher.decrypt(tenant_id, person.id_number_enc) if person.id_number_enc else None
            )
            if value == before:
                continue
            person.id_number_enc = cipher.encrypt(tenant_id, value) if value else None
            person.id_number_index = cipher.blind_index(tenant_id, value) if value else None
            person.id_tail = value[-4:] if value else None
            changes["id_number"] = [mask_id(before), mask_id(value)]
            continue
        before = getattr(person, key, None)
        if before == value:
            continue
        setattr(person, key, value)
        if key in ("branch_id", "group_id"):  # the log shows names, as people read them
            before, value = (
                units.get(before) if before else None,
                units.get(value) if value else None,
            )
        changes[key] = [_audit_value(before), _audit_value(value)]
    if "name" in changes:
        person.search_keys = search_keys(person.name)
        person.sort_key = sort_key(person.name)
    if person.party_joined_on and not person.party_member:
        raise Refused(N_("Someone with a party joining date is a party member."))
    return changes


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


async def save_person(
    session: AsyncSession, actor: Actor, action: str, person: Person, changes: dict[str, Any]
) -> None:
    """Record the change in the person's history and commit both, or neither."""
    await record(
        session, actor, action, subject_type="person", subject_id=person.id,
        subject_name=person.name, changes=changes,
    )  # fmt: skip
    await commit_or_refuse(
        session,
        {
            "uq_people_id_number": N_("Another person in the roster already has this ID number."),
            "uq_people_user": N_("This account already belongs to someone in the roster."),
        },
    )
