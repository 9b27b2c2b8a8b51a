"""The district's meeting kinds and thought-report cadence. Only the admin changes them;
each change is one audit line naming what changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.orglife.kinds.forms import parse_cadence, parse_kinds
from app.orglife.models import MeetingKind, OrgLifeSettings

DEFAULT_CADENCE = 3


async def meeting_kinds(session: AsyncSession, *, enabled_only: bool = False) -> list[MeetingKind]:
    """The district's kinds in their order."""
    query = select(MeetingKind).order_by(MeetingKind.position, MeetingKind.code)
    if enabled_only:
        query = query.where(MeetingKind.enabled)
    return list(await session.scalars(query))


async def cadence_months(session: AsyncSession) -> int:
    found = await session.scalar(select(OrgLifeSettings.thought_report_months))
    return found or DEFAULT_CADENCE


class KindService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def kinds(self) -> list[MeetingKind]:
        return await meeting_kinds(self.session)

    async def cadence(self) -> int:
        return await cadence_months(self.session)

    async def save_kinds(self, identity: Identity, data: Mapping[str, str]) -> int:
        """Save every kind's name, frequency, use and order; returns how many changed."""
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        kinds = list(
            await self.session.scalars(
                select(MeetingKind)
                .order_by(MeetingKind.position, MeetingKind.code)
                .with_for_update()
            )
        )
        forms = parse_kinds(kinds, data)
        # Ties keep the order they had.
        ranked = sorted(
            zip(forms, range(len(forms)), strict=True), key=lambda f: (f[0].position, f[1])
        )
        positions = {form.code: number for number, (form, _i) in enumerate(ranked)}
        changed = 0
        for kind, form in zip(kinds, forms, strict=True):
            values: dict[str, Any] = {
                "name": form.name,
                "frequency": form.frequency.value,
                "enabled": form.enabled,
                "position": positions[form.code],
            }
            changes = {key: [getattr(kind, key), value] for key, value in values.items()
                       if getattr(kind, key) != value}  # fmt: skip
            if not changes:
                continue
            if "position" in changes:  # as the form counts: from 1
                changes["position"] = [p + 1 for p in changes["position"]]
            for key, value in values.items():
                setattr(kind, key, value)
            changed += 1
            await record(
                self.session, identity.actor, "meeting_kind.changed", subject_type="meeting_kind",
                subject_name=kind.name, changes=changes,
            )  # fmt: skip
        await self.session.flush()
        return changed

    async def set_cadence(self, identity: Identity, data: Mapping[str, str]) -> int:
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()
        months = parse_cadence(data)
        settings = await self.session.scalar(select(OrgLifeSettings).with_for_update())
        if settings is None:  # a district made before the preset had it
            settings = OrgLifeSettings(
                tenant_id=require_tenant(), thought_report_months=DEFAULT_CADENCE
            )
            self.session.add(settings)
        before = settings.thought_report_months
        if before == months:
            return months
        settings.thought_report_months = months
        settings.changed_by_name, settings.changed_at = identity.name, clock.now()
        await record(
            self.session, identity.actor, "orglife.cadence_changed",
            subject_type="orglife_settings", changes={"thought_report_months": [before, months]},
        )  # fmt: skip
        await self.session.flush()
        return months
