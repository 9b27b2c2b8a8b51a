"""Care cards against the real database: who is on a member's card (the grid worker of
their grid, the group leader or else the branch secretary), the QR codes dial them,
the fallback sentence, and a branch's one PDF (the report's builder) with the right
number of pages."""

from __future__ import annotations

import io

import pytest
import segno
from pypdf import PdfReader

from app.care.cards.document import SIZE_WORDS, cards_pdf, sheets_of
from app.care.cards.service import (
    GRID_WORKER,
    GROUP_LEADER,
    NOBODY_TO_PRINT,
    SECRETARY,
    CardService,
    tel_uri,
)
from app.core.errors import NotFound, Refused
from app.core.identity import SYSTEM
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.org.service import OrgService
from app.reports.care_cards.build import build_care_cards, care_cards_parameters
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
    """The report's builder, as the worker runs it, with the secretary's scope kept
    when they asked: one file, the progress told every ten cards."""
    for n in range(9):  # 第一支部: 13 living members
        await add_person(services, district, f"老兵{n}", points.roster.branch_1)
    branch = points.roster.branch_1
    who = await identity_of(services, district.tenant_id,
                            district.users[Role.BRANCH_SECRETARY].id)  # fmt: skip
    parameters = care_cards_parameters(who.scope, branch, size, district.name)
    told: list[int] = []

    async def progress(percent: int) -> None:
        told.append(percent)

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            built = await build_care_cards(session, parameters, progress)
    assert built.filename == f"亲情服务卡-第一支部-{SIZE_WORDS[size]}.pdf"
    assert told == [5, 5 + 85 * 10 // 13, 90]
    reader = PdfReader(io.BytesIO(built.content))
    assert len(reader.pages) == sheets_of(13, size) == (13 if size == "a6" else 2)
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert all(f"老兵{n}" in text for n in range(9)) and "党员甲" in text
    assert "13700001111" in text and district.name in text


async def test_a_branch_report_holds_only_the_askers_people(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    """A grid worker's scope is their grid's people (第二支部's two are in it); the
    first branch's secretary serves nobody of 第二支部: refused in words."""
    who = await identity_of(services, district.tenant_id, district.users[Role.GRID_WORKER].id)
    secretary = await identity_of(services, district.tenant_id,
                                  district.users[Role.BRANCH_SECRETARY].id)  # fmt: skip
    branch_2 = points.roster.branch_2

    async def progress(percent: int) -> None:
        pass

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            cards = await CardService(session).branch_cards(who.scope, "", branch_2)
            assert [c.name for c in cards] == ["党员丁", "甲二号"]
            nobody = care_cards_parameters(secretary.scope, branch_2, "a6", "")
            with pytest.raises(Refused) as refused:
                await build_care_cards(session, nobody, progress)
    assert refused.value.message == NOBODY_TO_PRINT
