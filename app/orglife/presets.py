"""The organisational-life preset a new district starts from (app/presets/orglife/)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.orglife.models import Frequency, MeetingKind, OrgLifeSettings
from app.points.feeds import MeetingKindCode
from app.presets import OrgLifePreset, PresetError, standard_orglife_preset


def kind_rows(preset: OrgLifePreset) -> list[dict[str, Any]]:
    """The meeting kinds as rows; raises when a code or frequency is unknown."""
    rows = []
    for raw in preset.meeting_kinds:
        try:
            code = MeetingKindCode(raw["code"])
            frequency = Frequency(raw["frequency"])
        except (KeyError, ValueError) as exc:
            raise PresetError(f"orglife preset: {exc}") from exc
        rows.append({"code": code, "name": str(raw["name"]), "frequency": frequency,
                     "enabled": bool(raw.get("enabled", True))})  # fmt: skip
    if len({row["code"] for row in rows}) != len(rows):
        raise PresetError("orglife preset: a meeting kind is listed twice")
    return rows


@lru_cache(maxsize=1)
def _standard_rows() -> list[dict[str, Any]]:
    return kind_rows(standard_orglife_preset())


async def install_orglife_preset(session: AsyncSession, tenant_id: UUID) -> None:
    """Copy the standard preset into a new district (in the caller's transaction)."""
    preset = standard_orglife_preset()
    session.add(
        OrgLifeSettings(tenant_id=tenant_id, thought_report_months=preset.thought_report_months)
    )
    for position, row in enumerate(_standard_rows()):
        session.add(MeetingKind(tenant_id=tenant_id, position=position, **row))
    await session.flush()
