"""Coverage figures per grid and the worker's calendar, against the real database.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, text, update

from app.core import clock
from app.core.errors import NotFound
from app.core.identity import SYSTEM, Identity
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.coverage.calendar import CalendarService, QuietDays
from app.grid.coverage.service import PER_GRID, CoverageService, current_window
from app.grid.models import Grid, Visit, VisitDueItem, VisitRule
from app.grid.occasions import end_of_day
from app.people.models import Person
from app.people.org.service import OrgService
from app.people.roster.service import PeopleService
from app.state import AppServices
from tests.clock import set_clock
from tests.factories import District, add_grid, add_person, add_unit, identity_of, make_world

MID_AUTUMN = "中秋节慰问"  # the preset's rule name


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


async def identity(services: AppServices, district: District, role: Role) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[role].id)


async def people(services: AppServices, district: District, *names: str) -> list[UUID]:
    return [await add_person(services, district, name) for name in names]


async def visit(
    services: AppServices, district: District, person: UUID, day: date, kind: str = "routine"
) -> UUID:
    worker = district.users[Role.GRID_WORKER]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            row = Visit(
                tenant_id=district.tenant_id, person_id=person, visited_on=day, kind=kind,
                place="home", visitor_id=worker.id, visitor_name=worker.name,
            )  # fmt: skip
            session.add(row)
            await session.commit()
            return row.id


async def due_item(
    services: AppServices,
    district: District,
    person: UUID,
    due_at: datetime,
    rule: str = "birthday",
    *,
    opens_on: date | None = None,
    answered_by: UUID | None = None,
) -> str:
    """A written item with an occasion of its own, which the calendar's entries name."""
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rule_id = await session.scalar(select(VisitRule.id).where(VisitRule.code == rule))
            item = VisitDueItem(
                tenant_id=district.tenant_id, person_id=person, rule_id=rule_id,
                occasion=f"test:{due_at.isoformat()}",
                opens_on=opens_on or due_at.astimezone(clock.CHINA_TIME).date() - timedelta(7),
                due_at=due_at, visit_id=answered_by,
                resolved_at=clock.now() if answered_by else None,
            )  # fmt: skip
            session.add(item)
            await session.commit()
            return item.occasion


async def set_targets(
    services: AppServices, district: District, grid: UUID, month: int, quarter: int
) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(
                update(Grid)
                .where(Grid.id == grid)
                .values(month_target=month, quarter_target=quarter)
            )
            await session.commit()


async def overview_of(services: AppServices, who: Identity) -> dict[str, object]:
    with tenant_scope(who.tenant_id):
        async with services.db.unit() as session:
            overview = await CoverageService(session).overview(who)
    return {row.name: row for row in overview.grids} | {"": overview.total}


# --- coverage figures ----------------------------------------------------------------


async def test_month_and_quarter_shares_follow_the_calendar(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    p1, p2, p3, p4 = await people(services, district, "一月访", "十月访", "九月访", "未访")
    grid = await add_grid(services, district, "东网格", people=[p1, p2, p3, p4])
    await set_targets(services, district, grid, month=50, quarter=75)
    await visit(services, district, p1, date(2026, 11, 1))
    await visit(services, district, p2, date(2026, 10, 1))
    await visit(services, district, p3, date(2026, 9, 30))
    admin = await identity(services, district, Role.TENANT_ADMIN)

    set_clock(monkeypatch, date(2026, 11, 30), time(23, 59))
    row = (await overview_of(services, admin))["东网格"]
    assert (row.people, row.visited_month, row.visited_quarter) == (4, 1, 2)
    assert (row.month_share, row.quarter_share) == (25, 50)
    assert row.month_below and row.quarter_below

    set_clock(monkeypatch, date(2026, 12, 1), time(0, 1))  # a new month, the same quarter
    row = (await overview_of(services, admin))["东网格"]
    assert (row.visited_month, row.visited_quarter) == (0, 2)

    set_clock(monkeypatch, date(2027, 1, 1), time(8))  # a new quarter
    row = (await overview_of(services, admin))["东网格"]
    assert (row.visited_month, row.visited_quarter) == (0, 0)

    set_clock(monkeypatch, date(2026, 10, 31))  # a visit dated later is not counted yet
    row = (await overview_of(services, admin))["东网格"]
    assert (row.visited_month, row.visited_quarter) == (1, 1)


async def test_a_target_met_exactly_is_met_and_an_empty_grid_is_never_behind(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 11, 15))
    p1, p2, p3 = await people(services, district, "甲", "乙", "丙")
    grid = await add_grid(services, district, "西网格", people=[p1, p2, p3])
    await add_grid(services, district, "空网格")
    await set_targets(services, district, grid, month=33, quarter=67)
    await visit(services, district, p1, date(2026, 11, 2))
    await visit(services, district, p2, date(2026, 10, 20))
    rows = await overview_of(services, await identity(services, district, Role.TENANT_ADMIN))
    west = rows["西网格"]
    assert not west.month_below  # 1 of 3 is 33.3%, above 33%
    assert west.quarter_below  # 2 of 3 is 66.7%, below 67%
    assert west.quarter_share == 66  # rounded down: never shown as meeting it
    empty = rows["空网格"]
    assert empty.people == 0 and empty.month_share is None and not empty.month_below
    assert rows[""].people == 3 and rows[""].visited_quarter == 2


