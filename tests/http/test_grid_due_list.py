"""The due list's sections mean what they say, as the calendar does: "this week" is
the items whose last day falls in this Monday-to-Sunday week; an item whose window is
open but runs on is apart, and one not open yet is apart again, with its opening day.
A visit logged before an item's window opens does not answer it, and the form and
the message after saving say so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from sqlalchemy import select, update

from app.core import clock
from app.core.clock import CHINA_TIME
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid import due
from app.grid.models import Grid, VisitDueItem, VisitRule
from app.people.models import Person
from app.state import AppServices
from app.web.templates import day
from tests.factories import PointsRoster, World, make_points_roster
from tests.http.conftest import Browser, shown

FRIDAY = date(2026, 12, 4)
"""春节 2027 is on 6 February; with 60 days before, its window opens on Tuesday 8
December and runs to 12 February."""
SPRING_OPENS = date(2026, 12, 8)


@pytest.fixture
def move_day(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    def move(today: date) -> None:
        monkeypatch.setattr(clock, "today", lambda: today)
        monkeypatch.setattr(clock, "now", lambda: datetime.combine(today, time(9), CHINA_TIME))

    move(FRIDAY)
    return move


@pytest.fixture
async def points(services: AppServices, world: World, move_day: object) -> PointsRoster:
    points = await make_points_roster(services, world.a)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            # 党员甲's birthday is on Saturday: due this week.
            await session.execute(
                update(Person)
                .where(Person.id == points.member_a)
                .values(birth_date=date(1936, 12, 5))
            )
            # The district visits for 春节 over the two months before it.
            await session.execute(
                update(VisitRule).where(VisitRule.code == "spring_festival").values(days_before=60)
            )
            await session.commit()
    await refresh(services, world)
    return points


async def refresh(services: AppServices, world: World) -> None:
    """What the nightly job does for the day."""
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            await due.refresh(session, clock.today())
            await session.commit()


def section(page: str, name: str) -> str:
    """One section of the due list ('' when it is not there)."""
    start = page.find(f'id="due-{name}"')
    return "" if start < 0 else page[start : page.index("</section>", start)]


async def test_this_week_is_this_week_and_a_window_not_open_yet_is_apart(
    browser: Browser, world: World, points: PointsRoster, services: AppServices,
    move_day: Callable[[date], None],
) -> None:  # fmt: skip
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = (await browser.get("/grid")).text
    this_week = section(page, "this-week")
    assert "党员甲" in this_week and "生日祝寿" in this_week
    assert "春节慰问" not in this_week
    assert shown("Coming up this week") not in page
    not_open = section(page, "not-open")
    assert "春节慰问" in not_open
    assert shown("from %(day)s", day=day(SPRING_OPENS)) in not_open
    # The calendar agrees: the birthday on its day this week, 春节 nowhere in five weeks.
    calendar = (await browser.get("/grid/calendar")).text
    assert "党员甲" in calendar and "生日祝寿" in calendar
    assert "春节慰问" not in calendar
    # Once the window is open the item can be answered; its deadline is not this week.
    move_day(date(2026, 12, 9))
    await refresh(services, world)
    page = (await browser.get("/grid")).text
    assert "春节慰问" in section(page, "later")
    assert "春节慰问" not in section(page, "this-week") + section(page, "not-open")


async def test_a_visit_before_the_window_opens_is_told_what_it_will_not_answer(
    browser: Browser, world: World, points: PointsRoster, services: AppServices
) -> None:
    await browser.login(world.a.users[Role.GRID_WORKER])
    notice = shown(
        "This visit will not count for %(rule)s: its time to visit opens on %(day)s.",
        rule="春节慰问", day=day(SPRING_OPENS),
    )  # fmt: skip
    form = await browser.get(f"/grid/visits/new?person={points.member_b}")
    assert notice in form.text
    saved = await browser.post(
        "/grid/visits",
        {"person_id": str(points.member_b), "kind": "holiday", "place": "home",
         "visited_on": FRIDAY.isoformat(), "visit_id": "", "notes": "提前送了对联"},
    )  # fmt: skip
    assert saved.status_code == 303
    assert notice in (await browser.get("/grid")).text  # the message after saving
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            item = await session.scalar(
                select(VisitDueItem.visit_id).where(
                    VisitDueItem.person_id == points.member_b,
                    VisitDueItem.occasion == "spring_festival:2027",
                )
            )
    assert item is None  # still to do once its window opens


MONDAY = date(2026, 12, 7)


def agenda_day(page: str, on: date) -> str:
    """One day of the calendar's agenda ('' when it is folded into a quiet run)."""
    start = page.find(f'id="d-{on.isoformat()}"')
    if start < 0:
        return ""
    ends = [page.find(f'<li class="cal-{kind}', start) for kind in ("day", "quiet")]
    return page[start : min([end for end in ends if end > 0] or [page.index("</ol>", start)])]


