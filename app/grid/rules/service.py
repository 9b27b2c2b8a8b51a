"""The district's must-visit rules (四必访 / 五个必访) and its meeting day (见面日), as
the district admin tunes them after the preset.

A rule keeps its trigger (and holiday); the admin may rename it, switch it on or off,
widen or narrow a holiday's window, change a concern's deadline, and say whether it
is for party members only or needs a visit in person. The due items of a changed rule
are written again in the same transaction (app.grid.due.rule_changed), so the due
list never shows a window the rule no longer has.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.grid.due import rule_changed
from app.grid.models import ServiceSettings, VisitRule
from app.grid.rules.forms import parse_meeting_day, parse_rule_form

DEFAULT_MEETING_DAY = 10


class VisitRuleService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rules(self) -> list[VisitRule]:
        found = await self.session.scalars(
            select(VisitRule).order_by(VisitRule.position, VisitRule.name)
        )
        return list(found)

    async def rule(self, rule_id: UUID) -> VisitRule:
        rule = await self.session.get(VisitRule, {"tenant_id": require_tenant(), "id": rule_id})
        if rule is None:
            raise NotFound()
        return rule

    async def meeting_day(self) -> int:
        found = await self.session.scalar(select(ServiceSettings.meeting_day))
        return found or DEFAULT_MEETING_DAY

    async def update_rule(
        self, identity: Identity, rule_id: UUID, data: Mapping[str, str]
    ) -> VisitRule:
        """Save the rule and write its due items again; the form's fields are read
        only once the rule is known to be this district's (NotFound first)."""
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        session = self.session
        rule = await session.scalar(
            select(VisitRule).where(VisitRule.id == rule_id).with_for_update()
        )
        if rule is None:
            raise NotFound()
        values = parse_rule_form(rule, data).values()
        changes = {
            key: [getattr(rule, key), value]
            for key, value in values.items()
            if getattr(rule, key) != value
        }
        if not changes:
            return rule
        for key, value in values.items():
            setattr(rule, key, value)
        await session.flush()
        await rule_changed(session, rule.id, clock.today())
        await record(
            session, identity.actor, "visit_rule.changed", subject_type="visit_rule",
            subject_id=rule.id, subject_name=rule.name, changes=changes,
        )  # fmt: skip
        await session.commit()
        return rule

    async def set_meeting_day(self, identity: Identity, data: Mapping[str, str]) -> int:
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        day = parse_meeting_day(data)
        session = self.session
        before = await session.scalar(select(ServiceSettings.meeting_day).with_for_update())
        if before == day:
            return day
        await session.execute(
            insert(ServiceSettings)
            .values(tenant_id=require_tenant(), meeting_day=day, updated_at=clock.now())
            .on_conflict_do_update(
                index_elements=["tenant_id"],
                set_={"meeting_day": day, "updated_at": clock.now()},
            )
        )
        await record(
            session, identity.actor, "service.meeting_day_changed",
            subject_type="service_settings", changes={"meeting_day": [before, day]},
        )  # fmt: skip
        await session.commit()
        return day
