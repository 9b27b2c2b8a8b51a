"""The tenant admin's rule sets: the versions, the one draft, its what-if, activation.

A draft starts as a copy of the newest active version and may hold mistakes while it
is edited (two items with one code, an empty category, a cap below one event): the
editor lists them as `rules.problems()` finds them, and activation refuses until
there are none. Only the format of a field is refused at once (not a number, an
empty name, a choice not offered), and then nothing is written. An active version's
rules never change (the database trigger point_rules_frozen refuses); each edit and
the activation lock the draft row, so an edit cannot land on rules that were just
activated and two admins cannot activate one draft twice.

Over 400 lines: versions, the draft, its what-if and activation act on one rule set;
issue 12 splits the what-if and the draft's editing into modules of their own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError, InvalidForm
from app.core.identity import Actor
from app.db import Database
from app.db.commit import commit_or_refuse
from app.i18n import N_
from app.points import standings
from app.points.models import (
    RuleCategory,
    RuleItem,
    RuleSet,
    RuleSetStatus,
    Tally,
)
from app.points.periods import Period
from app.points.rule_forms import (
    MAX_CATEGORY_NAME,
    ItemValues,
    clean_item,
    read_name,
    read_settings,
    read_start,
)
from app.points.rules import (
    Problem,
    RuleSetSpec,
    problems,
)
from app.points.standings import Move, WhatIf
from app.points.versions import active_versions, add_rules, draft_of, kept, spec_of
from tenants.context import require_tenant

BIGGEST_MOVES = 5

REFUSALS = {
    "uq_point_rule_sets_draft": N_("Another administrator has just started a draft."),
    "point_rule_sets_tenant_id_version_key": N_("Another administrator has just started a draft."),
    "point_categories_tenant_id_rule_set_id_name_key": N_(
        "The draft already has a category with this name."
    ),
    "uq_point_rule_sets_start": N_("Another version already starts on that date."),
}


class VersionState(enum.StrEnum):
    IN_FORCE = "in_force"
    SCHEDULED = "scheduled"
    SUPERSEDED = "superseded"
    DRAFT = "draft"


STATE_LABELS = {
    VersionState.IN_FORCE: N_("In force now"),
    VersionState.SCHEDULED: N_("Starts later"),
    VersionState.SUPERSEDED: N_("No longer used"),
    VersionState.DRAFT: N_("Draft, not in force"),
}


class NotActivatable(Refused):
    """The draft fails validation; `problems` says why, in the order to fix them."""

    def __init__(self, found: list[Problem]) -> None:
        super().__init__(N_("The draft cannot be activated until these problems are fixed."))
        self.problems = found


# --- what the pages show ----------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow(ItemValues):
    """A stored item as the pages show it: its form values and its id."""

    id: UUID


@dataclass
class CategoryRow:
    id: UUID
    name: str
    items: list[ItemRow] = field(default_factory=list)


@dataclass
class VersionRules:
    """One version with its categories and items, in their order."""

    rule_set: RuleSet
    categories: list[CategoryRow]

    @property
    def item_count(self) -> int:
        return sum(len(c.items) for c in self.categories)

    def category(self, category_id: UUID) -> CategoryRow | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def item(self, item_id: UUID) -> ItemRow | None:
        return next((i for c in self.categories for i in c.items if i.id == item_id), None)


@dataclass(frozen=True)
class VersionRow:
    rule_set: RuleSet
    state: VersionState
    categories: int
    items: int
    entries: int
    """Ledger entries scored under this version."""


@dataclass
class VersionsPage:
    versions: list[VersionRow]
    in_force: VersionRules | None
    draft: RuleSet | None


@dataclass(frozen=True)
class Difference:
    """One way the draft differs from the newest active version, by item code."""

    code: str
    name: str
    what: str
    """added, removed, or the changed field: points, unit, cap_quarter, …"""
    before: Any = None
    after: Any = None


@dataclass
class DraftPage:
    rules: VersionRules
    problems: list[Problem]
    compared_with: RuleSet | None
    differences: list[Difference]
    earliest_start: date
    """The first day the draft may be activated from."""


@dataclass(frozen=True)
class BranchMoves:
    branch_id: UUID
    name: str
    members: int
    up: list[Move]
    down: list[Move]
    moves: list[Move]
    """Every ranked member, in the draft's order."""


@dataclass(frozen=True)
class DistrictMove:
    branch: str
    move: Move


