"""Data scope inside one district, tested like tenant isolation: a branch secretary
asking for a person of another branch gets 404 on every route, and nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.core.identity import SYSTEM
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.people.org.service import OrgService
from app.people.roster.service import PeopleService
from app.state import AppServices
from tests.factories import Roster, World, add_person, make_roster
from tests.http.conftest import Browser
from tests.http.test_isolation import _path, id_routes, snapshot
from tests.reports import report_file

PERSON_ROUTES = [
    (method, path)
    for method, path, opt in id_routes()
    if "{person_id" in path and Role.BRANCH_SECRETARY in opt.get("roles", ())
]


async def secretary_of_branch_2(services: AppServices, world: World) -> Roster:
    """The district's secretary account leads 第二支部 through its linked person."""
    roster = await make_roster(services, world.a)
    secretary = world.a.users[Role.BRANCH_SECRETARY]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(EVERYONE, roster.person_2, secretary.id, SYSTEM)
            await OrgService(session).set_leader(roster.branch_2, roster.person_2, SYSTEM)
            # A mobile party member too, so every person page opens for them (thought
            # reports are kept for mobile members, political birthdays for party members).
            await session.execute(
                update(Person)
                .where(Person.id == roster.person_2)
                .values(mobile=True, party_member=True, party_joined_on=date(1970, 7, 1))
            )
    return roster


def test_the_scope_suite_covers_the_person_routes() -> None:
    assert len(PERSON_ROUTES) >= 3


@pytest.mark.parametrize(
    ("method", "path"), PERSON_ROUTES, ids=[f"{m} {p}" for m, p in PERSON_ROUTES]
)
async def test_a_secretary_gets_404_for_people_of_another_branch(
    app: Litestar, world: World, services: AppServices, owner_db: Database, method: str, path: str
) -> None:
    roster = await secretary_of_branch_2(services, world)
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        browser = Browser(client)
        await browser.login(world.a.users[Role.BRANCH_SECRETARY])
        await browser.get("/people")
        before = await snapshot(owner_db, world)  # after logging in, which stamps the account
        url = _path(path, {"person_id": str(roster.person_1)})
        if method == "GET":
            response = await browser.get(url)
        else:
            response = await browser.post(url, {"name": "改名", "category": "veteran"})
        after = await snapshot(owner_db, world)
        own = await browser.get(_path(path, {"person_id": str(roster.person_2)}))
    assert response.status_code == 404, f"{method} {url} → {response.status_code}"
    assert after == before
    if method == "GET":
        assert own.status_code == 200  # the secretary's own branch is open


async def test_a_secretary_lists_searches_and_exports_only_the_branch(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await secretary_of_branch_2(services, world)
    await add_person(services, world.a, "张建国", roster.branch_1)
    await add_person(services, world.a, "张建华", roster.branch_2)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listing = (await browser.get("/people")).text
    assert "甲二号" in listing and "张建华" in listing
    assert "甲一号" not in listing and "张建国" not in listing
    assert "张建国" not in (await browser.get("/people?q=zjg")).text
    assert "第一支部" not in (await browser.get("/people/new")).text  # no other branch to pick
    form = {"kind": "roster"}
    export = await report_file(browser, services, world.a.tenant_id, form)
    assert "张建华".encode() not in export.content  # xlsx is zipped: check via its rows
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0).to_python()
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == ["张建华", "甲二号"]
    assert all("*" in row[6] for row in rows[1:] if row[6])  # IDs masked for secretaries


async def test_a_secretary_cannot_move_someone_into_another_branch(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await secretary_of_branch_2(services, world)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    await browser.get(f"/people/{roster.person_2}/edit")
    before = await snapshot(owner_db, world)
    response = await browser.post(f"/people/{roster.person_2}", {
        "name": "甲二号", "category": "military_retiree", "branch_id": str(roster.branch_1),
    })  # fmt: skip
    assert response.status_code == 422
    assert await snapshot(owner_db, world) == before


async def test_a_secretary_without_a_branch_sees_nobody(
    browser: Browser, world: World, services: AppServices
) -> None:
    await make_roster(services, world.a)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = (await browser.get("/people")).text
    # Not linked to a roster person: that is the step the page names.
    assert "甲一号" not in page and "还没有关联到花名册中的本人" in page
    assert 'href="/people/new"' not in page
