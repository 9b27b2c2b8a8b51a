"""What the rule pages show: the versions and their states, one version's categories
and items in order, and how the draft differs from the newest active version."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import N_
from app.points.models import RuleCategory, RuleItem, RuleSet, RuleSetStatus
from app.points.rules.forms import ItemForm
from app.points.rules.spec import Problem, RuleSetSpec


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


@dataclass(frozen=True)
class ItemRow(ItemForm):
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


def version_name(rule_set: RuleSet) -> str:
    return f"第{rule_set.version}版"


def in_force_among(active: list[RuleSet], today: date) -> RuleSet | None:
    """Of the active versions (newest start first), the one in force today."""
    return next((v for v in active if v.effective_from and v.effective_from <= today), None)


def state_of(rule_set: RuleSet, current: RuleSet | None, today: date) -> VersionState:
    if rule_set.status == RuleSetStatus.DRAFT:
        return VersionState.DRAFT
    if current is not None and rule_set.id == current.id:
        return VersionState.IN_FORCE
    if rule_set.effective_from and rule_set.effective_from > today:
        return VersionState.SCHEDULED
    return VersionState.SUPERSEDED


# --- comparing two versions --------------------------------------------------------------

COMPARED_FIELDS = (
    "name", "points", "unit", "cap_quarter", "cap_year", "evidence_required", "awarders",
    "feeds",
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
            if name in ("awarders", "feeds"):
                a, b = set(a), set(b)
            if a != b:
                found.append(Difference(code, item.name, name, getattr(was, name),
                                        getattr(item, name)))  # fmt: skip
    for code, (_category, item) in old.items():
        if code not in new:
            found.append(Difference(code, item.name, "removed", item.points, None))
    return found


# --- reading a version --------------------------------------------------------------------


def item_row(item: RuleItem) -> ItemRow:
    return ItemRow(
        id=item.id, category_id=item.category_id, code=item.code, name=item.name,
        points=item.points, unit=item.unit, cap_quarter=item.cap_quarter,
        cap_year=item.cap_year, evidence_required=item.evidence_required,
        awarders=tuple(item.awarders), feeds=tuple(item.feeds),
    )  # fmt: skip


async def rules_of(session: AsyncSession, rule_set: RuleSet) -> VersionRules:
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
        rows[item.category_id].items.append(item_row(item))
    return VersionRules(rule_set, list(rows.values()))


async def per_version(
    session: AsyncSession, column: Any, figure: Any, ids: list[UUID], join: Any = None
) -> dict[UUID, int]:
    """A count per rule set, e.g. its items."""
    query = select(column, figure).where(column.in_(ids)).group_by(column)
    if join is not None:
        query = query.join(*join)
    return {key: int(value or 0) for key, value in await session.execute(query)}
