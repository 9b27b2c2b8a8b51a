"""Due items against the real database: what the nightly refresh writes, that it is
idempotent, who it skips, which visits answer an item, and rule changes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import delete, event, select, update

from app.core import clock
from app.core.identity import SYSTEM
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db.tenant import tenant_scope
from app.grid import due
from app.grid.jobs import refresh_due_items
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.people.models import Person
from app.people.roster.service import PeopleService
from app.state import AppServices
from tests.factories import District, World, add_person
from tests.service.test_roster_import import id_number, run_import, small_roster

# 2026-06-29, a Monday: 七一 (party day) is in its week-before window, and 党员甲's
# birthday (1 July) falls in this week.
TODAY = date(2026, 6, 29)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: datetime.combine(TODAY, time(9), clock.CHINA_TIME))


async def items(services: AppServices, district: District) -> dict[tuple[UUID, str], Any]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = await session.execute(
                select(VisitDueItem.person_id, VisitDueItem.occasion, VisitDueItem.visit_id)
            )
            return {(person, occasion): visit for person, occasion, visit in rows}


async def refresh(services: AppServices, district: District) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            written = await due.refresh(session, TODAY)
            await session.commit()
            return written


async def forget_items(services: AppServices, district: District) -> None:
    """No items yet, as for people added before adding wrote them (the night's work)."""
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(delete(VisitDueItem))
            await session.commit()


async def test_the_refresh_writes_birthdays_and_holidays_once(
    services: AppServices, world: World
) -> None:
    party = {"party_member": True, "party_joined_on": date(1965, 7, 1)}
    member = await add_person(services, world.a, "党员甲", birth_date=date(1936, 7, 1), **party)
    veteran = await add_person(services, world.a, "老兵乙", birth_date=date(1940, 3, 3))
    comrade = await add_person(services, world.a, "党员丁", **party)
    await add_person(
        services, world.a, "已故丙", birth_date=date(1930, 7, 2), deceased_on=date(2026, 1, 5)
    )
    await forget_items(services, world.a)
    written = await refresh(services, world.a)
    found = await items(services, world.a)
    assert set(found) == {
        (member, "birthday:2026"), (member, "party_day:2026"), (comrade, "party_day:2026"),
        # Joined on 1 July 1965: their 61st political birthday is this week too.
        (member, "political_birthday:2026"), (comrade, "political_birthday:2026"),
    }  # fmt: skip
    assert (veteran, "party_day:2026") not in found  # 七一 is for party members
    assert written == 5
    assert await refresh(services, world.a) == 0  # idempotent
    assert await items(services, world.b) == {}


async def test_a_visit_made_before_the_item_was_written_still_answers_it(
    services: AppServices, world: World
) -> None:
    member = await add_person(
        services, world.a, "党员甲", party_member=True, party_joined_on=date(1965, 7, 1)
    )
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            visit = Visit(
                tenant_id=world.a.tenant_id, person_id=member, visited_on=date(2026, 6, 26),
                kind="holiday", place="home", visitor_id=world.a.users[Role.GRID_WORKER].id,
                visitor_name="网格员",
            )  # fmt: skip
            session.add(visit)
            await session.commit()
    await refresh(services, world.a)
    assert (await items(services, world.a))[(member, "party_day:2026")] == visit.id


async def test_switching_a_rule_off_drops_its_unanswered_items(
    services: AppServices, world: World
) -> None:
    member = await add_person(
        services, world.a, "党员甲", party_member=True, party_joined_on=date(1965, 7, 1)
    )
    await refresh(services, world.a)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            rule = await session.scalar(select(VisitRule).where(VisitRule.code == "party_day"))
            assert rule is not None
            await session.execute(
                update(VisitRule).where(VisitRule.id == rule.id).values(enabled=False)
            )
            await due.rule_changed(session, rule.id, TODAY)
            await session.commit()
    assert (member, "party_day:2026") not in await items(services, world.a)
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            await session.execute(
                update(VisitRule).where(VisitRule.id == rule.id).values(days_before=2)
            )
            await session.execute(
                update(VisitRule).where(VisitRule.id == rule.id).values(enabled=True)
            )
            await due.rule_changed(session, rule.id, TODAY)
            await session.commit()
    # Two days before 1 July opens on 29 June: today, so it is back.
    assert (member, "party_day:2026") in await items(services, world.a)


async def test_the_nightly_job_covers_every_active_district(
    services: AppServices, world: World
) -> None:
    a = await add_person(services, world.a, "甲区人", birth_date=date(1950, 7, 3))
    b = await add_person(services, world.b, "乙区人", birth_date=date(1950, 7, 4))
    for district in (world.a, world.b):
        await forget_items(services, district)
    assert await refresh_due_items({"services": services}) >= 2
    assert (a, "birthday:2026") in await items(services, world.a)
    assert (b, "birthday:2026") in await items(services, world.b)


async def change(services: AppServices, district: District, person: UUID, **values: Any) -> None:
    """Edit a person through the roster service, as the admin's form does."""
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await PeopleService(session, services.cipher).update(EVERYONE, person, values, SYSTEM)


async def test_people_have_their_items_as_soon_as_they_are_added_or_changed(
    services: AppServices, world: World
) -> None:
    """No waiting for the night: adding someone writes their birthday and holidays at
    once, and a corrected birth date, party membership or death writes them again."""
    party = {"party_member": True, "party_joined_on": date(1965, 7, 1)}
    member = await add_person(services, world.a, "党员甲", birth_date=date(1936, 7, 1), **party)
    assert set(await items(services, world.a)) == {
        (member, "birthday:2026"), (member, "party_day:2026"), (member, "political_birthday:2026")
    }  # fmt: skip
    # The birth date was typed wrong: the birthday leaves this week, 七一 stays.
    await change(services, world.a, member, birth_date=date(1936, 8, 20))
    assert set(await items(services, world.a)) == {
        (member, "party_day:2026"), (member, "political_birthday:2026")
    }  # fmt: skip
    # Not a party member after all: 七一 and the political birthday go too.
    await change(services, world.a, member, party_member=False, party_joined_on=None)
    assert await items(services, world.a) == {}
    await change(services, world.a, member, birth_date=date(1936, 7, 3))
    assert set(await items(services, world.a)) == {(member, "birthday:2026")}
    await change(services, world.a, member, deceased_on=date(2026, 6, 28))
    assert await items(services, world.a) == {}
    assert await refresh(services, world.a) == 0  # the night finds nothing left to write
    assert await items(services, world.b) == {}


async def test_an_imported_roster_has_its_items_at_once(
    services: AppServices, world: World
) -> None:
    rows = [
        [1, "寿星甲", "男", "1936.07.02", id_number("370102", "19360702", "131"), "", "第一支部",
         "军休干部"],
        [2, "寿星乙", "女", "1940.03.03", id_number("370102", "19400303", "242"), "", "第一支部",
         "军休干部"],
    ]  # fmt: skip
    await run_import(services, world, small_roster(rows))
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            born = dict((await session.execute(select(Person.name, Person.id))).all())
    assert set(await items(services, world.a)) == {(born["寿星甲"], "birthday:2026")}


async def test_writing_the_items_of_many_people_takes_as_many_statements_as_of_few(
    services: AppServices, world: World
) -> None:
    """An import of 40,000 people writes their items in a few set-based statements, not
    a query per person: birthdays, political birthdays and golden weddings alike."""
    party = {"party_member": True, "party_joined_on": date(1965, 7, 1)}
    people = [
        await add_person(
            services,
            world.a,
            f"党员{n}",
            birth_date=date(1936, 7, 1 + n % 5),
            married_on=date(1976, 7, 1 + n % 5),
            **party,
        )
        for n in range(24)
    ]

    async def statements(person_ids: list[UUID]) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        engine = services.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            with tenant_scope(world.a.tenant_id):
                async with services.db.session() as session:
                    await due.people_changed(session, person_ids)
                    await session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    assert await statements(people[:2]) == await statements(people)
    # A birthday, 七一, a political birthday and a golden wedding each.
    assert len(await items(services, world.a)) == 4 * len(people)
