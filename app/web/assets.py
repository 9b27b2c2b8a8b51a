"""Stylesheets and scripts, bundled and named by their content.

A phone inside WeChat on 3G pays a few hundred milliseconds for every request and
every kilobyte: the stylesheets are served as one file and the scripts as another,
gzip-compressed once, under a name that carries a hash of their content
(`/assets/app.3f2a9c1b07.css`). Such a name never changes meaning, so browsers keep the
file for a year without asking again; a deploy that changes a file changes its name.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

# In cascade order: the shell first, then one file per capability.
BUNDLES: dict[str, tuple[str, ...]] = {
    "app.css": (
        "css/base.css", "css/forms.css", "css/tables.css", "css/roster.css", "css/points.css",
        "css/points-rules.css", "css/points-publications.css", "css/grid.css",
        "css/grid-admin.css", "css/grid-coverage.css", "css/requests.css", "css/home.css",
        "css/reports.css", "css/orglife.css",
        "css/notifications.css",
        "css/volunteering-certificates.css",
        "css/charts.css",
        "css/volunteering.css",
        "css/care-surveys.css",
        "css/care-political-birthdays.css",
        "css/care-aid.css",
        "css/care-after-cards.css",
        "css/care-calendar.css",
    ),
    "app.js": (
        "vendor/htmx.min.js", "js/keep-form.js", "js/sending.js", "js/unread.js",
        "js/charts.js", "js/attendance.js", "js/print.js",
    ),
    # Fetched by charts.js only on a page that has a chart (~240 KB compressed).
    "echarts.js": ("vendor/echarts.common.min.js",),
}  # fmt: skip
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    name: str
    """As templates ask for it: app.css."""
    hashed_name: str
    """As it is served: app.3f2a9c1b07.css."""
    media_type: str
    body: bytes
    gzipped: bytes


CSS_COMMENT = re.compile(rb"/\*.*?\*/", re.S)
"""Stylesheets say why in comments, for their readers; phones need none of it (a
quarter of the stylesheets' bytes on the wire). No rule here holds "/*" in a string."""


def build(root: Path, name: str) -> Asset:
    """Join a bundle's files (a newline between, so a file without one cannot run into
    the next), drop a stylesheet's comments, and compress it once, at the highest
    level: it is served many times."""
    body = b"\n".join((root / part).read_bytes() for part in BUNDLES[name])
    stem, suffix = name.rsplit(".", 1)
    if suffix == "css":
        body = CSS_COMMENT.sub(b"", body)
    digest = hashlib.sha256(body).hexdigest()[:10]
    return Asset(
        name=name,
        hashed_name=f"{stem}.{digest}.{suffix}",
        media_type=MEDIA_TYPES[f".{suffix}"],
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
    )


class Assets:
    """The bundles of one process. In development they are rebuilt when a file
    changes, so an edited stylesheet shows on the next page without a restart."""

    def __init__(self, root: Path, *, watch: bool) -> None:
        self.root = root
        self.watch = watch
        self._built: dict[str, tuple[tuple[float, ...], Asset]] = {}

    def get(self, name: str) -> Asset:
        stamps = self._stamps(name) if self.watch else ()
        built = self._built.get(name)
        if built is None or built[0] != stamps:
            built = (stamps, build(self.root, name))
            self._built[name] = built
        return built[1]

    def url(self, name: str) -> str:
        return f"/assets/{self.get(name).hashed_name}"

    def find(self, hashed_name: str) -> tuple[Asset, bool] | None:
        """The bundle a served name stands for, and whether the name is its current
        one (a page rendered before a deploy may still ask for the old name)."""
        stem, _, suffix = hashed_name.partition(".")
        name = f"{stem}.{suffix.rsplit('.', 1)[-1]}"
        if name not in BUNDLES:
            return None
        asset = self.get(name)
        return asset, asset.hashed_name == hashed_name

    def _stamps(self, name: str) -> tuple[float, ...]:
        return tuple((self.root / part).stat().st_mtime for part in BUNDLES[name])
