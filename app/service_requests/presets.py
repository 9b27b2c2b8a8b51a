"""The grid-service preset every new district starts from: the meeting day, must-visit
rules, service request categories with their SLAs, and the escalation chain.

One file (standard.toml), validated on load; `install_service_preset` copies it into a
district at signup, in the demo and in test factories.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.grid.models import ServiceSettings, Trigger, VisitRule
from app.grid.occasions import HOLIDAYS
from app.service_requests.models import EscalationLevel, Holder, RequestCategory

STANDARD = Path(__file__).parent / "standard.toml"


class ServicePresetError(ValueError):
    pass


@dataclass(frozen=True)
class ServicePreset:
    meeting_day: int
    visit_rules: tuple[dict[str, Any], ...]
    categories: tuple[dict[str, Any], ...]
    levels: tuple[dict[str, Any], ...]


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
        raise ServicePresetError(f"visit rule {rule['code']}: holiday must name one of {HOLIDAYS}")
    if (trigger in (Trigger.BIRTHDAY, Trigger.HOLIDAY)) != (rule["due_hours"] is None):
        raise ServicePresetError(f"visit rule {rule['code']}: due_hours is for concerns only")
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
        raise ServicePresetError(f"category {category['code']}: sla_hours or same_day_by")
    return category


def _level(raw: dict[str, Any]) -> dict[str, Any]:
    level = {
        "level": int(raw["level"]),
        "name": str(raw["name"]),
        "holder": Holder(raw["holder"]).value,
        "limit_hours": raw.get("limit_hours"),
    }
    if (level["level"] == 1) != (level["limit_hours"] is None):
        raise ServicePresetError("escalation: level 1 runs on the SLA, later levels need limits")
    return level


def load_service_preset(path: Path = STANDARD) -> ServicePreset:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        preset = ServicePreset(
            meeting_day=int(document["service"]["meeting_day"]),
            visit_rules=tuple(map(_visit_rule, document["visit_rule"])),
            categories=tuple(map(_category, document["request_category"])),
            levels=tuple(map(_level, document["escalation_level"])),
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ServicePresetError(f"{path.name}: {exc}") from exc
    levels = [level["level"] for level in preset.levels]
    if levels != list(range(1, len(levels) + 1)):
        raise ServicePresetError(f"{path.name}: escalation levels must run 1, 2, 3 …")
    return preset


@lru_cache(maxsize=1)
def standard_preset() -> ServicePreset:
    return load_service_preset()


async def install_service_preset(session: AsyncSession, tenant_id: UUID) -> None:
    """Copy the standard preset into a new district (in the caller's transaction)."""
    preset = standard_preset()
    session.add(ServiceSettings(tenant_id=tenant_id, meeting_day=preset.meeting_day))
    for position, rule in enumerate(preset.visit_rules):
        session.add(VisitRule(tenant_id=tenant_id, position=position, **rule))
    for position, category in enumerate(preset.categories):
        session.add(RequestCategory(tenant_id=tenant_id, position=position, **category))
    for level in preset.levels:
        session.add(EscalationLevel(tenant_id=tenant_id, **level))
    await session.flush()
