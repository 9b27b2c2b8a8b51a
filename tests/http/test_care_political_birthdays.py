"""Political birthdays over HTTP: the list in each user's scope with the years in the
Party and the year's figures, a grid worker's one-tap ticks (with and without htmx), a
gift ticked twice, a parcel without its tracking number, and who may open a member's
page — every refusal in Chinese, nothing written."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import func, select

from app.care.political_birthdays.models import BirthdayGift, PoliticalBirthday
from app.core import clock
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.care_gifts import GiftsRoster, make_gifts_roster
from tests.factories import World, make_world
from tests.http.conftest import Browser
from tests.http.test_grid_visits import visit_form

HTMX = {"HX-Request": "true", "HX-Target": "gifts"}


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def roster(services: AppServices, world: World) -> GiftsRoster:
    return await make_gifts_roster(services, world.a)


async def written(services: AppServices, world: World) -> tuple[int, int]:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            count = select(func.count())
            return (
                int(await session.scalar(count.select_from(PoliticalBirthday)) or 0),
                int(await session.scalar(count.select_from(BirthdayGift)) or 0),
            )


def year() -> str:
    return str(clock.today().year)


async def test_the_list_shows_the_scope_with_years_and_figures(
    browser: Browser, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = await browser.get("/care/political-birthdays")
    assert page.status_code == 200
    assert "王建国" in page.text and "赵志刚" in page.text
    assert "孙立" not in page.text  # another grid's
    assert f"入党 {clock.today().year - 1975} 周年" in page.text
    assert "流动党员" in page.text and "已送 0 件，共 5 件" in page.text
    assert f"{year()}年完成情况" in page.text
    month = await browser.get(f"/care/political-birthdays?month={year()}-07")
    assert ("党员甲" in month.text and "王建国" not in month.text) or clock.today().month == 7
    odd = await browser.get("/care/political-birthdays?month=%00abc&page=x")
    assert odd.status_code == 200


async def test_a_grid_worker_ticks_gifts_with_and_without_htmx(
    browser: Browser, services: AppServices, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    url = f"/care/political-birthdays/{roster.wang}"
    page = await browser.get(f"{url}?year={year()}")
    assert page.status_code == 200 and "送到后点一下" in page.text
    assert "邮寄给流动党员" not in page.text  # not a mobile member
    done = await browser.post(url, {"action": "tick", "gift": "card", "year": year()})
    assert done.status_code == 303 and done.headers["location"] == f"{url}?year={year()}"
    swapped = await browser.post(
        url, {"action": "tick", "gift": "badge", "year": year()}, headers=HTMX
    )
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith(
        '<section class="card card--narrow pb-gifts" id="gifts"'
    )
    assert "已给王建国送达党徽" in swapped.text and "已送 2 件" in swapped.text
    assert await written(services, world) == (1, 2)

    # Twice: refused in words, nothing written (htmx: the block again with the message).
    again = await browser.post(
        url, {"action": "tick", "gift": "badge", "year": year()}, headers=HTMX
    )
    assert again.status_code == 422 and "党徽已经送给王建国了" in again.text
    plain = await browser.post(url, {"action": "tick", "gift": "card", "year": year()})
    assert plain.status_code == 422 and "贺卡已经送给王建国了" in plain.text
    assert "<html" in plain.text  # without htmx: the whole page again
    bad = await browser.post(url, {"action": "tick", "gift": "cake", "year": year()}, headers=HTMX)
    assert bad.status_code == 422 and "请选择礼物" in bad.text
    assert await written(services, world) == (1, 2)

    # A correction: untick, written in the log.
    undone = await browser.post(url, {"action": "untick", "gift": "card", "year": year()})
    assert undone.status_code == 303
    assert await written(services, world) == (1, 1)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    log = await browser.get(f"/people/{roster.wang}")
    assert "撤销政治生日礼物" in log.text and "送达政治生日礼物" in log.text


async def test_a_parcel_needs_its_tracking_number(
    browser: Browser, services: AppServices, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    url = f"/care/political-birthdays/{roster.zhao}"
    page = await browser.get(f"{url}?year={year()}")
    assert "邮寄给流动党员" in page.text
    parcel = {"action": "post", "year": year(), "gift_card": "1", "gift_book": "1",
              "posted_on": str(clock.today())}  # fmt: skip
    refused = await browser.post(url, parcel)
    assert refused.status_code == 422 and "请填写快递单号" in refused.text
    assert 'name="gift_card" value="1" checked' in refused.text  # what was typed stays
    wrong = await browser.post(url, parcel | {"tracking_number": "快递"})
    assert wrong.status_code == 422 and "8 到 30 位字母或数字" in wrong.text
    assert await written(services, world) == (0, 0)
    sent = await browser.post(url, parcel | {"tracking_number": "SF1234567890"})
    assert sent.status_code == 303
    shown = await browser.get(sent.headers["location"])
    assert "快递单号 SF1234567890" in shown.text and "已登记寄给赵志刚的包裹" in shown.text
    not_mobile = await browser.post(
        f"/care/political-birthdays/{roster.wang}", parcel | {"tracking_number": "SF1234567890"}
    )
    assert not_mobile.status_code == 422 and "王建国不是流动党员" in not_mobile.text
    assert await written(services, world) == (1, 2)


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.BRANCH_SECRETARY])
async def test_another_grid_or_branch_gets_not_found(
    browser: Browser, services: AppServices, world: World, roster: GiftsRoster, role: Role
) -> None:
    await browser.login(world.a.users[role])
    url = f"/care/political-birthdays/{roster.sun}"
    assert (await browser.get(url)).status_code == 404
    tick = {"action": "tick", "gift": "card", "year": year()}
    assert (await browser.post(url, tick)).status_code == 404
    assert await written(services, world) == (0, 0)


async def test_a_member_may_not_tick(
    browser: Browser, services: AppServices, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    assert (await browser.get("/care/political-birthdays")).status_code == 403
    url = f"/care/political-birthdays/{roster.wang}"
    tick = {"action": "tick", "gift": "card", "year": year()}
    assert (await browser.post(url, tick)).status_code == 403
    assert await written(services, world) == (0, 0)


async def test_someone_not_in_the_party_is_sent_back_in_words(
    browser: Browser, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    response = await browser.get(f"/care/political-birthdays/{roster.points.roster.person_2}")
    assert response.status_code == 303
    listed = await browser.get(response.headers["location"])
    assert "甲二号在名册上没有入党日期" in listed.text


async def test_a_political_birthday_visit_leads_to_the_gifts(
    browser: Browser, world: World, roster: GiftsRoster
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    await browser.get("/grid/visits/new")
    form = visit_form(roster.wang, kind="political_birthday", visit_id=str(uuid4()))
    logged = await browser.post("/grid/visits", form)
    assert logged.status_code == 303
    assert logged.headers["location"] == f"/care/political-birthdays/{roster.wang}"
    routine = await browser.post("/grid/visits", visit_form(roster.wang, visit_id=str(uuid4())))
    assert routine.headers["location"] == "/grid"
