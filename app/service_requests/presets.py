"""Installing the grid-service preset (app.presets: the meeting day, must-visit rules,
service request categories with their SLAs, and the escalation chain) into a new
district, at signup, in the demo and in test factories.

It fills grid and service-request tables, so it lives here, above grid. The rows are
checked against what those capabilities know (triggers, holidays, holders) when first
built; a preset that breaks a rule raises PresetError.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.grid.due import CALENDAR_TRIGGERS
from app.grid.models import ServiceSettings, Trigger, VisitRule
from app.grid.occasions import HOLIDAYS
from app.presets import PresetError, ServicePreset, standard_service_preset
from app.service_requests.models import EscalationLevel, Holder, RequestCategory


def _visit_rule(raw: dict[str, Any]) -> dict[str, Any]:
    trigger = Trigger(raw["trigger"])
    rule = {
        "code": str(raw["code"]),
        "name": str(raw["name"]),
        "trigger": trigger.value,
        "holiday": raw.get("holiday"),
        "days_before": int(raw.get("days_before", 0)),
        "days_after": int(raw.get("days_after", 0)),
        "due_hours": raw.get("due_hours"),
        "party_only": bool(raw.get("party_only", False)),
        "in_person": bool(raw.get("in_person", False)),
        "enabled": bool(raw.get("enabled", True)),
    }
    if (trigger == Trigger.HOLIDAY) != (rule["holiday"] in HOLIDAYS):
        raise PresetError(f"visit rule {rule['code']}: holiday must name one of {HOLIDAYS}")
    if (trigger in CALENDAR_TRIGGERS) != (rule["due_hours"] is None):
        raise PresetError(f"visit rule {rule['code']}: due_hours is for concerns only")
    return rule


def _category(raw: dict[str, Any]) -> dict[str, Any]:
    by = raw.get("same_day_by")
    category = {
        "code": str(raw["code"]),
        "name": str(raw["name"]),
        "sla_hours": raw.get("sla_hours"),
        "same_day_by": time.fromisoformat(by) if by else None,
    }
    if (category["sla_hours"] is None) == (by is None):
        raise PresetError(f"category {category['code']}: sla_hours or same_day_by")
    return category


def _level(raw: dict[str, Any]) -> dict[str, Any]:
    level = {
        "level": int(raw["level"]),
        "name": str(raw["name"]),
        "holder": Holder(raw["holder"]).value,
        "limit_hours": raw.get("limit_hours"),
    }
    if (level["level"] == 1) != (level["limit_hours"] is None):
        raise PresetError("escalation: level 1 runs on the SLA, later levels need limits")
    return level


ServiceRows = tuple[tuple[dict[str, Any], ...], ...]


def service_rows(preset: ServicePreset) -> ServiceRows:
    """The preset's visit rules, categories and escalation levels as table rows."""
    try:
        rows = (
            tuple(map(_visit_rule, preset.visit_rules)),
            tuple(map(_category, preset.categories)),
            tuple(map(_level, preset.levels)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PresetError(f"service preset: {exc}") from exc
    levels = [level["level"] for level in rows[2]]
    if levels != list(range(1, len(levels) + 1)):
        raise PresetError("service preset: escalation levels must run 1, 2, 3 …")
    return rows


@lru_cache(maxsize=1)
def _standard_rows() -> ServiceRows:
    return service_rows(standard_service_preset())


async def install_service_preset(session: AsyncSession, tenant_id: UUID) -> None:
    """Copy the standard preset into a new district (in the caller's transaction)."""
    visit_rules, categories, levels = _standard_rows()
    session.add(
        ServiceSettings(tenant_id=tenant_id, meeting_day=standard_service_preset().meeting_day)
    )
    for position, rule in enumerate(visit_rules):
        session.add(VisitRule(tenant_id=tenant_id, position=position, **rule))
    for position, category in enumerate(categories):
        session.add(RequestCategory(tenant_id=tenant_id, position=position, **category))
    for level in levels:
        session.add(EscalationLevel(tenant_id=tenant_id, **level))
    await session.flush()