async def test_deceased_and_reassigned_people_leave_the_figures(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 11, 15))
    stays, dies, moves = await people(services, district, "留下", "去世", "调走")
    await add_grid(services, district, "旧网格", people=[stays, dies, moves])
    for person in (stays, dies, moves):
        await visit(services, district, person, date(2026, 11, 3))
        await due_item(services, district, person, end_of_day(date(2026, 11, 10)))
    await add_grid(services, district, "新网格", people=[moves])
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(
                update(Person).where(Person.id == dies).values(deceased_on=date(2026, 11, 12))
            )
            await session.commit()
    rows = await overview_of(services, await identity(services, district, Role.TENANT_ADMIN))
    old, new = rows["旧网格"], rows["新网格"]
    assert (old.people, old.visited_month, old.overdue) == (1, 1, 1)
    assert (new.people, new.visited_month, new.overdue) == (1, 1, 1)  # the visit goes along
    assert (rows[""].people, rows[""].overdue) == (2, 2)


async def test_overdue_counts_unanswered_items_past_their_deadline_for_30_days(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 11, 15), time(9))
    (person,) = await people(services, district, "住院")
    await add_grid(services, district, "南网格", people=[person])
    now = clock.now()
    await due_item(services, district, person, now - timedelta(hours=1), "hospitalisation")
    await due_item(services, district, person, now - timedelta(days=29))
    await due_item(services, district, person, now + timedelta(hours=1), "hardship")
    await due_item(services, district, person, now - timedelta(days=31), "dispute")  # missed
    answered = await visit(services, district, person, date(2026, 11, 14), "emotional")
    await due_item(services, district, person, now - timedelta(days=2), "emotional",
                   answered_by=answered)  # fmt: skip
    row = (await overview_of(services, await identity(services, district, Role.TENANT_ADMIN)))[
        "南网格"
    ]
    assert row.overdue == 2


