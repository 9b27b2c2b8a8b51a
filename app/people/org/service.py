"""The org tree: center → sub-center → branch (党支部) → party group (党小组).

Units are renamed, moved and retired, never deleted, so people's history keeps its
names. Each unit stores its path (ancestors and itself); moving a unit rewrites the
paths of its subtree in one statement. Every change is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Actor
from app.core.scope import EVERYONE, Scope
from app.core.validators import plain_text
from app.db.commit import commit_or_refuse
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.models import CHILD_KINDS, OrgUnit, Person, UnitKind
from app.people.pinyin import unit_sort_key
from app.people.scope import units_under


@dataclass
class UnitNode:
    id: UUID
    kind: str
    name: str
    parent_id: UUID | None
    leader_id: UUID | None
    leader_name: str | None
    retired: bool
    people: int
    """Living people assigned to this unit directly (branch or group)."""
    depth: int = 0
    children: list[UnitNode] = field(default_factory=list)


@dataclass(frozen=True)
class UnitChoice:
    """A unit as a form offers it: `label` names its place, e.g. 第一分中心 / 第三支部."""

    id: UUID
    kind: str
    label: str
    parent_id: UUID | None


def unit_name(raw: str) -> str:
    try:
        name = plain_text(raw)
    except FieldError as exc:
        raise Refused(exc.message) from exc
    if not name:
        raise Refused(N_("Please enter a name."))
    if len(name) > 60:
        raise Refused(N_("A unit name can be at most 60 characters."))
    return name


class OrgService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reading --------------------------------------------------------------------

    async def tree(self, *, include_retired: bool = False) -> list[UnitNode]:
        """The district's units as a forest (normally one center), siblings in unit
        order (第一、第二…第十二, see unit_sort_key)."""
        counts = dict(
            (
                await self.session.execute(
                    select(func.coalesce(Person.group_id, Person.branch_id), func.count())
                    .where(Person.deceased_on.is_(None))
                    .group_by(func.coalesce(Person.group_id, Person.branch_id))
                )
            ).all()
        )
        query = (
            select(OrgUnit, Person.name)
            .outerjoin(
                Person,
                (Person.tenant_id == OrgUnit.tenant_id) & (Person.id == OrgUnit.leader_person_id),
            )
            .order_by(func.cardinality(OrgUnit.path))
        )
        if not include_retired:
            query = query.where(OrgUnit.retired_at.is_(None))
        rows = sorted(
            (await self.session.execute(query)).all(),
            key=lambda row: (len(row[0].path), unit_sort_key(row[0].name)),
        )
        nodes: dict[UUID, UnitNode] = {}
        roots: list[UnitNode] = []
        for unit, leader_name in rows:
            node = UnitNode(
                unit.id,
                unit.kind,
                unit.name,
                unit.parent_id,
                unit.leader_person_id,
                leader_name,
                unit.retired_at is not None,
                counts.get(unit.id, 0),
                depth=len(unit.path) - 1,
            )
            nodes[unit.id] = node
            parent = nodes.get(unit.parent_id) if unit.parent_id else None
            (parent.children if parent else roots).append(node)
        return roots

    async def unit(self, unit_id: UUID) -> OrgUnit:
        unit = await self.session.get(OrgUnit, _key(unit_id))
        if unit is None:
            raise NotFound()
        return unit

    async def choices(self, *kinds: UnitKind, scope: Scope = EVERYONE) -> list[UnitChoice]:
        """Active units of these kinds within `scope`, labelled with their ancestors'
        names below the center (第一分中心 / 第三支部) so that like-named branches can be
        told apart, in the tree's order: a unit before its children, siblings in unit
        order — sorted by the keys of the whole path, the center's included."""
        units = (
            await self.session.scalars(select(OrgUnit).where(OrgUnit.retired_at.is_(None)))
        ).all()
        inside = (
            {unit.id for unit in units}
            if scope.everyone
            else set(await self.session.scalars(select(OrgUnit.id).where(units_under(scope))))
        )
        names = {unit.id: unit.name for unit in units}
        wanted = {str(kind) for kind in kinds}
        found = []
        for unit in units:
            if unit.kind in wanted and unit.id in inside:
                place = [names.get(i, "…") for i in unit.path[1:]] or [unit.name]
                choice = UnitChoice(unit.id, unit.kind, " / ".join(place), unit.parent_id)
                found.append((tuple(unit_sort_key(names.get(i, "")) for i in unit.path), choice))
        return [choice for _, choice in sorted(found, key=lambda pair: pair[0])]

    # --- changing -------------------------------------------------------------------

    async def create(self, kind: str, name: str, parent_id: UUID | None, actor: Actor) -> UUID:
        name = unit_name(name)
        await lock_tree(self.session)
        parent = await self.session.get(OrgUnit, _key(parent_id)) if parent_id else None
        if parent_id and (parent is None or parent.retired_at):
            raise NotFound()
        _check_kind_under(kind, parent)
        unit_id = await add_unit(self.session, kind, name, parent)
        await record(
            self.session,
            actor,
            "org.unit_created",
            subject_type="org_unit",
            subject_id=unit_id,
            subject_name=name,
            changes={"kind": [None, kind], "parent": [None, parent.name if parent else None]},
        )
        await _commit_unique(self.session)
        return unit_id

    async def rename(self, unit_id: UUID, name: str, actor: Actor) -> None:
        unit = await _active_unit(self.session, unit_id)
        name = unit_name(name)
        if name == unit.name:
            return
        before, unit.name = unit.name, name
        await record(
            self.session,
            actor,
            "org.unit_renamed",
            subject_type="org_unit",
            subject_id=unit_id,
            subject_name=name,
            changes={"name": [before, name]},
        )
        await _commit_unique(self.session)

    async def move(self, unit_id: UUID, parent_id: UUID, actor: Actor) -> None:
        """Put a unit (and its subtree) under another parent."""
        await lock_tree(self.session)
        unit = await _active_unit(self.session, unit_id)
        parent = await self.session.get(OrgUnit, _key(parent_id))
        if parent is None or parent.retired_at:
            raise NotFound()
        if unit_id in parent.path:
            raise Refused(N_("A unit cannot be moved under itself or its own sub-units."))
        _check_kind_under(unit.kind, parent)
        if parent.id == unit.parent_id:
            return
        old_parent = await self.session.get(OrgUnit, _key(unit.parent_id))
        # New prefix + the unit's own part of each path in its subtree.
        await self.session.execute(
            text(
                "update org_units set path = cast(:prefix as uuid[]) "
                "|| path[array_position(path, cast(:unit as uuid)):] "
                "where path @> array[cast(:unit as uuid)]"
            ),
            {"prefix": parent.path, "unit": unit_id},
        )
        await self.session.execute(
            update(OrgUnit).where(OrgUnit.id == unit_id).values(parent_id=parent.id)
        )
        if unit.kind == UnitKind.GROUP:  # its people follow it into the new branch
            moved = await self.session.execute(
                update(Person)
                .where(Person.group_id == unit_id)
                .values(branch_id=parent.id)
                .returning(Person.id, Person.name)
            )
            branches = [old_parent.name if old_parent else None, parent.name]
            for person_id, name in moved.all():
                await record(
                    self.session, actor, "person.updated", subject_type="person",
                    subject_id=person_id, subject_name=name, changes={"branch_id": branches},
                )  # fmt: skip
        await record(
            self.session,
            actor,
            "org.unit_moved",
            subject_type="org_unit",
            subject_id=unit_id,
            subject_name=unit.name,
            changes={"parent": [old_parent.name if old_parent else None, parent.name]},
        )
        await _commit_unique(self.session)
        self.session.expunge_all()  # the paths were rewritten in SQL: read them afresh

    async def retire(self, unit_id: UUID, actor: Actor) -> None:
        """Retire an empty unit; it stays in history and can no longer be chosen."""
        await lock_tree(self.session)
        unit = await _active_unit(self.session, unit_id)
        children = await self.session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.parent_id == unit_id, OrgUnit.retired_at.is_(None))
        )
        if children:
            raise Refused(N_("Move or retire its %(count)s sub-units first."), count=children)
        people = await self.session.scalar(
            select(func.count())
            .select_from(Person)
            .where(
                (Person.branch_id == unit_id) | (Person.group_id == unit_id),
                Person.deceased_on.is_(None),
            )
        )
        if people:
            raise Refused(
                N_("%(count)s people still belong to this unit; move them first."),
                count=people,
            )
        unit.retired_at = datetime.now(UTC)
        await record(
            self.session,
            actor,
            "org.unit_retired",
            subject_type="org_unit",
            subject_id=unit_id,
            subject_name=unit.name,
            changes={"retired": [False, True]},
        )
        await self.session.commit()

    async def set_leader(self, unit_id: UUID, person_id: UUID | None, actor: Actor) -> None:
        """Name the unit's secretary (branch), head (center) or group leader."""
        unit = await _active_unit(self.session, unit_id)
        before = await _person_name(self.session, unit.leader_person_id)
        after = await _person_name(self.session, person_id)
        if person_id and after is None:
            raise Refused(N_("Please choose a person from the roster."))
        if person_id == unit.leader_person_id:
            return
        unit.leader_person_id = person_id
        await record(
            self.session,
            actor,
            "org.leader_set",
            subject_type="org_unit",
            subject_id=unit_id,
            subject_name=unit.name,
            changes={"leader": [before, after]},
        )
        await self.session.commit()