@dataclass
class Preview:
    draft: RuleSet
    period: Period
    problems: list[Problem]
    what_if: WhatIf | None = None
    branches: list[BranchMoves] = field(default_factory=list)
    """Branches where someone moves (or the chosen branch, whatever happens in it)."""
    biggest_up: list[DistrictMove] = field(default_factory=list)
    biggest_down: list[DistrictMove] = field(default_factory=list)
    branch_count: int = 0
    quarters: list[Period] = field(default_factory=list)
    """The quarters one may preview: since the district's first rules, like every picker."""


# --- comparing two versions --------------------------------------------------------------

COMPARED_FIELDS = (
    "name", "points", "unit", "cap_quarter", "cap_year", "evidence_required", "awarders",
)  # fmt: skip


def differences(before: RuleSetSpec, after: RuleSetSpec) -> list[Difference]:
    """What `after` changes, item by item (matched by code, as the what-if matches)."""
    found: list[Difference] = []
    if before.base_score != after.base_score:
        found.append(Difference("", "", "base_score", before.base_score, after.base_score))
    if before.objection_days != after.objection_days:
        found.append(
            Difference("", "", "objection_days", before.objection_days, after.objection_days)
        )
    old = {i.code: (c.name, i) for c in before.categories for i in c.items}
    new = {i.code: (c.name, i) for c in after.categories for i in c.items}
    for code, (category, item) in new.items():
        if code not in old:
            found.append(Difference(code, item.name, "added", None, item.points))
            continue
        was_category, was = old[code]
        if was_category != category:
            found.append(Difference(code, item.name, "category", was_category, category))
        for name in COMPARED_FIELDS:
            a, b = getattr(was, name), getattr(item, name)
            if name == "awarders":
                a, b = set(a), set(b)
            if a != b:
                found.append(Difference(code, item.name, name, getattr(was, name),
                                        getattr(item, name)))  # fmt: skip
    for code, (_category, item) in old.items():
        if code not in new:
            found.append(Difference(code, item.name, "removed", item.points, None))
    return found


# --- the service --------------------------------------------------------------------------


def version_name(rule_set: RuleSet) -> str:
    return f"第{rule_set.version}版"


def _text(value: object) -> object:
    """A value as the audit log keeps it (JSON: numbers as text)."""
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [str(v) for v in value]
    return value