async def test_not_visited_for_90_days_lists_the_never_visited_first(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = date(2026, 11, 15)
    set_clock(monkeypatch, today)
    never, day_90, day_89, day_200, often = await people(
        services, district, "从未", "九十", "八九", "二百", "常访"
    )
    grid = await add_grid(
        services, district, "北网格", people=[never, day_90, day_89, day_200, often]
    )
    await visit(services, district, day_90, today - timedelta(days=90), "hospital")
    await visit(services, district, day_89, today - timedelta(days=89))
    await visit(services, district, day_200, today - timedelta(days=200))
    for day in (date(2026, 9, 30), date(2026, 10, 5), date(2026, 11, 2)):
        await visit(services, district, often, day)
    admin = await identity(services, district, Role.TENANT_ADMIN)
    assert (await overview_of(services, admin))["北网格"].stale == 3
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            detail = await CoverageService(session).grid(admin, grid)
    assert [p.name for p in detail.stale] == ["从未", "二百", "九十"]
    by_name = {p.name: p for p in detail.people}
    ninety = by_name["九十"]
    assert (ninety.days_since, ninety.last_kind, ninety.visited_this_month) == (
        90,
        "hospital",
        False,
    )
    assert (by_name["常访"].quarter_visits, by_name["常访"].visited_this_month) == (2, True)
    assert by_name["从未"].last_visit is None and by_name["八九"].days_since == 89


@dataclass
class SubCenters:
    north: UUID
    south: UUID
    loose: UUID
    """A grid that belongs to no unit: only the admin sees it."""
    mine: UUID
    """The grid worker's."""


async def sub_centers(services: AppServices, district: District) -> SubCenters:
    """A center with two sub-centers; the secretary account heads the north one."""
    center = await add_unit(services, district, "center", "军休中心")
    north_unit = await add_unit(services, district, "subcenter", "北分中心", center)
    south_unit = await add_unit(services, district, "subcenter", "南分中心", center)
    head = await add_person(services, district, "北主任")
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await PeopleService(session, services.cipher).link_account(
                EVERYONE, head, district.users[Role.BRANCH_SECRETARY].id, SYSTEM
            )
            await OrgService(session).set_leader(north_unit, head, SYSTEM)
    north_person, south_person = await people(services, district, "北老人", "南老人")
    return SubCenters(
        north=await add_grid(services, district, "北一", people=[north_person], unit=north_unit),
        south=await add_grid(services, district, "南一", people=[south_person], unit=south_unit),
        loose=await add_grid(services, district, "无主网格"),
        mine=await add_grid(services, district, "我的网格",
                            workers=[district.users[Role.GRID_WORKER].id]),
    )  # fmt: skip


async def test_a_sub_center_head_sees_only_their_sub_centers_grids(
    services: AppServices, district: District
) -> None:
    grids = await sub_centers(services, district)
    head = await identity(services, district, Role.BRANCH_SECRETARY)
    assert set(await overview_of(services, head)) == {"北一", ""}
    worker = await identity(services, district, Role.GRID_WORKER)
    assert set(await overview_of(services, worker)) == {
        "我的网格", "",
    }  # fmt: skip
    admin = await identity(services, district, Role.TENANT_ADMIN)
    assert set(await overview_of(services, admin)) == {
        "北一", "南一", "无主网格", "我的网格", "",
    }  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            service = CoverageService(session)
            assert (await service.grid(head, grids.north)).people[0].name == "北老人"
            for other in (grids.south, grids.loose, grids.mine):
                with pytest.raises(NotFound):
                    await service.grid(head, other)
            with pytest.raises(NotFound):
                await CalendarService(session).calendar(head, grids.south)


async def test_the_overview_reads_through_the_indexes(
    services: AppServices, district: District, owner_db: Database
) -> None:
    """The plan of the per-grid statement, once the tables are big enough that a scan
    would be chosen if the indexes did not serve."""
    grid = await add_grid(services, district, "大网格")
    await owner_db_fill(owner_db, district, grid)
    params = {**current_window().params(), "grids": [grid]}
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            plan = "\n".join(await session.scalars(text(f"explain {PER_GRID}"), params))
    for index in ("ix_visits_person", "ix_visit_due_items_open", "ix_grid_assignments_grid"):
        assert index in plan, plan


async def owner_db_fill(owner_db: Database, district: District, grid: UUID) -> None:
    """10,000 people in grids of 150 with a year of visits (one a quarter each) and of
    due items (one in six still overdue, the others missed), analysed."""
    worker = district.users[Role.GRID_WORKER].id
    tenant = district.tenant_id
    statements = [
        """insert into people (tenant_id, id, name, search_keys, sort_key, category)
           select :t, gen_random_uuid(), '人' || n, 'ren' || n, lpad(n::text, 5, '0'),
                  'military_retiree' from generate_series(1, 10000) n""",
        """insert into grids (tenant_id, name)
           select :t, '网格' || n from generate_series(1, 66) n""",
        """insert into grid_assignments (tenant_id, person_id, grid_id)
           select :t, p.id, case when p.sort_key <= '00150' then :g else
                  (select id from grids g where g.tenant_id = :t and g.name =
                   '网格' || (p.sort_key::int % 66 + 1)) end
             from people p where p.tenant_id = :t""",
        """insert into visits (tenant_id, person_id, visited_on, kind, place, visitor_id,
                               visitor_name)
           select :t, p.id, current_date - n * 91 - abs(hashtext(p.id::text)) % 91, 'routine',
                  'home', :w, '网格员'
             from people p, generate_series(0, 3) n where p.tenant_id = :t""",
        """insert into visit_due_items (tenant_id, person_id, rule_id, occasion, opens_on,
                                        due_at)
           select :t, p.id, r.id, 'bulk:' || n, current_date - n * 60 - 12,
                  now() - (n * 60 + 5) * interval '1 day'
             from people p, generate_series(0, 5) n,
                  (select id from visit_rules where tenant_id = :t and code = 'birthday') r
            where p.tenant_id = :t""",
        "analyze people", "analyze grid_assignments", "analyze visits", "analyze visit_due_items",
    ]  # fmt: skip
    async with owner_db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement), {"t": tenant, "g": grid, "w": worker})


# --- the calendar --------------------------------------------------------------------


