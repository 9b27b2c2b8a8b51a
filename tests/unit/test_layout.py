"""The README's layout is the code's: every folder and file it names exists, every
package of the app (capabilities and their sub-packages) is named, and no two
template folders hold a template of the same name (they share one namespace)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from app.settings import PROJECT_ROOT
from app.web.templates import TEMPLATE_DIRS

ENTRY = re.compile(r"^(?P<indent> *)(?P<name>[\w.-]+/?)(?=\s|$)")


def layout_entries() -> list[Path]:
    """The paths the README's layout tree names, from the indentation (two spaces a
    level); a name ending in / is a folder."""
    text = (PROJECT_ROOT / "README.md").read_text()
    block = text.split("### Layout", 1)[1].split("```", 2)[1]
    paths: list[Path] = []
    parents: list[tuple[int, Path]] = []
    for line in block.splitlines():
        found = ENTRY.match(line)
        if not found or len(found["indent"]) > 12:  # a description's second line
            continue
        depth = len(found["indent"]) // 2
        parents = parents[:depth]
        base = parents[-1][1] if parents else PROJECT_ROOT
        path = base / found["name"].rstrip("/")
        paths.append(path)
        if found["name"].endswith("/"):
            parents.append((depth, path))
    return paths


def test_every_path_the_layout_names_exists() -> None:
    entries = layout_entries()
    assert len(entries) > 30
    assert [str(p.relative_to(PROJECT_ROOT)) for p in entries if not p.exists()] == []


def test_every_package_is_in_the_layout() -> None:
    named = set(layout_entries())
    packages = [
        init.parent
        for init in (PROJECT_ROOT / "app").rglob("__init__.py")
        if "templates" not in init.parts and "locales" not in init.parts
    ]
    missing = [str(p.relative_to(PROJECT_ROOT)) for p in packages if p not in named]
    assert missing == [], "name these packages in the README's layout"


def test_template_names_are_unique() -> None:
    names = Counter(
        str(path.relative_to(folder))
        for folder in map(Path, TEMPLATE_DIRS)
        for path in folder.rglob("*.html")
    )
    assert [name for name, count in names.items() if count > 1] == []
