"""The care calendar and the birthday party list over HTTP, and the wedding day on the
person form and in the import: what each role sees, the marks, the refusals."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from uuid import UUID

import pytest
from sqlalchemy import select, text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.models import VisitDueItem
from app.state import AppServices
from tests.factories import PointsRoster, World, add_person, make_points_roster
from tests.http.conftest import Browser, shown

TODAY = date(2026, 12, 7)  # a Monday
UUID_TEXT = re.compile(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    when = datetime.combine(TODAY, time(9, 30), clock.CHINA_TIME)
    monkeypatch.setattr(clock, "now", lambda: when)
    monkeypatch.setattr(clock, "today", lambda: when.date())


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    """第一支部 (the secretary's) and 第二支部, all six in the worker's 第一网格."""
    return await make_points_roster(services, world.a)


async def december_people(services: AppServices, world: World, points: PointsRoster) -> None:
    branch_1, branch_2 = points.roster.branch_1, points.roster.branch_2
    party = {"party_member": True}
    await add_person(services, world.a, "寿星甲", branch_1, birth_date=date(1946, 12, 9))
    await add_person(services, world.a, "寿星乙", branch_1, birth_date=date(1950, 12, 20))
    await add_person(services, world.a, "老党员丙", branch_1, party_joined_on=date(1976, 12, 26),
                     birth_date=date(1940, 5, 5), **party)  # fmt: skip
    await add_person(services, world.a, "金婚丁", branch_1, birth_date=date(1950, 6, 6),
                     married_on=date(1976, 12, 12))  # fmt: skip
    await add_person(services, world.a, "四十九年戊", branch_1, birth_date=date(1950, 6, 6),
                     married_on=date(1977, 12, 12))  # fmt: skip
    await add_person(services, world.a, "已故己", branch_1, birth_date=date(1936, 12, 10),
                     deceased_on=date(2026, 3, 1))  # fmt: skip
    await add_person(services, world.a, "二支部庚", branch_2, birth_date=date(1956, 12, 1))


async def test_the_secretary_sees_the_months_occasions_of_their_branch(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await december_people(services, world, points)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/care")
    assert page.status_code == 200
    body = page.text
    assert "寿星甲" in body and "80 岁整寿" in body  # the round one, marked
    assert "寿星乙" in body and "76 岁生日" in body
    assert "老党员丙" in body and "入党 50 周年" in body
    assert "金婚丁" in body and "金婚" in body
    assert "四十九年戊" not in body  # a 49th anniversary is not visited
    assert "已故己" not in body and "二支部庚" not in body  # deceased; another branch
    assert body.index("寿星甲") < body.index("金婚丁") < body.index("寿星乙")  # by day
    assert not UUID_TEXT.search(body)  # no ids on screen
    # A political birthday opens that member's gifts; a birthday is not a link.
    assert re.search(r'href="/care/political-birthdays/[0-9a-f-]{36}">老党员丙</a>', body)
    assert ">寿星甲</a>" not in body


async def test_a_persons_page_links_to_their_care_card(
    browser: Browser, world: World, points: PointsRoster
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(f"/people/{points.member_a}")
    assert f'href="/care/cards/{points.member_a}"' in page.text
    assert (await browser.get(f"/care/cards/{points.member_a}")).status_code == 200


async def test_the_admin_filters_by_branch_and_months_ahead(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await december_people(services, world, points)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    everyone = (await browser.get("/care")).text
    assert "二支部庚" in everyone and "寿星甲" in everyone
    second = (await browser.get(f"/care?branch={points.roster.branch_2}")).text
    assert "二支部庚" in second and "寿星甲" not in second
    assert "寿星甲" not in (await browser.get("/care?month=2027-01")).text
    # A month out of the picker or mangled is this month; another district's branch is not found.
    assert "寿星甲" in (await browser.get("/care?month=1999-99")).text
    assert (await browser.get(f"/care?branch={world.b.tenant_id}")).status_code == 404


async def test_the_grid_worker_sees_the_people_of_their_grids(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await add_person(services, world.a, "网外寿星", points.roster.branch_1,
                     birth_date=date(1946, 12, 9))  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/care")
    assert page.status_code == 200
    assert "网外寿星" not in page.text  # not in the worker's grid
    assert (await browser.get("/care/birthday-parties")).status_code == 403


async def test_the_birthday_party_list_prints_and_downloads(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await december_people(services, world, points)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    page = await browser.get("/care/birthday-parties")
    assert shown("Sign-in") in page.text  # the printed sheet's column, as in the PDF
    assert page.status_code == 200
    body = page.text
    assert "第一支部" in body and "寿星甲" in body and "寿星乙" in body
    assert shown("%(age)s years old", age=80) in body and shown("Round birthday") in body
    assert "老党员丙" not in body and "已故己" not in body and "二支部庚" not in body
    assert "data-print" in body
    link = re.search(r'<a [^>]*href="(/care/birthday-parties/pdf\?[^"]+)"[^>]*>', body)
    assert link and 'hx-boost="false"' in link.group(0) and " download" in link.group(0)
    pdf = await browser.get(link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    # The second branch is not the secretary's; a center of another district neither.
    other = f"/care/birthday-parties?unit={points.roster.branch_2}"
    assert (await browser.get(other)).status_code == 404
    assert (await browser.get(other.replace("?", "/pdf?"))).status_code == 404


async def test_the_admin_lists_a_whole_center(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    await december_people(services, world, points)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = await browser.get(f"/care/birthday-parties?unit={points.roster.center}")
    assert "寿星甲" in page.text and "二支部庚" in page.text
    assert (
        await browser.get(f"/care/birthday-parties?unit={world.b.tenant_id}")
    ).status_code == 404


async def due_occasions(services: AppServices, world: World, person: UUID) -> set[str]:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            found = await session.scalars(
                select(VisitDueItem.occasion).where(VisitDueItem.person_id == person)
            )
            return set(found)


async def test_a_wedding_day_before_16_is_refused_and_a_golden_wedding_is_due(
    browser: Browser, services: AppServices, world: World, owner_db: Database,
    points: PointsRoster,
) -> None:  # fmt: skip
    person = points.roster.person_1  # born 1949-10-01 (the ID number says so)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/people/{person}/edit")
    base = {"name": "甲一号", "category": "military_retiree", "birth_date": "1949.10.1",
            "branch_id": str(points.roster.branch_1)}  # fmt: skip
    young = await browser.post(f"/people/{person}", base | {"married_on": "1965.9.30"})
    assert young.status_code == 422
    assert shown("The wedding day is before the person's 16th birthday.") in young.text
    async with owner_db.session() as session:
        married = await session.scalar(
            text("select married_on from people where id = :id"), {"id": person}
        )
    assert married is None  # nothing written
    # 49 years ago: no visit. Corrected to 50 years ago this week: the golden wedding
    # is due at once, and the worker's due list says so.
    assert (
        await browser.post(f"/people/{person}", base | {"married_on": "1977.12.9"})
    ).status_code == 303
    assert "wedding:2026" not in await due_occasions(services, world, person)
    good = await browser.post(f"/people/{person}", base | {"married_on": "1976.12.9"})
    assert good.status_code == 303
    assert "wedding:2026" in await due_occasions(services, world, person)
    assert "结婚日期" in (await browser.get(f"/people/{person}")).text
    await browser.login(world.a.users[Role.GRID_WORKER])
    due_list = (await browser.get("/grid")).text
    assert "甲一号" in due_list and "金婚" in due_list
