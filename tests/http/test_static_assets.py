"""What a phone downloads: pages compressed, stylesheets and scripts as two bundles,
compressed, named by their content and kept for a year."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from app.core.roles import Role
from app.settings import PROJECT_ROOT
from app.web.assets import BUNDLES, Assets
from tests.factories import World
from tests.http.conftest import Browser

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


async def test_a_grid_workers_first_load_is_small_and_cached_for_a_year(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.client.get("/grid", headers=GZIP)
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["vary"] and "HX-Request" in page.headers["vary"]
    assert page.headers["cache-control"] == "no-store"  # pages hold personal data
    wire = int(page.headers["content-length"])
    bundles = re.findall(r'(?:href|src)="(/assets/app\.[0-9a-f]{10}\.(?:css|js))"', page.text)
    assert len(bundles) == 2, bundles
    assert "/static/css/" not in page.text and "/static/js/" not in page.text
    for url in bundles:
        response = await browser.client.get(url, headers=GZIP)
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "set-cookie" not in response.headers
        wire += int(response.headers["content-length"])
        plain = await browser.client.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert gzip.decompress(await _raw(browser, url)) == plain.content
    # About 104 KB before compression; the issue measured ~30 KB gzipped.
    print(f"first load: {wire} bytes on the wire")
    assert wire < 40_000, f"{wire} bytes on the wire for the first load"


async def _raw(browser: Browser, url: str) -> bytes:
    async with browser.client.stream("GET", url, headers=GZIP) as response:
        return b"".join([chunk async for chunk in response.aiter_raw()])


async def test_an_old_bundle_name_gets_todays_file_without_the_long_cache(
    browser: Browser,
) -> None:
    response = await browser.client.get("/assets/app.0000000000.css")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert b".site-header" in response.content
    assert (await browser.client.get("/assets/other.0000000000.css")).status_code == 404
    assert (await browser.client.get("/assets/..%2Fsettings.py")).status_code == 404


def test_a_changed_file_changes_the_bundles_name(tmp_path: Path) -> None:
    for part in BUNDLES["app.css"]:
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / part).write_text(f"/* {part} */\n")
    assets = Assets(tmp_path, watch=True)
    before = assets.url("app.css")
    assert assets.url("app.css") == before
    (tmp_path / "css/grid.css").write_text(".due { color: red; }\n")
    after = assets.url("app.css")
    assert after != before
    found = assets.find(before.removeprefix("/assets/"))
    assert found is not None and found[1] is False  # an old name: not the current file
    assert b".due { color: red; }" in found[0].body


def test_every_stylesheet_and_script_is_in_a_bundle() -> None:
    on_disk = {
        str(path.relative_to(PROJECT_ROOT / "static"))
        for pattern in ("css/*.css", "js/*.js")
        for path in (PROJECT_ROOT / "static").glob(pattern)
    }
    bundled = {part for parts in BUNDLES.values() for part in parts}
    assert on_disk <= bundled, f"add {on_disk - bundled} to app.web.assets.BUNDLES"


async def test_the_favicon_is_there_and_kept(browser: Browser) -> None:
    """Browsers ask for /favicon.ico on every page; a 404 each time is noise in the logs."""
    response = await browser.client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    assert (
        response.content[:4] == b"\x00\x00\x01\x00"
        and "max-age" in response.headers["cache-control"]
    )
