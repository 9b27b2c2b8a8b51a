"""Political birthdays: who has one when (29 February, the year's end), one record per
member per year, each gift once, unticking, parcels for mobile members only, and who
may tick — each refusal in words with nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.care.political_birthdays.calendar import anniversary, anniversary_sql, default_window
from app.care.political_birthdays.models import BirthdayGift, PoliticalBirthday
from app.care.political_birthdays.service import PoliticalBirthdayService
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.occasions import political_birthday_in
from app.people.models import Person
from app.state import AppServices
from tests.care_gifts import GiftsRoster, make_gifts_roster
from tests.factories import World, add_person, identity_of, make_world


@pytest.fixture
async def world(services: AppServices, owner_db: Database) -> World:
    return await make_world(services, owner_db)


@pytest.fixture
async def roster(services: AppServices, world: World) -> GiftsRoster:
    return await make_gifts_roster(services, world.a)


async def who(services: AppServices, world: World, role: Role) -> Identity:
    return await identity_of(services, world.a.tenant_id, world.a.users[role].id)


async def call(services: AppServices, world: World, method: str, *args: Any) -> Any:
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            return await getattr(PoliticalBirthdayService(session), method)(*args)


async def rows(services: AppServices, world: World) -> tuple[int, int, int]:
    """Records, gifts and audit events of political birthdays in district A."""
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            count = select(func.count())
            return (
                int(await session.scalar(count.select_from(PoliticalBirthday)) or 0),
                int(await session.scalar(count.select_from(BirthdayGift)) or 0),
                int(await session.scalar(
                    count.select_from(AuditEvent).where(AuditEvent.action.like("care.%"))
                ) or 0),
            )  # fmt: skip


def tick(gift: str, year: int | None = None) -> dict[str, str]:
    return {"year": str(year or clock.today().year), "gift": gift}


def test_29_february_falls_on_the_28th_in_common_years() -> None:
    leap = date(1972, 2, 29)
    assert anniversary(2027, leap) == date(2027, 2, 28)
    assert anniversary(2028, leap) == date(2028, 2, 29)
    assert anniversary(2100, leap) == date(2100, 2, 28)  # not a leap year
    assert default_window(date(2026, 12, 20)) == (date(2026, 12, 1), date(2027, 1, 17))


@pytest.mark.parametrize(("today", "expected"), [
    (date(2027, 2, 10), date(2027, 2, 28)), (date(2028, 2, 10), date(2028, 2, 29)),
])  # fmt: skip
async def test_the_list_finds_a_leap_day_member_in_any_february(
    services: AppServices, world: World, roster: GiftsRoster, monkeypatch: pytest.MonkeyPatch,
    today: date, expected: date,
) -> None:  # fmt: skip
    leap = await add_person(services, world.a, "闰日党员", roster.points.roster.branch_1,
                            party_member=True, party_joined_on=date(1972, 2, 29))  # fmt: skip
    monkeypatch.setattr(clock, "today", lambda: today)
    admin = await who(services, world, Role.TENANT_ADMIN)
    page = await call(services, world, "upcoming", admin, date(today.year, 2, 1),
                      date(today.year, 2, 28 if expected.day == 28 else 29), 1)  # fmt: skip
    found = [row for row in page.items if row.person_id == leap]
    assert [(row.on, row.years) for row in found] == [(expected, today.year - 1972)]
    sheet = await call(services, world, "sheet", admin, leap, today.year)
    assert sheet.on == expected


async def test_python_and_sql_agree_on_month_only_joining_dates(
    services: AppServices, world: World, roster: GiftsRoster
) -> None:
    """A month-only date falls on the month's first Monday (the care calendar's and the due
    list's rule), in SQL as in Python, over every month of common and leap years."""
    joined = {
        await add_person(services, world.a, f"党员{month}", roster.points.roster.branch_1,
                         party_member=True, party_joined_on=date(1960, month, 1),
                         party_joined_day_known=False): date(1960, month, 1)
        for month in range(1, 13)
    }  # fmt: skip
    leap = await add_person(services, world.a, "闰日党员", roster.points.roster.branch_1,
                            party_member=True, party_joined_on=date(1972, 2, 29))  # fmt: skip
    joined[leap] = date(1972, 2, 29)
    known = {pid: day.day == 29 for pid, day in joined.items()}
    for year in (2026, 2027, 2028, 2100):
        on = anniversary_sql(date(year, 1, 1), date(year, 12, 30))
        with tenant_scope(world.a.tenant_id):
            async with services.db.session() as session:
                result = await session.execute(
                    select(Person.id, on).where(Person.id.in_(list(joined)))
                )
                found = {pid: day for pid, day in result.all()}
        for pid, day in joined.items():
            expected = political_birthday_in(year, day, known[pid])
            assert found[pid] == expected == anniversary(year, day, known[pid]), (year, day)
            assert expected is not None and (known[pid] or expected.weekday() == 0)


