"""Political birthdays and golden/diamond weddings as must-visit items, against the real
database: written and re-written when the joining or wedding day changes, gone with a
death, in the worker's morning digest; the wedding day through the roster import
(refused before the 16th birthday, nothing written); the migration's rules."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, text

from app.core import clock
from app.core.identity import SYSTEM
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.digest import digest_counts
from app.grid.models import VisitDueItem
from app.people.models import Person
from app.people.roster.service import PeopleService
from app.settings import PROJECT_ROOT
from app.state import AppServices
from tests.factories import District, World, add_grid, add_person
from tests.service.test_roster_import import id_number, run_import, small_roster

# Wednesday 30 December 2026: its week runs to Sunday 3 January 2027.
TODAY = date(2026, 12, 30)
NOW = datetime.combine(TODAY, time(7, 30), clock.CHINA_TIME)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: NOW)


async def occasions(services: AppServices, district: District, person: UUID) -> set[str]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.scalars(
                select(VisitDueItem.occasion).where(VisitDueItem.person_id == person)
            )
            return set(found)


async def change(services: AppServices, district: District, person: UUID, **values: Any) -> None:
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await PeopleService(session, services.cipher).update(EVERYONE, person, values, SYSTEM)


async def test_political_birthdays_across_the_year_end_are_written_and_rewritten(
    services: AppServices, world: World
) -> None:
    """Joined on 30 December and on 2 January: both fall in this week, under 2026 and
    2027. A corrected joining day moves the item; leaving the Party or dying drops it."""
    party = {"party_member": True, "birth_date": date(1930, 5, 5)}
    december = await add_person(services, world.a, "腊月党员", party_joined_on=date(1949, 12, 30),
                                 **party)  # fmt: skip
    january = await add_person(services, world.a, "元月党员", party_joined_on=date(1950, 1, 2),
                               **party)  # fmt: skip
    assert "political_birthday:2026" in await occasions(services, world.a, december)
    assert "political_birthday:2027" in await occasions(services, world.a, january)
    await change(services, world.a, december, party_joined_on=date(1949, 10, 1))
    assert "political_birthday:2026" not in await occasions(services, world.a, december)
    await change(services, world.a, december, party_joined_on=date(1949, 12, 29))
    assert "political_birthday:2026" in await occasions(services, world.a, december)
    await change(services, world.a, january, deceased_on=date(2026, 12, 29))
    assert await occasions(services, world.a, january) == set()
    assert await occasions(services, world.b, december) == set()  # B has none of A's


async def test_a_wedding_is_due_at_50_and_60_years_only(
    services: AppServices, world: World
) -> None:
    golden = await add_person(services, world.a, "金婚甲", married_on=date(1976, 12, 31))
    diamond = await add_person(services, world.a, "钻石婚乙", married_on=date(1967, 1, 1))
    other = await add_person(services, world.a, "五十一年丙", married_on=date(1975, 12, 31))
    assert "wedding:2026" in await occasions(services, world.a, golden)
    assert "wedding:2027" in await occasions(services, world.a, diamond)
    assert not any(o.startswith("wedding") for o in await occasions(services, world.a, other))
    # The wedding day was typed a year wrong: the golden wedding is next year's.
    await change(services, world.a, golden, married_on=date(1977, 12, 31))
    assert not any(o.startswith("wedding") for o in await occasions(services, world.a, golden))


async def test_the_morning_digest_counts_a_political_birthday_due_today(
    services: AppServices, world: World
) -> None:
    """The due list's items feed the digest as they are: a political birthday not
    visited in its week is counted like a birthday."""
    worker = world.a.users[Role.GRID_WORKER].id
    member = await add_person(services, world.a, "党员甲", party_member=True,
                              party_joined_on=date(1950, 12, 31))  # fmt: skip
    await add_grid(services, world.a, "第一网格", people=[member], workers=[worker])
    # Its week runs to Sunday 3 January: due that day, overdue on the Monday after.
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            sunday = await digest_counts(session, [worker], NOW.replace(year=2027, month=1, day=3))
            monday = await digest_counts(session, [worker], NOW.replace(year=2027, month=1, day=4))
    assert (sunday[worker].today, monday[worker].overdue) == (1, 1)


async def test_the_import_takes_the_wedding_day_and_refuses_one_before_16(
    services: AppServices, world: World, owner_db: Database
) -> None:
    rows = [
        [1, "金婚甲", "男", "1950.05.05", id_number("370102", "19500505", "131"), "", "第一支部",
         "军休干部", "1976年12月31日"],
        [2, "早婚乙", "女", "1950.05.05", id_number("370102", "19500505", "242"), "", "第一支部",
         "军休干部", "1966.5.4"],
    ]  # fmt: skip
    _, summary = await run_import(services, world, small_roster(rows, ("结婚日期",)))
    assert (summary["new"], summary["error"]) == (1, 1)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            people = {p.name: p for p in await session.scalars(select(Person))}
    assert people["金婚甲"].married_on == date(1976, 12, 31)
    assert "早婚乙" not in people  # nothing written for the refused row
    assert "wedding:2026" in await occasions(services, world.a, people["金婚甲"].id)


async def test_an_update_may_not_put_the_wedding_before_the_birth_date_on_file(
    services: AppServices, world: World
) -> None:
    """A row without a birth date still meets the one on file (the database would refuse
    it: the row is refused with a message instead)."""
    await run_import(services, world, small_roster([
        [1, "甲某", "男", "1950.05.05", id_number("370102", "19500505", "131"), "", "第一支部",
         "军休干部"],
    ]))  # fmt: skip
    _, summary = await run_import(services, world, small_roster([
        [1, "甲某", "男", "", id_number("370102", "19500505", "131"), "", "第一支部",
         "军休干部", "1960.1.1"],
    ], ("结婚日期",)))  # fmt: skip
    assert summary["error"] == 1, summary


async def test_the_migration_gives_existing_districts_both_rules_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    path = PROJECT_ROOT / "migrations" / "versions" / "20261223_care_rules.py"
    spec = importlib.util.spec_from_file_location("care_rules", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    async with owner_db.session() as session:
        await session.execute(
            text("delete from visit_rules where code in ('political_birthday', 'wedding') "
                 "and tenant_id = :t"), {"t": world.a.tenant_id},
        )  # fmt: skip
        await session.execute(text(migration.ADD_RULES))
        await session.execute(text(migration.ADD_RULES))  # twice: still one each
        found = (
            await session.execute(
                text("select tenant_id, code, count(*) from visit_rules "
                     "where code in ('political_birthday', 'wedding') and tenant_id in (:a, :b) "
                     "group by tenant_id, code"),
                {"a": world.a.tenant_id, "b": world.b.tenant_id},
            )
        ).all()  # fmt: skip
        await session.commit()
    assert sorted(count for *_, count in found) == [1, 1, 1, 1]
