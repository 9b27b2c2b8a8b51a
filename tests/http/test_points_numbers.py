"""Points are written one way everywhere: 3, 2.5, -1, +5 — never 3.0, -1.00 or 1.50.

The pages a secretary and an admin read are scanned after the flows that put numbers
on them (an award in half hours, a cap reached, a correction, a claim waiting, an open
ranking, a draft and its preview, the change log), and so are the flash messages and
the refusals; the downloaded ledger keeps numbers as numbers without a forced decimal.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.models import PointEvent
from app.points.periods import half_of, quarter_of
from app.state import AppServices
from tests.factories import PointsRoster, World, make_points_roster, make_world
from tests.http.conftest import Browser
from tests.http.test_points import claim_form, item_id
from tests.reports import report_file, report_form

# A decimal number ending in a zero after the point: 1.0, 3.00, -1.50, 0.0.
TRAILING_ZERO = re.compile(r"(?<![\d.])-?\d+\.\d*0(?![\d])")


def main_text(html: str) -> str:
    """What the page says in <main> (its title and the flash messages are above it but
    say nothing with numbers), tags stripped."""
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", body)


def trailing_zeros(html: str) -> list[str]:
    return TRAILING_ZERO.findall(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[-1]))


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def test_no_page_writes_a_trailing_zero(
    browser: Browser, other_browser: Browser, services: AppServices, world: World,
    points: PointsRoster,
) -> None:  # fmt: skip
    branch = points.roster.branch_1
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    hours = await item_id(services, world.a, "ZY-01")  # +1 an hour
    dues = await item_id(services, world.a, "ZZ-04")  # +1, 3 a quarter at most
    awarded = await browser.post(
        "/points/claims/award", claim_form(points.member_a, hours, quantity="1.5")
    )
    assert awarded.status_code == 303, awarded.text[:500]
    flashed = await browser.get(awarded.headers["location"])
    assert "1.5分" in flashed.text and trailing_zeros(flashed.text) == []
    for _ in range(3):
        await browser.post("/points/claims/award", claim_form(points.member_b, dues))
    over = await browser.post("/points/claims/award", claim_form(points.member_b, dues))
    assert over.status_code == 422 and "上限3分" in over.text
    assert trailing_zeros(over.text) == []

    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            first = await session.scalar(
                select(PointEvent.id).where(PointEvent.person_id == points.member_a)
            )
    reversed_ = await browser.post(f"/points/events/{first}/reverse", {"reason": "时长记错"})
    assert reversed_.status_code == 303
    flashed = await browser.get(reversed_.headers["location"])
    assert "-1.5分" in flashed.text and trailing_zeros(flashed.text) == []

    await other_browser.login(world.a.users[Role.GRID_WORKER])
    claimed = await other_browser.post(
        "/points/claims/", claim_form(points.member_a, hours, quantity="2.5")
    )
    assert claimed.status_code == 303, claimed.text[:500]
    opened = await browser.post(
        "/points/publications/",
        {"branch_id": str(branch), "half": half_of(clock.today()).previous().key},
    )
    assert opened.status_code == 303, opened.text[:500]

    quarter = f"?quarter={quarter_of(clock.today()).key}"
    pages = [
        "/points", f"/points/branches/{branch}{quarter}", f"/points/ledger/{branch}{quarter}",
        "/points/claims/", "/points/publications", opened.headers["location"],
    ]  # fmt: skip
    for path in pages:
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert trailing_zeros(page.text) == [], path

    await browser.post("/logout")
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    started = await browser.post("/points/rules/draft")
    assert started.status_code == 303
    admin_pages = [
        "/points/rules", "/points/rules/draft", "/points/rules/draft/preview", "/audit",
        f"/people/{points.member_a}", f"/people/{points.member_b}",
    ]  # fmt: skip
    for path in admin_pages:
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert trailing_zeros(page.text) == [], path
    audit = main_text((await browser.get("/audit")).text)
    assert "-1.5" in audit and "1.5" in audit

    # The ledger as .xlsx: numbers shown as people write them, not with a forced ".0".
    export = await report_file(
        browser, services, world.a.tenant_id, report_form("ledger", branch=branch)
    )
    with zipfile.ZipFile(io.BytesIO(export.content)) as book:
        styles = book.read("xl/styles.xml").decode()
    assert 'formatCode="0.0"' not in styles and 'formatCode="0.00"' not in styles
