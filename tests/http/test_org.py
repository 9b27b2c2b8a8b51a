"""The org tree through the browser: build, rename, move, retire, name a secretary."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from sqlalchemy import select, text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import OrgUnit
from app.points.periods import half_of
from app.state import AppServices
from tests.factories import World, add_person, add_unit, make_roster
from tests.http.conftest import Browser


async def units(owner_db: Database) -> dict[str, dict]:
    async with owner_db.engine.connect() as conn:
        rows = await conn.execute(text("select * from org_units"))
        return {row.name: row._asdict() for row in rows}


async def test_an_admin_builds_the_tree(browser: Browser, world: World, owner_db: Database) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/org")
    response = await browser.post("/org/units", {"kind": "center", "name": "历下军休服务中心"})
    assert response.status_code == 303
    center = (await units(owner_db))["历下军休服务中心"]
    for kind, name, parent in (
        ("subcenter", "第一分中心", center["id"]),
        ("branch", "第一支部", center["id"]),
    ):
        assert (await browser.post(
            "/org/units", {"kind": kind, "name": name, "parent_id": str(parent)}
        )).status_code == 303  # fmt: skip
    tree = await units(owner_db)
    branch = tree["第一支部"]
    assert branch["path"] == [center["id"], branch["id"]]
    # Move the branch under the sub-center: its path follows.
    sub = tree["第一分中心"]
    assert (await browser.post(
        f"/org/units/{branch['id']}/move", {"parent_id": str(sub["id"])}
    )).status_code == 303  # fmt: skip
    assert (await units(owner_db))["第一支部"]["path"] == [center["id"], sub["id"], branch["id"]]
    page = (await browser.get("/org")).text
    assert "第一分中心" in page and "第一支部" in page


async def test_bad_units_are_refused_in_words_and_change_nothing(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/org")
    response = await browser.post("/org/units", {"kind": "branch", "name": "无处安放的支部"})
    assert response.status_code == 422
    assert "只有中心可以放在最上层" in response.text
    assert (await browser.post("/org/units", {"kind": "center", "name": " "})).status_code == 422
    assert await units(owner_db) == {}


async def test_a_unit_with_people_cannot_be_retired_and_a_renamed_one_keeps_history(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/org/units/{roster.branch_2}")
    refused = await browser.post(f"/org/units/{roster.branch_2}/retire")
    assert refused.status_code == 422 and "还有 1 人" in refused.text
    assert (await browser.post(
        f"/org/units/{roster.branch_2}/rename", {"name": "第二党支部"}
    )).status_code == 303  # fmt: skip
    page = (await browser.get(f"/org/units/{roster.branch_2}")).text
    assert "第二支部" in page and "第二党支部" in page  # before → after in its history
    empty = await add_person(services, world.a, "临时", None)
    assert empty
    branch_3 = (await browser.post(
        "/org/units", {"kind": "branch", "name": "第三支部", "parent_id": str(roster.center)}
    ))  # fmt: skip
    assert branch_3.status_code == 303
    unit = (await units(owner_db))["第三支部"]
    assert (await browser.post(f"/org/units/{unit['id']}/retire")).status_code == 303
    assert (await units(owner_db))["第三支部"]["retired_at"] is not None
    assert "第三支部" not in (await browser.get("/org")).text
    assert "第三支部" in (await browser.get("/org?retired=1")).text


async def test_naming_a_secretary(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    page = (await browser.get(f"/org/units/{roster.branch_1}")).text
    assert "甲一号" in page and "甲二号" not in page  # candidates come from the branch
    response = await browser.post(
        f"/org/units/{roster.branch_1}/leader", {"person_id": str(roster.person_1)}
    )
    assert response.status_code == 303
    assert (await units(owner_db))["第一支部"]["leader_person_id"] == roster.person_1
    assert "书记：甲一号" in (await browser.get("/org")).text


async def test_a_mangled_choice_is_refused_and_changes_nothing(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/org/units/{roster.branch_1}")
    await browser.post(f"/org/units/{roster.branch_1}/leader", {"person_id": str(roster.person_1)})
    before = await units(owner_db)
    leader = await browser.post(f"/org/units/{roster.branch_1}/leader", {"person_id": "x"})
    root = await browser.post(
        "/org/units", {"kind": "center", "name": "另一中心", "parent_id": "x"}
    )
    assert (leader.status_code, root.status_code) == (422, 422)
    assert "请从列表中选择" in leader.text
    assert await units(owner_db) == before


async def test_units_are_listed_in_number_order_everywhere(
    browser: Browser, world: World, services: AppServices
) -> None:
    """第一、第二、第三…第十二, whether written 12 or 十二 — in the tree, every unit
    dropdown (roster filter, parent, grid unit, publication, what-if), the district's
    points, the publications list and the what-if preview."""
    roster = await make_roster(services, world.a)  # 第一支部 and 第二支部
    for name in ("第十二支部", "第三支部", "第10支部"):
        await add_unit(services, world.a, "branch", name, roster.center)
    party = {"party_member": True, "party_joined_on": date(1970, 7, 1)}
    for branch in await branch_ids(services, world):
        await add_person(services, world.a, "党员", branch, **party)
    order = ["第一支部", "第二支部", "第三支部", "第10支部", "第十二支部"]

    def listed(html: str, start: str = "") -> list[str]:
        html = html[html.index(start) :] if start else html
        found = [(html.find(name), name) for name in order]
        assert all(at >= 0 for at, _ in found), [n for at, n in found if at < 0]
        return [name for _, name in sorted(found)]

    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert listed((await browser.get("/org")).text) == order
    assert listed((await browser.get("/org")).text, 'id="f-parent"') == order
    assert listed((await browser.get("/people")).text, 'id="f-unit"') == order
    assert listed((await browser.get("/grid/grids/new")).text, 'id="f-unit_id"') == order
    assert listed((await browser.get("/points")).text) == order
    page = await browser.get("/points/publications")
    assert listed(page.text, 'id="branch_id"') == order
    for branch in await branch_ids(services, world):
        await browser.post(
            "/points/publications/",
            {"branch_id": str(branch), "half": half_of(clock.today()).previous().key},
        )
    assert listed((await browser.get("/points/publications")).text, "<tbody>") == order
    await browser.post("/points/rules/draft")
    preview = (await browser.get("/points/rules/draft/preview")).text
    assert listed(preview, 'id="f-branch"') == order


async def branch_ids(services: AppServices, world: World) -> list[UUID]:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            return list(await session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "branch")))


async def test_unit_dropdowns_follow_the_tree(
    browser: Browser, world: World, services: AppServices
) -> None:
    """A unit before its children, siblings in unit order: the center comes first, not
    last (its own name, 甲区…, sorted after the 第… of the units under it), and a
    sub-center's branches right after it — in every dropdown, which all ask
    OrgService.choices."""
    roster = await make_roster(services, world.a)  # center → 第一支部 (第一党小组), 第二支部
    sub = await add_unit(services, world.a, "subcenter", "第一分中心", roster.center)
    await add_unit(services, world.a, "branch", "第五支部", sub)
    center = f"{world.a.name}军休中心"

    def options(html: str, select_id: str) -> list[str]:
        block = html[html.index(f'id="{select_id}"') :]
        block = block[: block.index("</select>")]
        labels = re.findall(r'<option value="[0-9a-f-]{36}"[^>]*>([^<（]+)', block)
        return [label.strip() for label in labels]

    await browser.login(world.a.users[Role.TENANT_ADMIN])
    assert options((await browser.get("/org")).text, "f-parent") == [
        center, "第一分中心", "第一分中心 / 第五支部", "第一支部", "第二支部",
    ]  # fmt: skip
    assert options((await browser.get("/grid/grids/new")).text, "f-unit_id") == [
        center, "第一分中心", "第一分中心 / 第五支部", "第一支部", "第二支部",
    ]  # fmt: skip
    assert options((await browser.get("/people")).text, "f-unit") == [
        "第一分中心", "第一分中心 / 第五支部", "第一支部", "第二支部",
    ]  # fmt: skip