class RuleSetService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- reading ------------------------------------------------------------------------

    async def versions(self) -> VersionsPage:
        today = clock.today()
        async with self.db.session() as session:
            active = await active_versions(session)
            draft = await session.scalar(
                select(RuleSet).where(RuleSet.status == RuleSetStatus.DRAFT)
            )
            ids = [v.id for v in active]
            categories = await _per_version(session, RuleCategory.rule_set_id, func.count(), ids)
            items = await _per_version(session, RuleItem.rule_set_id, func.count(), ids)
            entries = await _per_version(
                session,
                RuleItem.rule_set_id,
                func.sum(Tally.events),
                ids,
                join=(Tally, (Tally.tenant_id == RuleItem.tenant_id)
                      & (Tally.rule_item_id == RuleItem.id)),
            )  # fmt: skip
            current = _in_force_among(active, today)
            rows = [
                VersionRow(
                    v,
                    _state(v, current, today),
                    categories.get(v.id, 0),
                    items.get(v.id, 0),
                    entries.get(v.id, 0),
                )
                for v in active
            ]
            in_force = await _rules(session, current) if current else None
        return VersionsPage(rows, in_force, draft)

    async def version(self, rule_set_id: UUID) -> tuple[VersionRules, VersionState]:
        """Any version of the district, read-only."""
        today = clock.today()
        async with self.db.session() as session:
            rule_set = await session.get(RuleSet, _key(rule_set_id))
            if rule_set is None:
                raise NotFound()
            active = await active_versions(session)
            current = _in_force_among(active, today)
            return await _rules(session, rule_set), _state(rule_set, current, today)

    async def draft_page(self) -> DraftPage | None:
        async with self.db.session() as session:
            draft = await draft_of(session)
            if draft is None:
                return None
            rules = await _rules(session, draft)
            spec = await spec_of(session, draft)
            active = await active_versions(session)
            newest = active[0] if active else None
            changes = differences(await spec_of(session, newest), spec) if newest else []
        today = clock.today()
        earliest = today
        if newest and newest.effective_from and newest.effective_from >= today:
            earliest = date.fromordinal(newest.effective_from.toordinal() + 1)
        return DraftPage(rules, problems(spec), newest, changes, earliest)

    async def draft_rules(self) -> VersionRules:
        async with self.db.session() as session:
            draft = await draft_of(session)
            if draft is None:
                raise NotFound()
            return await _rules(session, draft)

    async def preview(self, quarter_key: str | None, branch_id: UUID | None = None) -> Preview:
        """The quarter's rankings now and under the draft, for the whole district (or
        one branch). Not computed while the draft has problems: two items of one code
        would count the same events twice."""
        async with self.db.session() as session:
            draft = await draft_of(session)
            if draft is None:
                raise NotFound()
            found = problems(await spec_of(session, draft))
            span = await kept(session)
            period = span.quarter(quarter_key)
            preview = Preview(draft, period, found, quarters=span.quarters())
            if found:
                return preview
            result = await standings.what_if(
                session, period, draft, branch_id=branch_id, db=self.db
            )
        preview.what_if = result
        preview.branch_count = len(result.branches)
        everyone: list[DistrictMove] = []
        for branch in result.branches:
            up = sorted((m for m in branch.moves if m.places_up > 0), key=lambda m: -m.places_up)
            down = sorted((m for m in branch.moves if m.places_up < 0), key=lambda m: m.places_up)
            everyone.extend(DistrictMove(branch.name, m) for m in up + down)
            if branch_id or up or down:
                preview.branches.append(
                    BranchMoves(
                        branch.branch_id, branch.name, len(branch.moves), up, down, branch.moves
                    )
                )
        preview.biggest_up = sorted(
            (d for d in everyone if d.move.places_up > 0), key=lambda d: -d.move.places_up
        )[:BIGGEST_MOVES]
        preview.biggest_down = sorted(
            (d for d in everyone if d.move.places_up < 0), key=lambda d: d.move.places_up
        )[:BIGGEST_MOVES]
        return preview

    async def branch_choices(self) -> list[tuple[UUID, str]]:
        async with self.db.session() as session:
            return [(u.id, u.name) for u in await standings.branches(session)]

    # --- the draft ----------------------------------------------------------------------

    async def start_draft(self, actor: Actor) -> UUID:
        """A draft copied from the newest active version (the one in force, or one that
        starts later, so the draft builds on what will be in force before it); the
        existing draft if there is one."""
        tenant_id = require_tenant()
        async with self.db.session() as session:
            existing = await draft_of(session)
            if existing is not None:
                return existing.id
            active = await active_versions(session)
            source = active[0] if active else None
            spec = await spec_of(session, source) if source else RuleSetSpec(())
            number = (await session.scalar(select(func.max(RuleSet.version)))) or 0
            draft = RuleSet(
                tenant_id=tenant_id, id=uuid4(), version=number + 1,
                status=RuleSetStatus.DRAFT, preset=source.preset if source else None,
                base_score=spec.base_score, objection_days=spec.objection_days,
                created_by=actor.id,
            )  # fmt: skip
            session.add(draft)
            try:
                await session.flush()
            except IntegrityError as exc:  # another admin's draft was added meanwhile
                raise Refused(N_("Another administrator has just started a draft.")) from exc
            add_rules(session, tenant_id, draft.id, spec)
            await record(
                session, actor, "points.draft_changed", subject_type="point_rule_set",
                subject_id=draft.id, subject_name=version_name(draft),
                changes={"note": version_name(source) if source else "",
                         "change": "draft_started"},
            )  # fmt: skip
            await commit_or_refuse(session, REFUSALS)
            return draft.id

    async def discard_draft(self, actor: Actor) -> None:
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            await record(
                session, actor, "points.draft_changed", subject_type="point_rule_set",
                subject_id=draft.id, subject_name=version_name(draft),
                changes={"change": "draft_discarded"},
            )  # fmt: skip
            await session.delete(draft)  # categories and items go with it (on delete cascade)
            await session.commit()

    async def update_settings(self, base_score: str, objection_days: str, actor: Actor) -> None:
        base, days = read_settings(base_score, objection_days)
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            changes: dict[str, object] = {}
            if draft.base_score != base:
                changes["base_score"] = [_text(draft.base_score), _text(base)]
            if draft.objection_days != days:
                changes["objection_days"] = [draft.objection_days, days]
            if not changes:
                return
            draft.base_score, draft.objection_days = base, days
            await self._changed(session, draft, actor, "settings_changed", "", changes)
            await session.commit()

    async def add_category(self, name: str, actor: Actor) -> UUID:
        clean = _category_name(name)
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            last = await session.scalar(
                select(func.coalesce(func.max(RuleCategory.position), -1)).where(
                    RuleCategory.rule_set_id == draft.id
                )
            )
            category = RuleCategory(tenant_id=draft.tenant_id, id=uuid4(), rule_set_id=draft.id,
                                    position=int(last or 0) + 1, name=clean)  # fmt: skip
            session.add(category)
            await self._changed(session, draft, actor, "category_added", clean, {})
            await commit_or_refuse(session, REFUSALS)
            return category.id

    async def rename_category(self, category_id: UUID, name: str, actor: Actor) -> None:
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            category = await _draft_category(session, draft, category_id)
            clean = _category_name(name)
            if clean == category.name:
                return
            before, category.name = category.name, clean
            await self._changed(session, draft, actor, "category_renamed", clean,
                                {"name": [before, clean]})  # fmt: skip
            await commit_or_refuse(session, REFUSALS)

    async def delete_category(self, category_id: UUID, actor: Actor) -> str:
        """Only an empty category goes, so no item is lost by one tap."""
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            category = await _draft_category(session, draft, category_id)
            count = await session.scalar(
                select(func.count()).where(RuleItem.category_id == category.id)
            )
            if count:
                raise Refused(
                    N_("The category %(name)s still has %(n)s items. Delete them or move "
                       "them to another category first."),
                    name=category.name, n=count,
                )  # fmt: skip
            name = category.name
            await session.delete(category)
            await self._changed(session, draft, actor, "category_deleted", name, {})
            await session.commit()
            return name

    async def add_item(
        self, data: Mapping[str, str], awarders: Sequence[str], actor: Actor
    ) -> ItemValues:
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            values = clean_item(data, awarders, await _category_ids(session, draft))
            last = await session.scalar(
                select(func.coalesce(func.max(RuleItem.position), 0)).where(
                    RuleItem.rule_set_id == draft.id
                )
            )
            session.add(
                RuleItem(
                    tenant_id=draft.tenant_id, rule_set_id=draft.id, position=int(last or 0) + 1,
                    category_id=values.category_id, code=values.code, name=values.name,
                    points=values.points, unit=values.unit, cap_quarter=values.cap_quarter,
                    cap_year=values.cap_year, evidence_required=values.evidence_required,
                    awarders=list(values.awarders),
                )
            )  # fmt: skip
            await self._changed(session, draft, actor, "item_added",
                                f"{values.code} {values.name}",
                                {"points": [None, _text(values.points)]})  # fmt: skip
            await session.commit()
            return values

    async def update_item(
        self, item_id: UUID, data: Mapping[str, str], awarders: Sequence[str], actor: Actor
    ) -> ItemValues:
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            item = await _draft_item(session, draft, item_id)
            values = clean_item(data, awarders, await _category_ids(session, draft))
            changes: dict[str, object] = {}
            for name in ("category_id", "code", *COMPARED_FIELDS):
                before, after = getattr(item, name), getattr(values, name)
                if name == "awarders":
                    before, after = list(before), list(after)
                if before != after:
                    changes[name] = [_text(before), _text(after)]
                    setattr(item, name, after)
            if changes:
                await self._changed(session, draft, actor, "item_changed",
                                    f"{values.code} {values.name}", changes)  # fmt: skip
                await session.commit()
            return values

    async def delete_item(self, item_id: UUID, actor: Actor) -> str:
        async with self.db.session() as session:
            draft = await _locked_draft(session)
            item = await _draft_item(session, draft, item_id)
            label = f"{item.code} {item.name}"
            await session.delete(item)
            await self._changed(session, draft, actor, "item_deleted", label, {})
            await session.commit()
            return label

    async def item(self, item_id: UUID) -> ItemRow:
        """An item of the draft, for its edit form; an item of any other version is 404."""
        async with self.db.session() as session:
            draft = await draft_of(session)
            if draft is None:
                raise NotFound()
            return _item_row(await _draft_item(session, draft, item_id))

    # --- activation ---------------------------------------------------------------------

    async def activate(self, effective_from: str, actor: Actor) -> RuleSet:
        """The draft becomes the version in force from `effective_from` on.

        The day is today or later, and after the newest active version's start: events
        already recorded keep the version that scored them, and published rankings
        keep theirs."""
        day = read_start(effective_from)
        async with self.db.session() as session:
            draft = await session.scalar(
                select(RuleSet).where(RuleSet.status == RuleSetStatus.DRAFT).with_for_update()
            )
            if draft is None:
                raise Refused(N_("There is no draft to activate: someone may have just "
                                 "activated or discarded it."))  # fmt: skip
            found = problems(await spec_of(session, draft))
            if found:
                raise NotActivatable(found)
            today = clock.today()
            if day < today:
                raise Refused(
                    N_("The rules cannot start in the past. Choose today or a later day.")
                )
            latest = await session.scalar(
                select(func.max(RuleSet.effective_from)).where(
                    RuleSet.status == RuleSetStatus.ACTIVE
                )
            )
            if latest is not None and day <= latest:
                raise Refused(
                    N_("The newest version starts on %(date)s. Choose a later day."),
                    date=latest.isoformat(),
                )
            draft.status = RuleSetStatus.ACTIVE
            draft.effective_from = day
            draft.activated_by = actor.id
            draft.activated_at = clock.now()
            await record(
                session, actor, "points.rules_activated", subject_type="point_rule_set",
                subject_id=draft.id, subject_name=version_name(draft),
                changes={"note": day.isoformat(), "effective_from": [None, day.isoformat()]},
            )  # fmt: skip
            await commit_or_refuse(session, REFUSALS)
            return draft

    async def _changed(
        self,
        session: AsyncSession,
        draft: RuleSet,
        actor: Actor,
        change: str,
        note: str,
        changes: dict[str, object],
    ) -> None:
        await record(
            session, actor, "points.draft_changed", subject_type="point_rule_set",
            subject_id=draft.id, subject_name=version_name(draft),
            changes={"change": change, "note": note, **changes},
        )  # fmt: skip


