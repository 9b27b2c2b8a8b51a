"""Presets a new district starts from: TOML files beside this module, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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

    def label(self, locale: str) -> str:
        return self.name if locale.startswith("zh") else self.name_en

    def summary(self, locale: str) -> str:
        return self.description if locale.startswith("zh") else self.description_en


def load_preset(path: Path) -> Preset:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))["preset"]
        preset = Preset(**{field: str(data[field]) for field in Preset.__dataclass_fields__})
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{path.name}: {exc}") from exc
    if preset.key != path.stem:
        raise PresetError(f"{path.name}: key {preset.key!r} must match the file name")
    return preset


@lru_cache(maxsize=1)
def all_presets() -> dict[str, Preset]:
    return {p.key: p for p in map(load_preset, sorted(PRESET_DIR.glob("*.toml")))}
