"""Care cards against the real database: who is on a member's card (the grid worker of
their grid, the group leader or else the branch secretary), the QR codes dial them,
the fallback sentence, and a branch's one PDF with the right number of pages."""

from __future__ import annotations

import io

import pytest
import segno
from pypdf import PdfReader

from app.care.cards.document import cards_pdf, sheets_of
from app.care.cards.service import GRID_WORKER, GROUP_LEADER, SECRETARY, CardService, tel_uri
from app.core.errors import NotFound
from app.core.identity import SYSTEM
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.org.service import OrgService
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    add_person,
    identity_of,
    make_points_roster,
    make_world,
)


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def cards_as(services, district, role, call):  # type: ignore[no-untyped-def]
    who = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return await call(CardService(session), who)


def test_the_qr_code_dials_the_number() -> None:
    assert tel_uri("0532-82861234") == "tel:053282861234"
    assert tel_uri("138 0000 1003") == "tel:13800001003"


async def test_a_card_names_the_grid_worker_and_the_secretary_with_their_phones(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    worker = district.users[Role.GRID_WORKER]
    card = await cards_as(services, district, Role.TENANT_ADMIN,
                          lambda cards, who: cards.card(who, points.member_a))  # fmt: skip
    assert card.name == "党员甲" and card.bureau == district.name and card.branch == "第一支部"
    assert [(c.role, c.name, c.phone) for c in card.contacts] == [
        (GRID_WORKER, worker.name, worker.phone),
        (SECRETARY, "甲一号", "13700001111"),  # 第一支部's secretary: no party group
    ]
    secretary = card.contacts[1]
    assert secretary.tel == "tel:13700001111"
    expected = segno.make("tel:13700001111", error="m", micro=False)
    assert secretary.qr == expected.svg_data_uri(scale=4, border=2)  # on the page
    assert secretary.qr_png == expected.png_data_uri(scale=6, border=2)  # on paper


async def test_the_group_leader_comes_before_the_secretary_and_nobody_is_left_blank(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    roster = points.roster
    leader = await add_person(services, district, "组长王", roster.branch_1,
                              group_id=roster.group_1, phone="13712345678")  # fmt: skip
    member = await add_person(
        services, district, "组员赵", roster.branch_1, group_id=roster.group_1
    )
    alone = await add_person(services, district, "无人管", roster.branch_2)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await OrgService(session).set_leader(roster.group_1, leader, SYSTEM)
    card = await cards_as(services, district, Role.TENANT_ADMIN,
                          lambda cards, who: cards.card(who, member))  # fmt: skip
    assert [(c.role, c.name) for c in card.contacts] == [(GROUP_LEADER, "组长王")]
    own = await cards_as(services, district, Role.TENANT_ADMIN,
                         lambda cards, who: cards.card(who, leader))  # fmt: skip
    assert [(c.role, c.name) for c in own.contacts] == [(SECRETARY, "甲一号")]  # not themselves
    nobody = await cards_as(services, district, Role.TENANT_ADMIN,
                            lambda cards, who: cards.card(who, alone))  # fmt: skip
    assert nobody.contacts == []
    pdf = await cards_pdf([nobody], "a6")
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "有事请拨打" in text and district.name in text


async def test_who_sees_which_cards(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    other_branch = points.member_d  # 第二支部: not the secretary's, in the worker's grid
    for role in (Role.TENANT_ADMIN, Role.GRID_WORKER):
        card = await cards_as(services, district, role,
                              lambda cards, who: cards.card(who, other_branch))  # fmt: skip
        assert card.name == "党员丁"
    with pytest.raises(NotFound):
        await cards_as(services, district, Role.BRANCH_SECRETARY,
                       lambda cards, who: cards.card(who, other_branch))  # fmt: skip
    own = await cards_as(services, district, Role.MEMBER, lambda cards, who: cards.own_card(who))
    assert own is not None and own.person_id == points.member_a


@pytest.mark.parametrize("size", ["a6", "wallet"])
async def test_a_branch_prints_as_one_pdf_with_a_page_per_card_or_per_sheet(
    services: AppServices, district: District, points: PointsRoster, size: str
) -> None:
    for n in range(9):  # 第一支部: 13 living members
        await add_person(services, district, f"老兵{n}", points.roster.branch_1)
    branch = points.roster.branch_1
    found = await cards_as(services, district, Role.BRANCH_SECRETARY,
                           lambda cards, who: cards.branch_cards(who, branch))  # fmt: skip
    assert len(found) == 13
    reader = PdfReader(io.BytesIO(await cards_pdf(found, size)))
    assert len(reader.pages) == sheets_of(13, size) == (13 if size == "a6" else 2)
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert all(card.name in text for card in found)
    assert "13700001111" in text
