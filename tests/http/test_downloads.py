"""Every download: a plain link, saved by the browser, kept by no cache.

The routes come from the app (those declaring `opt=DOWNLOAD`), so a new download is
checked without being listed here.
"""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.web.templates import TEMPLATE_DIRS
from tests.factories import World, make_roster
from tests.http.conftest import Browser
from tests.http.test_isolation import OWNED_BY_A, _enumeration_app, _path

LINK = re.compile(r"<a\s[^>]*>", re.S)
HREF = re.compile(r'href="([^"]+)"')


def download_routes() -> list[str]:
    return sorted(
        route.path
        for route in _enumeration_app().routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("download")
    )


def test_the_downloads_are_found() -> None:
    assert {
        "/people/imports/{import_id:uuid}/problems.xlsx",
        "/reports/{report_id:uuid}/file",
    } <= set(download_routes())


def test_every_link_to_a_download_is_plain() -> None:
    """hx-boost would fetch the file with XMLHttpRequest and pour it into the page."""
    patterns = [
        re.compile("^" + re.sub(r"\\\{[^}]*\\\}", ".+?", re.escape(path)) + r"(\?|$)")
        for path in download_routes()
    ]
    found = []
    for template in (path for folder in TEMPLATE_DIRS for path in Path(folder).rglob("*.html")):
        for tag in LINK.findall(template.read_text()):
            href = HREF.search(tag)
            if href and any(p.match(href.group(1)) for p in patterns):
                found.append(template.name)
                assert 'hx-boost="false"' in tag and " download" in tag, (template, tag)
    assert len(found) >= 2


async def _checked_import_of_a(world: World, services: AppServices) -> str:
    """An import whose dry run found a row to fix (the rows-to-fix download needs one)."""
    from app.core.identity import Actor
    from app.people.imports import worker
    from app.people.imports.service import ImportService

    admin = world.a.users[Role.TENANT_ADMIN]
    roster = "姓名,性别,出生年月,手机\n甲某,男,1949.10,13800138000\n乙某,男,1949.13,\n"
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            import_id = await ImportService(session, services.cipher, services.redis).upload(
                "a.csv", roster.encode(), "veteran", Actor("user", admin.name, admin.id)
            )
        await worker.check(services.db, services.cipher, import_id)
    return str(import_id)


async def test_downloads_are_not_cached_and_htmx_lets_the_browser_save_them(
    app: Litestar, browser: Browser, world: World, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    roster = await make_roster(services, world.a)  # one roster for both its makers

    async def person(*_: object) -> str:
        return str(roster.person_1)

    async def unit(*_: object) -> str:
        return str(roster.branch_1)

    made = OWNED_BY_A | {"import_id": _checked_import_of_a, "person_id": person, "unit_id": unit}
    for template in download_routes():
        route = next(r for r in app.routes if r.path == template)
        values = {p: await made[p](world, services) for p in route.path_parameters}
        url = _path(template, values)
        response = await browser.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-disposition"].startswith("attachment;"), url
        assert response.headers["cache-control"] == "no-store", url
        boosted = await browser.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
        assert boosted.headers.get("hx-redirect") == url
        assert boosted.content == b""
