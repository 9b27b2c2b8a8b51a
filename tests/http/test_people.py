"""The roster through the browser: add, search, edit, see history, export."""

from __future__ import annotations

import io
from datetime import timedelta

from python_calamine import CalamineWorkbook
from sqlalchemy import text

from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.state import AppServices
from tests.factories import World, add_person, make_roster
from tests.http.conftest import Browser
from tests.reports import report_file

ZHANG_ID = "370102194910011236"


async def people(owner_db: Database) -> list[dict]:
    async with owner_db.engine.connect() as conn:
        return [r._asdict() for r in await conn.execute(text("select * from people"))]


async def test_adding_a_person_checks_every_field_in_plain_words(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    before = await people(owner_db)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/people/new")
    bad = await browser.post("/people", {
        "name": "张建国", "category": "military_retiree", "birth_date": "1950.13",
        "id_number": "370102194910011235", "phone": "1380013800", "branch_id": str(roster.branch_1),
    })  # fmt: skip
    assert bad.status_code == 422
    for reason in ("校验码", "11 位", "没有 13 月"):
        assert reason in bad.text, reason
    assert await people(owner_db) == before
    good = await browser.post("/people", {
        "name": "张建国", "category": "military_retiree", "birth_date": "1949年10月",
        "id_number": ZHANG_ID.replace("1236", "1252"), "phone": "138 0013 8000",
        "branch_id": str(roster.branch_1), "party_member": "1", "party_joined_on": "1968.7",
    })  # fmt: skip
    assert good.status_code == 303, good.text[:3000]
    page = (await browser.get(good.headers["location"])).text
    assert "张建国" in page and "370102194910011252" in page  # the admin sees it whole
    assert "1968年7月" in page


async def test_search_by_pinyin_initials_phone_and_id_tail_answers_with_the_fragment(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await add_person(services, world.a, "张建国", roster.branch_1, phone="13800138000")
    await add_person(services, world.a, "曾国藩", roster.branch_2)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    searches = [
        ("zjg", "张建国"), ("zhang", "张建国"), ("8000", "张建国"),
        ("zeng", "曾国藩"), ("建国", "张建国"), ("1236", "甲一号"),
    ]  # fmt: skip
    for query, expected in searches:
        response = await browser.get(
            f"/people?q={query}", headers={"HX-Request": "true", "HX-Target": "results"}
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="results"'), query
        assert expected in response.text, query
    assert "曾国藩" not in (await browser.get("/people?q=zjg")).text
    whole = (await browser.get("/people?q=zjg")).text
    assert "<html" in whole and "张建国" in whole


async def test_ids_are_masked_in_the_list_and_for_secretaries(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    await _make_secretary(services, world, roster)
    await browser.login(world.a.users[Role.BRANCH_SECRETARY])
    listing = (await browser.get("/people")).text
    assert ZHANG_ID not in listing and "**1236" in listing
    page = (await browser.get(f"/people/{roster.person_1}")).text
    assert "3701**********1236" in page and ZHANG_ID not in page


async def test_editing_records_before_and_after_on_the_persons_page(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/people/{roster.person_1}/edit")
    response = await browser.post(f"/people/{roster.person_1}", {
        "name": "甲一号", "category": "veteran", "phone": "13900001111",
        "branch_id": str(roster.branch_2), "infirm": "1",
    })  # fmt: skip
    assert response.status_code == 303, response.text[:2000]
    page = (await browser.get(f"/people/{roster.person_1}")).text
    assert "13700001111" in page and "13900001111" in page  # before → after
    assert "第一支部" in page and "第二支部" in page
    assert "370102194910011236" in page  # a blank ID field on the form kept the number


async def test_export_holds_the_filtered_people_and_reimports_as_is(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await make_roster(services, world.b)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    form = {"kind": "roster", "unit": str(roster.branch_1)}
    response = await report_file(browser, services, world.a.tenant_id, form)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    cells = rows.to_python()
    assert cells[0][:3] == ["姓名", "性别", "出生年月"]
    assert [row[0] for row in cells[1:]] == ["甲一号"]
    assert ZHANG_ID in cells[1]
    assert "乙一号" not in str(cells)


async def _make_secretary(services: AppServices, world: World, roster) -> None:  # type: ignore[no-untyped-def]
    """The district's secretary account is 甲一号's login and leads 第一支部."""
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.db.tenant import tenant_scope
    from app.people.org.service import OrgService
    from app.people.roster.service import PeopleService

    secretary = world.a.users[Role.BRANCH_SECRETARY]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(EVERYONE, roster.person_1, secretary.id, SYSTEM)
            await OrgService(session).set_leader(roster.branch_1, roster.person_1, SYSTEM)


async def test_a_member_sees_the_branch_with_other_members_phones_masked(
    browser: Browser, world: World, services: AppServices
) -> None:
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.db.tenant import tenant_scope
    from app.people.roster.service import PeopleService

    roster = await make_roster(services, world.a)
    await add_person(services, world.a, "同支部", roster.branch_1, phone="13911112222")
    member = world.a.users[Role.MEMBER]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(EVERYONE, roster.person_1, member.id, SYSTEM)
    await browser.login(member)
    page = (await browser.get("/my-branch")).text
    assert "同支部" in page and "139****2222" in page and "13911112222" not in page
    assert "13700001111" in page  # their own number, whole
    assert "甲二号" not in page  # another branch
    assert (await browser.get("/people")).status_code == 403


async def test_the_edit_form_is_checked_against_the_id_on_file_and_keeps_line_breaks(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    roster = await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get(f"/people/{roster.person_1}/edit")
    base = {"name": "甲一号", "category": "military_retiree", "branch_id": str(roster.branch_1)}
    wrong = await browser.post(f"/people/{roster.person_1}", base | {"birth_date": "1960.5.5"})
    assert wrong.status_code == 422 and "身份证号不符" in wrong.text
    mangled = await browser.post(f"/people/{roster.person_1}", base | {"branch_id": "nope"})
    assert mangled.status_code == 422
    notes = await browser.post(
        f"/people/{roster.person_1}", base | {"health_notes": "高血压\r\n糖尿病\r\n2024年住院"}
    )
    assert notes.status_code == 303
    stored = next(p for p in await people(owner_db) if p["name"] == "甲一号")
    assert stored["health_notes"] == "高血压\n糖尿病\n2024年住院"
    assert stored["branch_id"] == roster.branch_1


async def test_odd_searches_answer_calmly(
    browser: Browser, world: World, services: AppServices
) -> None:
    await make_roster(services, world.a)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    for query in (
        "张\x00",
        "张%00",
        "%_%",
        "x" * 500,
        "１２３６",
        "0000000000001236",
        "99999999999999999999",
    ):
        response = await browser.get("/people", params={"q": query, "page": "99999999999"})
        assert response.status_code == 200, query


async def test_filtering_by_a_unit_covers_its_subtree(
    browser: Browser, world: World, services: AppServices
) -> None:
    roster = await make_roster(services, world.a)
    await add_person(services, world.a, "不在小组", roster.branch_1)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    by_center = (await browser.get(f"/people?unit={roster.center}")).text
    by_branch = (await browser.get(f"/people?unit={roster.branch_1}")).text
    by_group = (await browser.get(f"/people?unit={roster.group_1}")).text
    assert all(name in by_center for name in ("甲一号", "甲二号", "不在小组"))
    assert "甲一号" in by_branch and "不在小组" in by_branch and "甲二号" not in by_branch
    assert "甲一号" in by_group and "不在小组" not in by_group


async def test_a_landline_is_a_contact_phone_and_found_by_its_tail(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    """Elderly people often have only a landline: the form takes one (the person's and
    the family contact's), stores it normalised, shows it readably and finds it."""
    await make_roster(services, world.a)
    before = await people(owner_db)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/people/new")
    refused = await browser.post("/people", {
        "name": "李大爷", "category": "military_retiree", "phone": "15412345678",
        "family_contact_phone": "0532-8286123",
    })  # fmt: skip
    assert refused.status_code == 422
    assert "不是在用的手机号段" in refused.text  # 11 digits: what is really wrong
    assert "固定电话" in refused.text
    assert await people(owner_db) == before
    good = await browser.post("/people", {
        "name": "李大爷", "category": "military_retiree", "phone": "(0532) 8286 1234",
        "family_contact_name": "李小妹", "family_contact_phone": "8286 1235",
    })  # fmt: skip
    assert good.status_code == 303, good.text[:2000]
    added = next(p for p in await people(owner_db) if p["name"] == "李大爷")
    assert (added["phone"], added["family_contact_phone"]) == ("0532-82861234", "82861235")
    page = (await browser.get(good.headers["location"])).text
    assert 'href="tel:0532-82861234"' in page and "0532-82861234" in page
    for tail in ("1234", "82861234", "053282861234", "0532-82861234"):
        found = await browser.get(f"/people?q={tail}")
        assert "李大爷" in found.text, tail


async def test_a_person_added_on_the_form_is_due_a_visit_at_once(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    """Grid service hears of the people the roster adds (app.people.events): a birthday
    in two days is on the due list the moment the person is saved, not after the night."""
    roster = await make_roster(services, world.a)
    birthday = clock.today() + timedelta(days=2)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/people/new")
    added = await browser.post("/people", {
        "name": "寿星", "category": "military_retiree", "branch_id": str(roster.branch_1),
        "birth_date": f"1940.{birthday.month}.{birthday.day}",
    })  # fmt: skip
    assert added.status_code == 303, added.text[:2000]
    async with owner_db.engine.connect() as conn:
        occasions = (await conn.execute(text(
            "select occasion from visit_due_items join people on people.id = person_id "
            "where people.name = '寿星'"
        ))).scalars().all()  # fmt: skip
    assert f"birthday:{birthday.year}" in occasions