# --- helpers ------------------------------------------------------------------------------


def _in_force_among(active: list[RuleSet], today: date) -> RuleSet | None:
    """Of the active versions (newest start first), the one in force today."""
    return next((v for v in active if v.effective_from and v.effective_from <= today), None)


def _key(object_id: UUID) -> dict[str, UUID]:
    return {"tenant_id": require_tenant(), "id": object_id}


def _state(rule_set: RuleSet, current: RuleSet | None, today: date) -> VersionState:
    if rule_set.status == RuleSetStatus.DRAFT:
        return VersionState.DRAFT
    if current is not None and rule_set.id == current.id:
        return VersionState.IN_FORCE
    if rule_set.effective_from and rule_set.effective_from > today:
        return VersionState.SCHEDULED
    return VersionState.SUPERSEDED


def _category_name(raw: str) -> str:
    try:
        return read_name(raw, MAX_CATEGORY_NAME)
    except FieldError as exc:
        raise InvalidForm({"name": exc.message}) from exc


async def _locked_draft(session: AsyncSession) -> RuleSet:
    """The draft, its row locked for this transaction: an activation in between would
    otherwise leave this edit writing to rules that are now in force."""
    draft = await session.scalar(
        select(RuleSet).where(RuleSet.status == RuleSetStatus.DRAFT).with_for_update()
    )
    if draft is None:
        raise NotFound()
    return draft


