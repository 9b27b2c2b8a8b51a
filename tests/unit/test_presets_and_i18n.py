from __future__ import annotations

from pathlib import Path

import pytest

from app import i18n_catalogs
from app.i18n import _, current_locale
from app.points.rules.spec import describe, problems, spec_from_mapping
from app.presets import PresetError, all_presets, load_preset, standard_service_preset
from app.service_requests.presets import service_rows
from app.web import flash


def test_shipped_presets_load() -> None:
    presets = all_presets()
    assert {"qingdao-six-categories", "yanzhou-base-score"} <= set(presets)
    assert presets["yanzhou-base-score"].label("zh_CN").startswith("亮化记分")
    for preset in presets.values():  # rules a draft would have to pass to be activated
        assert describe(problems(spec_from_mapping(preset.rules))) == [], preset.key
    visit_rules, categories, levels = service_rows(standard_service_preset())
    assert visit_rules and categories and [level["level"] for level in levels] == [1, 2, 3]


@pytest.mark.parametrize(
    "content",
    [
        "[preset]\nkey = 'broken'\n",
        "not toml at all [",
        "[preset]\nkey = 'other'\nname='a'\nname_en='a'\ndescription='a'\ndescription_en='a'\n",
    ],
)
def test_invalid_presets_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content)
    with pytest.raises(PresetError):
        load_preset(path)


def test_every_message_is_translated_in_both_catalogs() -> None:
    """Runs the extraction: a new string without zh_CN and en translations fails here."""
    i18n_catalogs.extract()
    assert i18n_catalogs.untranslated() == {}


def test_zh_cn_is_the_default_and_en_is_available() -> None:
    assert _("Log in") == "登录"
    token = current_locale.set("en")
    try:
        assert _("Log in") == "Log in"
    finally:
        current_locale.reset(token)


@pytest.mark.parametrize("raw", ["", "%%%", "bm90IGpzb24=", "eyJhIjogMX0="])
def test_forged_flash_cookies_are_ignored(raw: str) -> None:
    assert flash.decode(raw) == []
