"""What a new district starts from, read from the TOML files beside this module into
plain data. It knows no model and no capability: installing a preset is the job of the
capability it fills (app.points.rules.versions for a scheme's point rules,
app.service_requests.presets for the grid-service settings), which also checks what
only it understands.

- `schemes/*.toml`: the points schemes a bureau chooses from at signup — names and
  descriptions in both languages, and the point rules (`[rules]`).
- `service/standard.toml`: the meeting day, must-visit rules, service request
  categories and the escalation chain every district starts with.
- `orglife/standard.toml`: the meeting kinds a branch owes and how often, and the
  cadence of mobile members' thought reports.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PRESET_DIR = Path(__file__).parent
SCHEME_DIR = PRESET_DIR / "schemes"
STANDARD_SERVICE = PRESET_DIR / "service" / "standard.toml"
STANDARD_ORGLIFE = PRESET_DIR / "orglife" / "standard.toml"


class PresetError(ValueError):
    pass


@dataclass(frozen=True)
class Preset:
    """A points scheme: its names and description, and its `[rules]` table as written
    (app.points.rules.spec.spec_from_mapping reads it)."""

    key: str
    name: str
    name_en: str
    description: str
    description_en: str
    rules: dict[str, Any]

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else self.name_en

    def summary(self, locale: str) -> str:
        return self.description if locale.startswith("zh") else self.description_en


TEXT_FIELDS = ("key", "name", "name_en", "description", "description_en")


def _document(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path.name}: {exc}") from exc


def load_preset(path: Path) -> Preset:
    document = _document(path)
    try:
        data = document["preset"]
        texts = {field: str(data[field]) for field in TEXT_FIELDS}
        rules = document["rules"]
    except (KeyError, TypeError) as exc:
        raise PresetError(f"{path.name}: missing {exc}") from exc
    if not isinstance(rules, dict):
        raise PresetError(f"{path.name}: [rules] must be a table")
    if texts["key"] != path.stem:
        raise PresetError(f"{path.name}: key {texts['key']!r} must match the file name")
    return Preset(**texts, rules=rules)


@lru_cache(maxsize=1)
def all_presets() -> dict[str, Preset]:
    return {p.key: p for p in map(load_preset, sorted(SCHEME_DIR.glob("*.toml")))}


@dataclass(frozen=True)
class ServicePreset:
    """The grid-service preset's tables as written."""

    meeting_day: int
    visit_rules: tuple[dict[str, Any], ...]
    categories: tuple[dict[str, Any], ...]
    levels: tuple[dict[str, Any], ...]


def load_service_preset(path: Path = STANDARD_SERVICE) -> ServicePreset:
    document = _document(path)
    try:
        return ServicePreset(
            meeting_day=int(document["service"]["meeting_day"]),
            visit_rules=tuple(document["visit_rule"]),
            categories=tuple(document["request_category"]),
            levels=tuple(document["escalation_level"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PresetError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=1)
def standard_service_preset() -> ServicePreset:
    return load_service_preset()


@dataclass(frozen=True)
class OrgLifePreset:
    """The organisational-life preset's tables as written."""

    thought_report_months: int
    meeting_kinds: tuple[dict[str, Any], ...]


def load_orglife_preset(path: Path = STANDARD_ORGLIFE) -> OrgLifePreset:
    document = _document(path)
    try:
        return OrgLifePreset(
            thought_report_months=int(document["orglife"]["thought_report_months"]),
            meeting_kinds=tuple(document["meeting_kind"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PresetError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=1)
def standard_orglife_preset() -> OrgLifePreset:
    return load_orglife_preset()
