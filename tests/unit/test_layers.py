"""The layers hold: no module imports one above it.

Low to high (README, "How it is built"): the core and the database layer; tenancy;
the capabilities, each above those it builds on; what composes them (identity
loading, the dashboard, the change log in words); the web layer, the CLI, workers and
the demo. A capability's `routes`, `deps` and `jobs` modules are where requests and
queued jobs come in: they belong to the top layer; its services never import app.web.
Imports inside functions count too — a late import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from app.settings import PROJECT_ROOT

LAYERS: list[tuple[str, ...]] = [
    ("app.core", "app.db", "app.i18n", "app.settings", "app.logging", "app.regions",
     "app.embedded", "app.presets"),
    ("tenants",),
    ("app.audit.models", "app.audit.service"),
    ("app.accounts",),
    ("app.notifications",),
    ("app.people",),
    ("app.grid",),
    ("app.service_requests",),
    ("app.points",),
    ("app.orglife",),
    ("app.volunteering",),
    ("app.care",),
    ("app.signup",),
    ("app.reports",),
    ("app.dashboard", "app.audit", "app.health"),
    ("app.access", "app.i18n_catalogs"),
    ("app.web", "app.state", "app.main", "app.cli", "app.supervisor", "app.demo", "workers"),
]  # fmt: skip
"""Each module belongs to the layer of the longest prefix that names it."""

WEB = ("app.web", "app.main")


def layer_of(module: str) -> int:
    if module == "app":  # the package itself: an empty __init__
        return 0
    if _is_entry_point(module):  # a capability's routes and jobs are web and worker code
        return len(LAYERS) - 1
    found = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert found, f"{module} is in no layer: add it to LAYERS"
    return max(found)[1]


def modules() -> Iterator[tuple[str, Path]]:
    for root in ("app", "tenants", "workers"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def imports_of(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """Every project module `path` imports (at the top or inside a function)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("app", "tenants", "workers") and _exists(name):
                yield name, node.lineno


def _exists(name: str) -> bool:
    path = PROJECT_ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _is_entry_point(module: str) -> bool:
    """A capability's routes, the providers that build its services for them (`deps`),
    or its jobs: where a request or a queued job comes in."""
    parts = module.split(".")
    return parts[0] == "app" and len(parts) > 2 and parts[-1] in ("routes", "deps", "jobs")


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for module, path in modules():
        mine = layer_of(module)
        for imported, line in imports_of(path, module):
            if layer_of(imported) > mine:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_services_never_import_the_web_layer() -> None:
    wrong = []
    for module, path in modules():
        if layer_of(module) == len(LAYERS) - 1:
            continue
        for imported, line in imports_of(path, module):
            if imported.startswith(WEB):
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above can fail: a core module importing a capability is caught."""
    fake = tmp_path / "fake.py"
    fake.write_text("from app.people.models import Person\n")
    found = list(imports_of(fake, "app.core.fake"))
    assert ("app.people.models", 1) in found
    assert layer_of("app.people.models") > layer_of("app.core.fake")