async def test_the_calendar_shows_meeting_days_holidays_and_due_items_overdue_first(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 9, 23), time(10))  # a Wednesday
    mine, theirs = await people(services, district, "我的人", "别人")
    worker = district.users[Role.GRID_WORKER]
    await add_grid(services, district, "我的网格", people=[mine], workers=[worker.id])
    await add_grid(services, district, "别的网格", people=[theirs])
    now = clock.now()
    late = await due_item(services, district, mine, end_of_day(date(2026, 9, 21)))
    await due_item(services, district, mine, now - timedelta(days=31), "hardship")  # missed
    festival = await due_item(services, district, mine, end_of_day(date(2026, 9, 27)),
                              "mid_autumn", opens_on=date(2026, 9, 21))  # fmt: skip
    hospital = await due_item(services, district, mine, now + timedelta(hours=30),
                              "hospitalisation")  # fmt: skip
    answered = await visit(services, district, mine, date(2026, 9, 22), "dispute")
    await due_item(services, district, mine, end_of_day(date(2026, 9, 25)), "dispute",
                   answered_by=answered)  # fmt: skip
    await due_item(services, district, mine, end_of_day(date(2026, 10, 28)), "hardship")  # beyond
    await due_item(services, district, theirs, end_of_day(date(2026, 9, 24)))

    worker = await identity(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            calendar = await CalendarService(session).calendar(worker)
    assert (calendar.start, calendar.end) == (date(2026, 9, 21), date(2026, 10, 25))
    assert [d.day for d in calendar.days if d.meeting] == [date(2026, 10, 10)]
    days = {d.day: d for d in calendar.days}
    assert days[date(2026, 9, 25)].holidays == ["Mid-Autumn Festival"]
    assert days[date(2026, 10, 1)].holidays == ["National Day"]
    assert [e.occasion for e in calendar.overdue] == [late]
    assert [(e.occasion, e.rule_name) for e in days[date(2026, 9, 27)].due] == [
        (festival, MID_AUTUMN)
    ]  # on its last day
    assert [e.occasion for e in days[date(2026, 9, 24)].due] == [hospital]  # 16:00 that day
    shown = {e.occasion for d in calendar.days for e in d.due} | {
        e.occasion for e in calendar.overdue
    }
    # Beside the written items: the festivals of these five weeks, which the district's
    # holiday rules ask for; the answered item, the missed one, the one beyond the five
    # weeks and the other grid's person's are not shown.
    assert shown == {
        late,
        festival,
        hospital,
        "mid_autumn:2026",
        "national_day:2026",
        "double_ninth:2026",
    }
    assert [g.name for g in calendar.grids] == ["我的网格"]


async def test_the_meeting_day_follows_the_districts_setting(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 12, 30))
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(text("update service_settings set meeting_day = 28"))
            await session.commit()
        worker = await identity(services, district, Role.GRID_WORKER)
        async with services.db.unit() as session:
            calendar = await CalendarService(session).calendar(worker)
    assert (calendar.start, calendar.end) == (date(2026, 12, 28), date(2027, 1, 31))
    assert [d.day for d in calendar.days if d.meeting] == [date(2026, 12, 28), date(2027, 1, 28)]
    assert calendar.grids == [] and calendar.overdue == []


async def test_admins_pick_a_grid_and_see_its_items(
    services: AppServices, district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, date(2026, 11, 4))
    (person,) = await people(services, district, "某人")
    grid = await add_grid(services, district, "东网格", people=[person])
    item = await due_item(services, district, person, end_of_day(date(2026, 11, 6)))
    admin = await identity(services, district, Role.TENANT_ADMIN)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            unpicked = await CalendarService(session).calendar(admin)
            picked = await CalendarService(session).calendar(admin, grid)
    assert unpicked.grids == [] and [g.name for g in unpicked.choices] == ["东网格"]
    assert picked.chosen is not None and picked.chosen.id == grid
    day = next(d for d in picked.days if d.day == date(2026, 11, 6))
    assert [(e.occasion, e.person_name) for e in day.due] == [(item, "某人")]
    days = {d.day: d for d in picked.days}
    assert picked.agenda == [
        QuietDays(date(2026, 11, 2), date(2026, 11, 3)),
        days[date(2026, 11, 4)],  # today, though nothing is due
        QuietDays(date(2026, 11, 5), date(2026, 11, 5)),
        day,
        QuietDays(date(2026, 11, 7), date(2026, 11, 9)),
        days[date(2026, 11, 10)],  # the meeting day
        QuietDays(date(2026, 11, 11), date(2026, 12, 6)),
    ]