async def test_the_coming_weeks_run_over_the_year_end(
    services: AppServices, world: World, roster: GiftsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    january = await add_person(services, world.a, "元月党员", roster.points.roster.branch_1,
                               party_member=True, party_joined_on=date(1980, 1, 5))  # fmt: skip
    dead = await add_person(services, world.a, "已故党员", roster.points.roster.branch_1,
                            party_member=True, party_joined_on=date(1980, 1, 6),
                            deceased_on=date(2025, 3, 1))  # fmt: skip
    this_year = await add_person(services, world.a, "当年党员", roster.points.roster.branch_1,
                                 party_member=True, party_joined_on=date(2026, 12, 25))  # fmt: skip
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 20))
    admin = await who(services, world, Role.TENANT_ADMIN)
    page = await call(services, world, "upcoming", admin, *default_window(date(2026, 12, 20)), 1)
    shown = {row.person_id: (row.on, row.years) for row in page.items}
    assert shown[january] == (date(2027, 1, 5), 47)
    assert dead not in shown and this_year not in shown  # deceased; no anniversary yet


async def test_one_record_per_member_per_year(
    services: AppServices, world: World, roster: GiftsRoster
) -> None:
    admin = await who(services, world, Role.TENANT_ADMIN)
    year = clock.today().year
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            birthdays = PoliticalBirthdayService(session)
            person = await birthdays.member(admin, roster.wang)
            await birthdays.open(admin, person, year)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            birthdays = PoliticalBirthdayService(session)
            person = await birthdays.member(admin, roster.wang)
            with pytest.raises(Refused) as refused:
                await birthdays.open(admin, person, year)
    assert refused.value.text() == f"王建国的{year}年政治生日已经登记过了。"
    assert await rows(services, world) == (1, 0, 0)


async def test_a_gift_ticked_twice_is_refused_and_nothing_written(
    services: AppServices, world: World, roster: GiftsRoster
) -> None:
    worker = await who(services, world, Role.GRID_WORKER)
    assert await call(services, world, "tick", worker, roster.wang, tick("badge")) == "badge"
    assert await rows(services, world) == (1, 1, 1)
    with pytest.raises(Refused) as refused:
        await call(services, world, "tick", worker, roster.wang, tick("badge"))
    assert refused.value.text().startswith(f"党徽已经送给王建国了（{worker.name}，")
    assert await rows(services, world) == (1, 1, 1)
    # Another gift of the same year goes on the same record.
    await call(services, world, "tick", worker, roster.wang, tick("card"))
    sheet = await call(services, world, "sheet", worker, roster.wang, clock.today().year)
    assert sheet.done == 2 and sheet.gifts["card"].delivered_by_name == worker.name
    assert await rows(services, world) == (1, 2, 2)


async def test_untick_is_a_correction_kept_in_the_log(
    services: AppServices, world: World, roster: GiftsRoster
) -> None:
    secretary = await who(services, world, Role.BRANCH_SECRETARY)
    await call(services, world, "tick", secretary, roster.wang, tick("book"))
    await call(services, world, "untick", secretary, roster.wang, tick("book"))
    assert await rows(services, world) == (1, 0, 2)
    with pytest.raises(Refused) as refused:
        await call(services, world, "untick", secretary, roster.wang, tick("book"))
    assert "还没有送" in refused.value.text()
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            taken = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "care.gift_unticked")
            )
    assert taken is not None and taken.subject_id == roster.wang
    assert taken.changes["gift"] == "book" and taken.changes["delivered_by_name"] == secretary.name


