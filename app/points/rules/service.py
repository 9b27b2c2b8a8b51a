"""The tenant admin's rule sets: the versions, and the one draft and its edits.

A draft starts as a copy of the newest active version and may hold mistakes while it
is edited (two items with one code, an empty category, a cap below one event): the
editor lists them as `spec.problems()` finds them, and activation (activation.py)
refuses until there are none. Only the format of a field is refused at once (not a
number, an empty name, a choice not offered: forms.py), and then nothing is written.
An active version's rules never change (the database trigger point_rules_frozen
refuses); each edit locks the draft row, so an edit cannot land on rules that were
just activated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.db.commit import commit_or_refuse
from app.db.tenant import require_tenant
from app.i18n import N_
from app.points.models import RuleCategory, RuleItem, RuleSet, RuleSetStatus, Tally
from app.points.rules.forms import ItemForm, parse_category, parse_item, parse_settings
from app.points.rules.pages import (
    COMPARED_FIELDS,
    DraftPage,
    ItemRow,
    VersionRow,
    VersionRules,
    VersionsPage,
    VersionState,
    differences,
    in_force_among,
    item_row,
    per_version,
    rules_of,
    state_of,
    version_name,
)
from app.points.rules.spec import RuleSetSpec, problems
from app.points.rules.versions import active_versions, add_rules, draft_of, spec_of

DRAFT_STARTED = N_("Another administrator has just started a draft.")
REFUSALS = {
    "uq_point_rule_sets_draft": DRAFT_STARTED,
    "point_rule_sets_tenant_id_version_key": DRAFT_STARTED,
    "point_categories_tenant_id_rule_set_id_name_key": N_(
        "The draft already has a category with this name."
    ),
}


def _text(value: object) -> object:
    """A value as the audit log keeps it (JSON: numbers as text)."""
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [str(v) for v in value]
    return value


def _key(object_id: UUID) -> dict[str, UUID]:
    return {"tenant_id": require_tenant(), "id": object_id}


class RuleSetService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reading ------------------------------------------------------------------------

    async def versions(self) -> VersionsPage:
        today = clock.today()
        session = self.session
        active = await active_versions(session)
        draft = await session.scalar(select(RuleSet).where(RuleSet.status == RuleSetStatus.DRAFT))
        ids = [v.id for v in active]
        categories = await per_version(session, RuleCategory.rule_set_id, func.count(), ids)
        items = await per_version(session, RuleItem.rule_set_id, func.count(), ids)
        entries = await per_version(
            session,
            RuleItem.rule_set_id,
            func.sum(Tally.events),
            ids,
            join=(Tally, (Tally.tenant_id == RuleItem.tenant_id)
                  & (Tally.rule_item_id == RuleItem.id)),
        )  # fmt: skip
        current = in_force_among(active, today)
        rows = [
            VersionRow(
                v,
                state_of(v, current, today),
                categories.get(v.id, 0),
                items.get(v.id, 0),
                entries.get(v.id, 0),
            )
            for v in active
        ]
        in_force = await rules_of(session, current) if current else None
        return VersionsPage(rows, in_force, draft)

    async def version(self, rule_set_id: UUID) -> tuple[VersionRules, VersionState]:
        """Any version of the district, read-only."""
        today = clock.today()
        rule_set = await self.session.get(RuleSet, _key(rule_set_id))
        if rule_set is None:
            raise NotFound()
        current = in_force_among(await active_versions(self.session), today)
        return await rules_of(self.session, rule_set), state_of(rule_set, current, today)

    async def draft_page(self) -> DraftPage | None:
        draft = await draft_of(self.session)
        if draft is None:
            return None
        rules = await rules_of(self.session, draft)
        spec = await spec_of(self.session, draft)
        active = await active_versions(self.session)
        newest = active[0] if active else None
        changes = differences(await spec_of(self.session, newest), spec) if newest else []
        today = clock.today()
        earliest = today
        if newest and newest.effective_from and newest.effective_from >= today:
            earliest = date.fromordinal(newest.effective_from.toordinal() + 1)
        return DraftPage(rules, problems(spec), newest, changes, earliest)

    async def draft_rules(self) -> VersionRules:
        draft = await draft_of(self.session)
        if draft is None:
            raise NotFound()
        return await rules_of(self.session, draft)

    async def item(self, item_id: UUID) -> ItemRow:
        """An item of the draft, for its edit form; an item of any other version is 404."""
        draft = await draft_of(self.session)
        if draft is None:
            raise NotFound()
        return item_row(await self._draft_item(draft, item_id))

    # --- the draft ----------------------------------------------------------------------

    async def start_draft(self, actor: Actor) -> UUID:
        """A draft copied from the newest active version (the one in force, or one that
        starts later, so the draft builds on what will be in force before it); the
        existing draft if there is one."""
        tenant_id = require_tenant()
        session = self.session
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
            await session.rollback()
            raise Refused(DRAFT_STARTED) from exc
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
        draft = await self._locked_draft()
        await self._changed(draft, actor, "draft_discarded")
        await self.session.delete(draft)  # categories and items go with it (on delete cascade)
        await self.session.commit()

    async def update_settings(self, base_score: str, objection_days: str, actor: Actor) -> None:
        form = parse_settings({"base_score": base_score, "objection_days": objection_days})
        draft = await self._locked_draft()
        changes: dict[str, object] = {}
        if draft.base_score != form.base_score:
            changes["base_score"] = [_text(draft.base_score), _text(form.base_score)]
        if draft.objection_days != form.objection_days:
            changes["objection_days"] = [draft.objection_days, form.objection_days]
        if not changes:
            return
        draft.base_score, draft.objection_days = form.base_score, form.objection_days
        await self._changed(draft, actor, "settings_changed", "", changes)
        await self.session.commit()

    async def add_category(self, name: str, actor: Actor) -> UUID:
        clean = parse_category({"name": name})
        draft = await self._locked_draft()
        last = await self.session.scalar(
            select(func.coalesce(func.max(RuleCategory.position), -1)).where(
                RuleCategory.rule_set_id == draft.id
            )
        )
        category = RuleCategory(tenant_id=draft.tenant_id, id=uuid4(), rule_set_id=draft.id,
                                position=int(last or 0) + 1, name=clean)  # fmt: skip
        self.session.add(category)
        await self._changed(draft, actor, "category_added", clean)
        await commit_or_refuse(self.session, REFUSALS)
        return category.id

    async def rename_category(self, category_id: UUID, name: str, actor: Actor) -> None:
        draft = await self._locked_draft()
        category = await self._draft_category(draft, category_id)
        clean = parse_category({"name": name})
        if clean == category.name:
            return
        before, category.name = category.name, clean
        await self._changed(draft, actor, "category_renamed", clean, {"name": [before, clean]})
        await commit_or_refuse(self.session, REFUSALS)

    async def delete_category(self, category_id: UUID, actor: Actor) -> str:
        """Only an empty category goes, so no item is lost by one tap."""
        draft = await self._locked_draft()
        category = await self._draft_category(draft, category_id)
        count = await self.session.scalar(
            select(func.count()).where(RuleItem.category_id == category.id)
        )
        if count:
            raise Refused(
                N_("The category %(name)s still has %(n)s items. Delete them or move "
                   "them to another category first."),
                name=category.name, n=count,
            )  # fmt: skip
        name = category.name
        await self.session.delete(category)
        await self._changed(draft, actor, "category_deleted", name)
        await self.session.commit()
        return name

    async def add_item(
        self,
        data: Mapping[str, str],
        awarders: Sequence[str],
        actor: Actor,
        feeds: Sequence[str] = (),
    ) -> ItemForm:
        """The item form as submitted (with the ticked `awarders`), read against the
        categories of the draft, locked."""
        draft = await self._locked_draft()
        form = parse_item(data, awarders, await self._category_ids(draft), feeds)
        last = await self.session.scalar(
            select(func.coalesce(func.max(RuleItem.position), 0)).where(
                RuleItem.rule_set_id == draft.id
            )
        )
        self.session.add(
            RuleItem(
                tenant_id=draft.tenant_id, rule_set_id=draft.id, position=int(last or 0) + 1,
                category_id=form.category_id, code=form.code, name=form.name,
                points=form.points, unit=form.unit, cap_quarter=form.cap_quarter,
                cap_year=form.cap_year, evidence_required=form.evidence_required,
                awarders=list(form.awarders), feeds=list(form.feeds),
            )
        )  # fmt: skip
        await self._changed(draft, actor, "item_added", f"{form.code} {form.name}",
                            {"points": [None, _text(form.points)]})  # fmt: skip
        await self.session.commit()
        return form

    async def update_item(
        self,
        item_id: UUID,
        data: Mapping[str, str],
        awarders: Sequence[str],
        actor: Actor,
        feeds: Sequence[str] = (),
    ) -> ItemForm:
        draft = await self._locked_draft()
        item = await self._draft_item(draft, item_id)
        form = parse_item(data, awarders, await self._category_ids(draft), feeds)
        changes: dict[str, object] = {}
        for name in ("category_id", "code", *COMPARED_FIELDS):
            before, after = getattr(item, name), getattr(form, name)
            if name in ("awarders", "feeds"):
                before, after = list(before), list(after)
            if before != after:
                changes[name] = [_text(before), _text(after)]
                setattr(item, name, after)
        if changes:
            await self._changed(draft, actor, "item_changed", f"{form.code} {form.name}", changes)
            await self.session.commit()
        return form

    async def delete_item(self, item_id: UUID, actor: Actor) -> str:
        draft = await self._locked_draft()
        item = await self._draft_item(draft, item_id)
        label = f"{item.code} {item.name}"
        await self.session.delete(item)
        await self._changed(draft, actor, "item_deleted", label)
        await self.session.commit()
        return label

    # --- helpers ------------------------------------------------------------------------

    async def _changed(
        self,
        draft: RuleSet,
        actor: Actor,
        change: str,
        note: str | None = None,
        changes: dict[str, object] | None = None,
    ) -> None:
        """The audit entry of an edit (a discarded draft's has no note)."""
        noted = {"note": note} if note is not None else {}
        await record(
            self.session, actor, "points.draft_changed", subject_type="point_rule_set",
            subject_id=draft.id, subject_name=version_name(draft),
            changes={"change": change, **noted, **(changes or {})},
        )  # fmt: skip

    async def _locked_draft(self) -> RuleSet:
        """The draft, its row locked for this transaction: an activation in between
        would otherwise leave this edit writing to rules that are now in force."""
        draft = await self.session.scalar(
            select(RuleSet)
            .where(RuleSet.status == RuleSetStatus.DRAFT)
            .with_for_update()
            .execution_options(populate_existing=True)  # as it is now, not as read before
        )
        if draft is None:
            raise NotFound()
        return draft

    async def _draft_category(self, draft: RuleSet, category_id: UUID) -> RuleCategory:
        category = await self.session.get(RuleCategory, _key(category_id))
        if category is None or category.rule_set_id != draft.id:
            raise NotFound()
        return category

    async def _draft_item(self, draft: RuleSet, item_id: UUID) -> RuleItem:
        item = await self.session.get(RuleItem, _key(item_id))
        if item is None or item.rule_set_id != draft.id:
            raise NotFound()
        return item

    async def _category_ids(self, draft: RuleSet) -> list[UUID]:
        return list(
            (
                await self.session.scalars(
                    select(RuleCategory.id).where(RuleCategory.rule_set_id == draft.id)
                )
            ).all()
        )
