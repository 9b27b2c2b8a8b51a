"""What a member comes for, on their home and their points page: this quarter's points
and place, the branch's latest ranking up for all to see, their own open requests."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.identity import SYSTEM, Identity
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.roster.service import PeopleService
from app.points.periods import half_of, quarter_of
from app.points.publications.service import PublicationService
from app.service_requests.models import RequestCategory
from app.service_requests.requests.forms import RequestForm
from app.service_requests.requests.service import RequestService
from app.state import AppServices
from tests.factories import (
    Account,
    District,
    PointsRoster,
    World,
    identity_of,
    make_points_roster,
    unit_per_call,
)
from tests.http.conftest import Browser
from tests.http.test_points import claim_form, item_id


@pytest.fixture
async def points(services: AppServices, world: World) -> PointsRoster:
    return await make_points_roster(services, world.a)


async def identity(services: AppServices, account: Account, district: District) -> Identity:
    return await identity_of(services, district.tenant_id, account.id)


async def award(browser: Browser, services: AppServices, district: District, person: UUID,
                code: str, times: int = 1) -> None:  # fmt: skip
    item = await item_id(services, district, code)
    await browser.get("/points/claims/award")
    for _ in range(times):
        answer = await browser.post("/points/claims/award", claim_form(person, item))
        assert answer.status_code == 303, answer.text[:500]


async def log_request(
    services: AppServices, district: District, person: UUID, code: str, text: str
) -> UUID:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            category = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == code)
            )
        worker = await identity(services, district.users[Role.GRID_WORKER], district)
        async with services.db.unit() as session:
            request = await RequestService(session).log(worker, RequestForm(person, category, text))
    return request.id


def text_of(html: str) -> str:
    """The page as read: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_member_sees_quarter_points_place_publication_and_own_requests(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    await browser.login(district.users[Role.BRANCH_SECRETARY])
    await award(browser, services, district, points.member_a, "XX-01")  # 参加支部集中学习 +2
    await award(browser, services, district, points.member_b, "XX-01", times=2)
    await browser.post("/logout")
    with tenant_scope(district.tenant_id):
        secretary = await identity(services, district.users[Role.BRANCH_SECRETARY], district)
        publication = await unit_per_call(services.db, PublicationService).open(
            secretary, points.roster.branch_1, half_of(clock.today()).previous().key
        )
    water = await log_request(services, district, points.member_a, "water", "厨房水管漏水")
    other = await log_request(services, district, points.member_b, "power", "楼道灯不亮")

    await browser.login(district.users[Role.MEMBER])
    page = (await browser.get("/dashboard")).text
    read = text_of(page)
    assert "欢迎使用本区服务平台" not in read
    quarter = quarter_of(clock.today())
    # The figure and the place the branch's ranking has for this quarter.
    assert f"本季度积分 {quarter.label} 2 分 第一支部 第 2 名（共 2 人参加排名）" in read, read
    assert f'href="/points/people/{points.member_a}"' in page
    assert f'href="/points/publications/{publication.id}"' in page
    assert half_of(clock.today()).previous().label in read and "公示中" in read
    assert f'href="/requests/{water}"' in page and "厨房水管漏水" in read
    worker = district.users[Role.GRID_WORKER].name
    assert f"已安排{worker}办理" in read  # the status in plain words, with who has it
    assert f"/requests/{other}" not in page and "楼道灯不亮" not in read  # another member's
    assert "党员乙" not in read  # no one else's points on a member's home


async def test_an_exempt_member_is_shown_as_exempt_not_ranked(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    member = world.a.users[Role.MEMBER]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(EVERYONE, points.member_a, None, SYSTEM)
            await people.link_account(EVERYONE, points.exempt, member.id, SYSTEM)
    await browser.login(member)
    read = text_of((await browser.get("/dashboard")).text)
    assert "免于积分" in read and "第 " not in read and "名（共" not in read


async def test_a_member_not_linked_is_told_whom_to_ask(
    browser: Browser, world: World, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    read = text_of((await browser.get("/dashboard")).text)
    assert "还没有和花名册" in read
    assert world.a.users[Role.TENANT_ADMIN].name in read  # the administrator who links it
    assert world.b.users[Role.TENANT_ADMIN].name not in read


async def test_a_request_waiting_for_the_members_word_says_so(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    leak = await log_request(services, district, points.member_a, "water", "卫生间漏水")
    worker = district.users[Role.GRID_WORKER]
    await browser.login(worker)
    await browser.get(f"/requests/{leak}")
    for step in ("start", "resolve"):
        answer = await browser.post(f"/requests/{leak}/{step}", {"note": "已换新阀门"})
        assert answer.status_code == 303, answer.text[:300]
    await browser.post("/logout")
    await browser.login(district.users[Role.MEMBER])
    read = text_of((await browser.get("/dashboard")).text)
    assert "卫生间漏水" in read and "请您确认" in read


async def test_points_page_reads_in_plain_words_year_total_first(
    browser: Browser, services: AppServices, world: World, points: PointsRoster
) -> None:
    district = world.a
    secretary = district.users[Role.BRANCH_SECRETARY]
    await browser.login(secretary)
    await award(browser, services, district, points.member_a, "XX-01", times=2)  # +2 ×2
    await award(browser, services, district, points.member_a, "ZZ-04")  # 交纳党费 +1
    await browser.post("/logout")
    await browser.login(district.users[Role.MEMBER])
    page = (await browser.get(f"/points/people/{points.member_a}")).text
    read = text_of(page)
    year = clock.today().year
    total = read.index(f"{year}年全年")
    assert total < read.index("第一季度") and total < read.index("参加支部集中学习")
    assert re.search(rf"{year}年全年 5 分", read), read
    assert "参加支部集中学习 +2 分" in read and "按时足额交纳党费 +1 分" in read
    assert f"由{secretary.name}记分" in read
    for code in ("XX-01", "ZZ-04", "规则版本", "第1版", "直接记分", "申报通过"):
        assert code not in read, code


async def test_member_home_answers_for_an_account_of_another_district(
    browser: Browser, world: World, services: AppServices, owner_db: Database
) -> None:
    """District B's member, linked in B, sees B's own figures and nothing of A's."""
    await make_points_roster(services, world.a)
    b_points = await make_points_roster(services, world.b)
    await browser.login(world.b.users[Role.MEMBER])
    page = (await browser.get("/dashboard")).text
    assert f'href="/points/people/{b_points.member_a}"' in page
    assert world.a.name not in page