# --- helpers shared with the roster import ------------------------------------------


async def lock_tree(session: AsyncSession) -> None:
    """One change to the district's tree at a time (until the transaction ends), so a
    unit added under a parent that is being moved cannot keep the parent's old path."""
    await session.execute(
        text("select pg_advisory_xact_lock(hashtext('org:' || :tenant))"),
        {"tenant": str(require_tenant())},
    )


async def add_unit(session: AsyncSession, kind: str, name: str, parent: OrgUnit | None) -> UUID:
    """Insert a unit under `parent` in the caller's transaction (no audit, no checks)."""
    unit_id = uuid4()
    session.add(
        OrgUnit(
            tenant_id=require_tenant(),
            id=unit_id,
            kind=kind,
            name=name,
            parent_id=parent.id if parent else None,
            path=[*(parent.path if parent else []), unit_id],
        )
    )
    await session.flush()
    return unit_id


def _check_kind_under(kind: str, parent: OrgUnit | None) -> None:
    if kind not in UnitKind.__members__.values():
        raise Refused(N_("Please choose what kind of unit this is."))
    if parent is None:
        if kind != UnitKind.CENTER:
            raise Refused(N_("Only a center stands at the top; choose where this unit belongs."))
        return
    if kind not in CHILD_KINDS[UnitKind(parent.kind)]:
        raise Refused(N_("This kind of unit cannot be placed there."))


async def _active_unit(session: AsyncSession, unit_id: UUID) -> OrgUnit:
    unit = await session.get(OrgUnit, _key(unit_id))
    if unit is None or unit.retired_at is not None:
        raise NotFound()
    return unit


async def _person_name(session: AsyncSession, person_id: UUID | None) -> str | None:
    if person_id is None:
        return None
    return await session.scalar(select(Person.name).where(Person.id == person_id))


async def _commit_unique(session: AsyncSession) -> None:
    await commit_or_refuse(
        session, {"uq_org_units_sibling_name": N_("Another unit there already has this name.")}
    )


def _key(unit_id: UUID | None) -> dict[str, UUID | None]:
    return {"tenant_id": require_tenant(), "id": unit_id}


async def unit_labels(session: AsyncSession, ids: set[UUID] | None = None) -> dict[UUID, str]:
    """Units' names — these, or all (retired ones too: history keeps them)."""
    query = select(OrgUnit.id, OrgUnit.name)
    if ids is not None:
        query = query.where(OrgUnit.id.in_(ids))
    return {row[0]: row[1] for row in await session.execute(query)}
