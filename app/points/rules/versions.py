"""Which version of the rules is in force on a day, and writing a version's rules.

Active versions follow one another: each is in force from its `effective_from` until
the next one starts. An event is scored by the version in force on the day it
happened; an item of any other version is "retired" for that day.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.points.models import RuleCategory, RuleItem, RuleSet, RuleSetStatus
from app.points.periods import Kept, quarter_of
from app.points.rules.spec import CategorySpec, ItemSpec, RuleSetSpec, spec_from_mapping
from app.presets import all_presets


async def in_force(session: AsyncSession, day: date | None = None) -> RuleSet | None:
    """The active version in force on `day` (today by default)."""
    day = day or clock.today()
    return await session.scalar(
        select(RuleSet)
        .where(RuleSet.status == RuleSetStatus.ACTIVE, RuleSet.effective_from <= day)
        .order_by(RuleSet.effective_from.desc())
        .limit(1)
    )


async def first_start(session: AsyncSession) -> date | None:
    """The day the district's first rules came into force: no points before it."""
    return await session.scalar(
        select(func.min(RuleSet.effective_from)).where(RuleSet.status == RuleSetStatus.ACTIVE)
    )


async def kept(session: AsyncSession) -> Kept:
    """The span the district has kept points in: from its first rules to today."""
    return Kept(await first_start(session), clock.today())


async def active_versions(session: AsyncSession) -> list[RuleSet]:
    """Every active version, newest start first (includes one that starts later)."""
    return list(
        (
            await session.scalars(
                select(RuleSet)
                .where(RuleSet.status == RuleSetStatus.ACTIVE)
                .order_by(RuleSet.effective_from.desc())
            )
        ).all()
    )


async def draft_of(session: AsyncSession) -> RuleSet | None:
    return await session.scalar(select(RuleSet).where(RuleSet.status == RuleSetStatus.DRAFT))


async def spec_of(session: AsyncSession, rule_set: RuleSet) -> RuleSetSpec:
    """A stored version as plain data, for validation and comparison."""
    categories = (
        await session.scalars(
            select(RuleCategory)
            .where(RuleCategory.rule_set_id == rule_set.id)
            .order_by(RuleCategory.position)
        )
    ).all()
    items = (
        await session.scalars(
            select(RuleItem).where(RuleItem.rule_set_id == rule_set.id).order_by(RuleItem.position)
        )
    ).all()
    by_category: dict[UUID, list[ItemSpec]] = {c.id: [] for c in categories}
    for item in items:
        by_category[item.category_id].append(
            ItemSpec(
                code=item.code, name=item.name, points=item.points, unit=item.unit,
                cap_quarter=item.cap_quarter, cap_year=item.cap_year,
                evidence_required=item.evidence_required, awarders=tuple(item.awarders),
                feeds=tuple(item.feeds),
            )
        )  # fmt: skip
    return RuleSetSpec(
        categories=tuple(CategorySpec(c.name, tuple(by_category[c.id])) for c in categories),
        base_score=rule_set.base_score,
        objection_days=rule_set.objection_days,
    )


def add_rules(session: AsyncSession, tenant_id: UUID, rule_set_id: UUID, spec: RuleSetSpec) -> None:
    """Add a spec's categories and items under a (new) rule set, in order."""
    position = 0
    for c, category in enumerate(spec.categories):
        category_id = uuid4()
        session.add(RuleCategory(tenant_id=tenant_id, id=category_id, rule_set_id=rule_set_id,
                                 position=c, name=category.name))  # fmt: skip
        for item in category.items:
            position += 1
            session.add(
                RuleItem(
                    tenant_id=tenant_id, rule_set_id=rule_set_id, category_id=category_id,
                    position=position, code=item.code, name=item.name, points=item.points,
                    unit=item.unit, cap_quarter=item.cap_quarter, cap_year=item.cap_year,
                    evidence_required=item.evidence_required, awarders=list(item.awarders),
                    feeds=list(item.feeds),
                )
            )  # fmt: skip


async def install_preset(
    session: AsyncSession, tenant_id: UUID, preset_key: str, effective_from: date
) -> RuleSet:
    """A district's first version: the rules of the scheme chosen at signup, in force
    from `effective_from` (install_first_rules below: the day a new district gets)."""
    spec = spec_from_mapping(all_presets()[preset_key].rules)
    rule_set = RuleSet(
        tenant_id=tenant_id, version=1, status=RuleSetStatus.ACTIVE, preset=preset_key,
        base_score=spec.base_score, objection_days=spec.objection_days,
        effective_from=effective_from, activated_at=clock.now(),
    )  # fmt: skip
    session.add(rule_set)
    await session.flush()
    add_rules(session, tenant_id, rule_set.id, spec)
    await session.flush()
    return rule_set


async def install_first_rules(session: AsyncSession, tenant_id: UUID, preset_key: str) -> None:
    """A district just approved gets the scheme it chose, in force from the first day of
    the quarter it is approved in: a bureau approved in mid-November enters October's
    points from its paper ledger, and the quarter's tally and ranking are complete.
    Not earlier (rankings of a time before the district used the product would be empty
    ones) and not from the day itself (part of the first quarter would be outside the
    rules). A district that got its rules at signup, as before, keeps them."""
    if await session.scalar(select(RuleSet.id).limit(1)) is None:
        await install_preset(session, tenant_id, preset_key, quarter_of(clock.today()).start)
