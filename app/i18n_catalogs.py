"""Keep the Babel catalogs in step with the code: `python -m app.i18n_catalogs`.

Extracts messages, updates zh_CN and en, fills en with the English source text (the
msgids are English), compiles .mo files, and with `--check` fails when any message
lacks a translation — the test suite runs that check.
"""

from __future__ import annotations

import subprocess
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app.i18n import LOCALE_DIR, LOCALES
from app.settings import PROJECT_ROOT

POT = LOCALE_DIR / "messages.pot"


def po_path(locale: str):  # type: ignore[no-untyped-def]
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def extract() -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_", "--no-location", "--sort-output", "--omit-header",
         # Babel skips folders whose names start with "_" unless told which to skip:
         # the shell's partials (templates/_partials) hold strings too.
         "--ignore-dirs", ".* node_modules",
         "-o", str(POT), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )  # fmt: skip


def update() -> None:
    with POT.open("rb") as fh:
        template = read_po(fh)
    for locale in LOCALES:
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = read_po(POT.open("rb"), locale=locale)
            catalog.locale = locale  # type: ignore[assignment]
        if locale == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        catalog.obsolete.clear()
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=100)


def untranslated() -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    with POT.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    for locale in LOCALES:
        with po_path(locale).open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        done = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        missing[locale] = sorted(str(i) for i in wanted - done)
    return {k: v for k, v in missing.items() if v}


def compile_all() -> None:
    for locale in LOCALES:
        with po_path(locale).open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        with po_path(locale).with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        compile_all()
        return 0
    extract()
    if "--check" in argv:
        missing = untranslated()
        for locale, ids in missing.items():
            print(f"{locale}: {len(ids)} untranslated", *ids[:20], sep="\n  ")
        return 1 if missing else 0
    update()
    compile_all()
    missing = untranslated()
    for locale, ids in missing.items():
        print(f"{locale}: {len(ids)} untranslated — edit {po_path(locale)}", *ids[:20], sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