async def _draft_category(session: AsyncSession, draft: RuleSet, category_id: UUID) -> RuleCategory:
    category = await session.get(RuleCategory, _key(category_id))
    if category is None or category.rule_set_id != draft.id:
        raise NotFound()
    return category


async def _draft_item(session: AsyncSession, draft: RuleSet, item_id: UUID) -> RuleItem:
    item = await session.get(RuleItem, _key(item_id))
    if item is None or item.rule_set_id != draft.id:
        raise NotFound()
    return item


async def _category_ids(session: AsyncSession, draft: RuleSet) -> list[UUID]:
    return list(
        (
            await session.scalars(
                select(RuleCategory.id).where(RuleCategory.rule_set_id == draft.id)
            )
        ).all()
    )


async def _per_version(
    session: AsyncSession, column: Any, figure: Any, ids: list[UUID], join: Any = None
) -> dict[UUID, int]:
    """A count per rule set, e.g. its items."""
    query = select(column, figure).where(column.in_(ids)).group_by(column)
    if join is not None:
        query = query.join(*join)
    return {key: int(value or 0) for key, value in await session.execute(query)}


def _item_row(item: RuleItem) -> ItemRow:
    return ItemRow(
        id=item.id, category_id=item.category_id, code=item.code, name=item.name,
        points=item.points, unit=item.unit, cap_quarter=item.cap_quarter,
        cap_year=item.cap_year, evidence_required=item.evidence_required,
        awarders=tuple(item.awarders),
    )  # fmt: skip


async def _rules(session: AsyncSession, rule_set: RuleSet) -> VersionRules:
    categories = (
        await session.scalars(
            select(RuleCategory)
            .where(RuleCategory.rule_set_id == rule_set.id)
            .order_by(RuleCategory.position, RuleCategory.name)
        )
    ).all()
    rows = {c.id: CategoryRow(c.id, c.name) for c in categories}
    for item in await session.scalars(
        select(RuleItem)
        .where(RuleItem.rule_set_id == rule_set.id)
        .order_by(RuleItem.position, RuleItem.code)
    ):
        rows[item.category_id].items.append(_item_row(item))
    return VersionRules(rule_set, list(rows.values()))