async def test_people_added_today_are_due_at_once_and_the_calendar_shows_five_weeks(
    browser: Browser, world: World, points: PointsRoster, services: AppServices,
    move_day: Callable[[date], None],
) -> None:  # fmt: skip
    """A new district's first day: the admin adds people with birthdays this week, next
    week and at the turn of the year, and assigns them to a grid. No night has passed,
    yet the worker's list, the person's card and all five weeks of the calendar show
    them."""
    move_day(MONDAY)
    await browser.login(world.a.users[Role.TENANT_ADMIN])
    await browser.get("/people/new")
    added = {}
    for name, born in (
        ("寿星甲", "1936-12-09"),
        ("寿星乙", "1936-12-20"),
        ("寿星丙", "1940-12-30"),
    ):
        response = await browser.post(
            "/people",
            {"name": name, "category": "military_retiree", "birth_date": born,
             "branch_id": str(points.roster.branch_1)},
        )  # fmt: skip
        assert response.status_code == 303, response.text[:2000]
        added[name] = response.headers["location"].rsplit("/", 1)[1]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            grid = await session.scalar(select(Grid.id).where(Grid.name == "第一网格"))
    assigned = await browser.post(
        "/grid/assign", {"grid_id": str(grid), "person_id": list(added.values())}
    )
    assert assigned.status_code == 303
    await browser.login(world.a.users[Role.GRID_WORKER])
    page = (await browser.get("/grid")).text
    assert "寿星甲" in section(page, "this-week")  # 90 on Wednesday
    assert "寿星乙" in section(page, "not-open")  # opens next Monday
    assert "寿星丙" not in page  # opens in three weeks
    card = (await browser.get(f"/grid/people/{added['寿星甲']}")).text
    assert shown("Visits due") in card and "生日祝寿" in card
    calendar = (await browser.get("/grid/calendar")).text
    assert "寿星甲" in agenda_day(calendar, date(2026, 12, 13))  # the last day of their week
    assert "寿星乙" in agenda_day(calendar, date(2026, 12, 20))
    assert "寿星丙" in agenda_day(calendar, date(2027, 1, 3))  # week four, not written yet


async def test_the_calendar_shows_the_holidays_of_weeks_not_written_yet(
    browser: Browser, world: World, points: PointsRoster, move_day: Callable[[date], None],
    services: AppServices,
) -> None:  # fmt: skip
    """Monday 14 September 2026: 中秋 (the 25th) opens this week and is written; 国庆's
    window (24 September to 7 October) opens after the week the night writes, yet the
    calendar shows it on its last day — for the grid's living people, and 七一 only for
    party members."""
    move_day(date(2026, 9, 14))
    await refresh(services, world)
    await browser.login(world.a.users[Role.GRID_WORKER])
    calendar = (await browser.get("/grid/calendar")).text
    assert "中秋节慰问" in agenda_day(calendar, date(2026, 9, 25))
    national = agenda_day(calendar, date(2026, 10, 7))
    assert national.count("国庆节慰问") == 6  # the six people of 第一网格
    assert "国庆节慰问" not in (await browser.get("/grid")).text  # it opens in ten days


async def test_a_backdated_visit_says_that_a_window_opened_since_not_that_it_opens(
    browser: Browser, world: World, points: PointsRoster, services: AppServices,
    move_day: Callable[[date], None],
) -> None:  # fmt: skip
    """On 10 December a worker logs a visit made on the 5th: 春节's window opened on the
    8th, after the visit, so the visit does not answer it — and the message says the
    window opened then, not that it opens on a day already past."""
    move_day(date(2026, 12, 10))
    await refresh(services, world)
    await browser.login(world.a.users[Role.GRID_WORKER])
    saved = await browser.post(
        "/grid/visits",
        {"person_id": str(points.member_b), "kind": "holiday", "place": "home",
         "visited_on": "2026-12-05", "visit_id": "", "notes": "上周送了对联"},
    )  # fmt: skip
    assert saved.status_code == 303
    page = (await browser.get("/grid")).text
    opened = shown(
        "This visit does not count for %(rule)s: its time to visit opened on %(day)s, after "
        "the visit. Please visit again.", rule="春节慰问", day=day(SPRING_OPENS),
    )  # fmt: skip
    assert opened in page
    assert shown(
        "This visit will not count for %(rule)s: its time to visit opens on %(day)s.",
        rule="春节慰问", day=day(SPRING_OPENS),
    ) not in page  # fmt: skip
    assert "春节慰问" in section(page, "later")  # still to do


async def test_a_due_item_opens_the_visit_form_with_its_own_kind(
    browser: Browser, world: World, points: PointsRoster
) -> None:
    """Two items for one person (a hospital stay, 送学上门): each card's link starts the
    form with the kind that answers it, not the oldest item's."""
    await browser.login(world.a.users[Role.GRID_WORKER])
    form = await browser.get(f"/grid/visits/new?person={points.member_b}&for=home_study")
    assert 'value="home_study" checked' in form.text
    odd = await browser.get(f"/grid/visits/new?person={points.member_b}&for=nonsense")
    assert odd.status_code == 200 and 'value="home_study" checked' not in odd.text