async def test_a_parcel_needs_a_mobile_member_and_a_tracking_number(
    services: AppServices, world: World, roster: GiftsRoster
) -> None:
    worker = await who(services, world, Role.GRID_WORKER)
    parcel = {"year": str(clock.today().year), "gift_card": "1", "gift_plate": "1",
              "tracking_number": "SF 1234 5678 9012", "posted_on": str(clock.today())}  # fmt: skip
    with pytest.raises(InvalidForm) as invalid:
        await call(services, world, "post", worker, roster.zhao, parcel | {"tracking_number": ""})
    assert invalid.value.errors["tracking_number"] == "Please enter the parcel's tracking number."
    with pytest.raises(InvalidForm) as invalid:
        await call(services, world, "post", worker, roster.zhao,
                   {"year": parcel["year"], "tracking_number": "SF1234567890"})  # fmt: skip
    assert set(invalid.value.errors) == {"gifts"}
    with pytest.raises(Refused) as refused:
        await call(services, world, "post", worker, roster.wang, parcel)
    assert refused.value.text() == "王建国不是流动党员，请当面送达。"
    assert await rows(services, world) == (0, 0, 0)
    await call(services, world, "post", worker, roster.zhao, parcel)
    sheet = await call(services, world, "sheet", worker, roster.zhao, clock.today().year)
    assert {g: (v.way, v.tracking_number) for g, v in sheet.gifts.items()} == {
        "card": ("post", "SF123456789012"), "plate": ("post", "SF123456789012")}  # fmt: skip
    with pytest.raises(Refused):  # the card is already on its way
        await call(services, world, "post", worker, roster.zhao, parcel | {"gift_plate": ""})
    assert await rows(services, world) == (1, 2, 1)


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.BRANCH_SECRETARY, Role.MEMBER])
async def test_only_who_serves_the_member_may_tick(
    services: AppServices, world: World, roster: GiftsRoster, role: Role
) -> None:
    """孙立 is of 第二支部 and in a grid the worker does not work: not found for them,
    as for a member (who serves no one); the admin may."""
    identity = await who(services, world, role)
    with pytest.raises(NotFound):
        await call(services, world, "tick", identity, roster.sun, tick("card"))
    assert await rows(services, world) == (0, 0, 0)
    admin = await who(services, world, Role.TENANT_ADMIN)
    await call(services, world, "tick", admin, roster.sun, tick("card"))
    assert await rows(services, world) == (1, 1, 1)


async def test_years_that_cannot_be_recorded(
    services: AppServices, world: World, roster: GiftsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 7))
    admin = await who(services, world, Role.TENANT_ADMIN)
    newcomer = await add_person(services, world.a, "新党员", roster.points.roster.branch_1,
                                party_member=True, party_joined_on=date(2026, 3, 1))  # fmt: skip
    later = await add_person(services, world.a, "春节党员", roster.points.roster.branch_1,
                             party_member=True, party_joined_on=date(1960, 3, 1))  # fmt: skip
    cases: list[tuple[UUID, int, str]] = [
        (newcomer, 2026, "新党员的第一个政治生日在2027年。"),
        (later, 2024, "2024年的礼物已经不能再登记了。"),
        (later, 2027, "春节党员的政治生日是3月1日，请从前一个月起再登记。"),
    ]
    for person, year, said in cases:
        with pytest.raises(Refused) as refused:
            await call(services, world, "tick", admin, person, tick("card", year))
        assert refused.value.text() == said
    with pytest.raises(Refused) as refused:
        await call(services, world, "tick", admin, roster.points.roster.person_2, tick("card"))
    assert refused.value.text() == "甲二号在名册上没有入党日期。"
    assert await rows(services, world) == (0, 0, 0)


async def test_the_years_figures(services: AppServices, world: World, roster: GiftsRoster) -> None:
    admin = await who(services, world, Role.TENANT_ADMIN)
    for gift in ("card", "badge", "book", "plate", "message"):
        await call(services, world, "tick", admin, roster.wang, tick(gift))
    await call(services, world, "tick", admin, roster.sun, tick("card"))
    figures = await call(services, world, "figures", admin, clock.today().year)
    # 党员甲、乙、丙、丁 (joined 1970) and 王建国, 赵志刚, 孙立.
    assert (figures.members, figures.complete, figures.partly, figures.none) == (7, 1, 1, 5)
    worker = await who(services, world, Role.GRID_WORKER)  # not 孙立's grid
    figures = await call(services, world, "figures", worker, clock.today().year)
    assert (figures.members, figures.complete, figures.partly, figures.none) == (6, 1, 0, 5)
