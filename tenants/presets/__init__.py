"""Presets a new district starts from: TOML files beside this module, validated on load.

A preset names the scheme and holds its point rules (`[rules]`), checked by the same
rules.problems() a draft must pass before activation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.points.rules.spec import (
    RuleSetSpec,
    RuleSetSpecError,
    describe,
    problems,
    spec_from_mapping,
)

PRESET_DIR = Path(__file__).parent


class PresetError(ValueError):
    pass


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    name_en: str
    description: str
    description_en: str
    rules: RuleSetSpec

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else self.name_en

    def summary(self, locale: str) -> str:
        return self.description if locale.startswith("zh") else self.description_en


TEXT_FIELDS = ("key", "name", "name_en", "description", "description_en")


def load_preset(path: Path) -> Preset:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        data = document["preset"]
        texts = {field: str(data[field]) for field in TEXT_FIELDS}
        preset = Preset(**texts, rules=spec_from_mapping(document["rules"]))
    except (KeyError, TypeError, ValueError, RuleSetSpecError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path.name}: {exc}") from exc
    if found := problems(preset.rules):
        raise PresetError(f"{path.name}: " + "; ".join(describe(found)))
    if preset.key != path.stem:
        raise PresetError(f"{path.name}: key {preset.key!r} must match the file name")
    return preset


@lru_cache(maxsize=1)
def all_presets() -> dict[str, Preset]:
    return {p.key: p for p in map(load_preset, sorted(PRESET_DIR.glob("*.toml")))}
