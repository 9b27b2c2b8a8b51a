"""The points benchmark measures what the product computes: at a small scale, the
generator's tallies equal the trigger's, its ledger has the intended shape, and each
hand-written floor returns the same answer as the service it is timed against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import asyncpg
import pytest
from sqlalchemy import select

from app.core import clock
from app.core.identity import Actor
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger, standings
from app.points.models import RuleItem, RuleSet, Source
from app.points.periods import quarter
from app.state import AppServices
from bench import points_floors as bench
from bench.generate import INFIRM_EVERY, clear_points, generate_points
from tests.factories import District, PointsRoster, World, add_person, add_unit, make_points_roster
from tests.servers import ServerPair

EVENTS = 2_500
TALLY_ROWS = """select person_id, quarter_start, rule_item_id, quantity, points, events
                  from point_tallies where tenant_id = $1 order by 1, 2, 3"""


@pytest.fixture
async def district(world: World) -> District:
    return world.a


@pytest.fixture
async def scored(services: AppServices, district: District) -> PointsRoster:
    """make_points_roster's two branches and a third, with 60 more party members
    (every twentieth becomes infirm) and a few people who are not scored."""
    roster = await make_points_roster(services, district)
    third = await add_unit(services, district, "branch", "第三支部", roster.roster.center)
    branches = [roster.roster.branch_1, roster.roster.branch_2, third]
    party = {"party_member": True, "party_joined_on": date(1975, 7, 1)}
    for n in range(60):
        await add_person(services, district, f"党员{n:02d}号", branches[n % 3], **party)
    await add_person(services, district, "群众甲", third)  # not a party member
    await add_person(services, district, "党员无支部", None, **party)
    return roster


@pytest.fixture
async def owner(servers: ServerPair) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(servers.owner_url)
    yield conn
    await conn.close()


def last_year() -> int:
    return clock.today().year - 1


async def test_generated_tallies_equal_the_triggers(
    services: AppServices, world: World, scored: PointsRoster, owner: asyncpg.Connection
) -> None:
    tenant = world.a.tenant_id
    counts = await generate_points(owner, tenant, last_year(), events=EVENTS, seed=7)
    assert counts["reversals"] > 0 and abs(counts["events"] - EVENTS) < EVENTS * 0.1
    by_statement = await owner.fetch(TALLY_ROWS, tenant)
    assert sum(r["events"] for r in by_statement) == counts["events"]
    # The same events again, one by one through the trigger, into empty tallies.
    async with owner.transaction():
        await owner.execute(
            "create temporary table again on commit drop as"
            " select * from point_events where tenant_id = $1",
            tenant,
        )
        await owner.execute("truncate point_events, point_tallies, point_objections")
        await owner.execute("insert into point_events select * from again order by recorded_at")
    by_trigger = await owner.fetch(TALLY_ROWS, tenant)
    assert [tuple(r) for r in by_trigger] == [tuple(r) for r in by_statement]


async def test_generated_ledger_has_the_intended_shape(
    services: AppServices, world: World, scored: PointsRoster, owner: asyncpg.Connection
) -> None:
    tenant, year = world.a.tenant_id, last_year()
    await generate_points(owner, tenant, year, events=EVENTS, seed=7)
    members = await owner.fetch(
        "select id, infirm, branch_id from people where tenant_id = $1 and party_member"
        " order by sort_key, id",
        tenant,
    )
    marked = [n for n, m in enumerate(members, start=1) if m["infirm"]]
    assert marked == [n for n in range(1, len(members) + 1) if n % INFIRM_EVERY == 6]
    scored_people = [m for m in members if not m["infirm"] and m["branch_id"]]
    shape = await owner.fetchrow(
        """select count(*) filter (where p.infirm or p.branch_id is null
                                     or not p.party_member) as unscored,
                  count(*) filter (where e.branch_id is distinct from p.branch_id) as wrong_branch,
                  min(e.occurred_on) as first, max(e.occurred_on) as last,
                  count(*) filter (where i.unit = 'hour' and e.quantity % 1 <> 0) as half_hours,
                  count(*) filter (where i.points < 0) as deductions,
                  count(*) filter (where e.source = 'automatic') as automatic,
                  count(*) filter (where e.points <> i.points * e.quantity) as wrong_points,
                  count(distinct e.person_id) as people
             from point_events e
             join people p on p.tenant_id = e.tenant_id and p.id = e.person_id
             join point_items i on i.tenant_id = e.tenant_id and i.id = e.rule_item_id
            where e.tenant_id = $1""",
        tenant,
    )
    assert shape["unscored"] == shape["wrong_branch"] == shape["wrong_points"] == 0
    assert date(year, 1, 1) <= shape["first"] and shape["last"] <= date(year, 12, 31)
    assert shape["half_hours"] and shape["deductions"] and shape["automatic"]
    assert shape["people"] == len(scored_people)
    reversals = await owner.fetchrow(
        """select count(*) as n,
                  count(*) filter (where r.person_id <> o.person_id
                                     or r.points <> -o.points or o.source = 'reversal') as wrong
             from point_events r join point_events o
               on o.tenant_id = r.tenant_id and o.id = r.reverses_id
            where r.tenant_id = $1""",
        tenant,
    )
    assert reversals["n"] > 0 and reversals["wrong"] == 0
    over_cap = await owner.fetchval(
        """select count(*) from point_tallies t join point_items i
             on i.tenant_id = t.tenant_id and i.id = t.rule_item_id
            where t.tenant_id = $1 and t.points > i.cap_quarter""",
        tenant,
    )
    assert over_cap > 0, "caps must matter"


async def test_clear_points_keeps_other_districts(
    services: AppServices, world: World, scored: PointsRoster, owner: asyncpg.Connection
) -> None:
    other = await make_points_roster(services, world.b)
    with tenant_scope(world.b.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": world.b.tenant_id,
                                                "id": other.member_a})  # fmt: skip
            item = (await session.scalars(select(RuleItem).where(RuleItem.code == "FH-01"))).one()
            assert person is not None
            entry = ledger.Entry(person, item, clock.today(), Decimal(1), Source.AWARD)
            await ledger.write(session, entry, Actor("user", "书记"))
            await session.commit()
    await generate_points(owner, world.a.tenant_id, last_year(), events=300, seed=7)
    await clear_points(owner, world.a.tenant_id)
    left = await owner.fetch(
        "select tenant_id, count(*) from point_events group by 1 union all"
        " select tenant_id, count(*) from point_tallies group by 1"
    )
    assert [(r["tenant_id"], r["count"]) for r in left] == [(world.b.tenant_id, 1)] * 2
    with pytest.raises(asyncpg.RaiseError):  # the ledger is append-only again afterwards
        await owner.execute("delete from point_events")


async def test_floors_give_the_services_answers(
    services: AppServices,
    world: World,
    scored: PointsRoster,
    owner: asyncpg.Connection,
    owner_db: Database,
) -> None:
    tenant, year = world.a.tenant_id, last_year()
    await generate_points(owner, tenant, year, events=EVENTS, seed=7)
    with tenant_scope(tenant):
        async with owner_db.session() as session:  # as bench.points.prepare makes it
            draft_id = (await bench.make_draft(session, tenant, date(year, 12, 31))).id
            await session.commit()
        async with services.db.session() as session:
            draft = await session.get(RuleSet, {"tenant_id": tenant, "id": draft_id})
            assert draft is not None
            branch_ids = [b.id for b in await standings.branches(session)]
            for index in range(1, 5):
                period = quarter(year, index)
                args = bench.floor_args(period)
                district = await standings.rankings(session, period)
                floor = await bench.fetch(session, bench.DISTRICT_FLOOR, *args)
                assert bench.ranking_answer(district) == bench.floor_ranking_answer(floor)
                assert sum(len(r.ranked) for r in district.values()) > 50
                for branch_id in branch_ids:
                    ranking = await standings.branch_ranking(session, branch_id, period)
                    floor = await bench.fetch(session, bench.BRANCH_FLOOR, *args, branch_id)
                    assert bench.ranking_answer({branch_id: ranking}) == (
                        bench.floor_ranking_answer(floor) or {branch_id: []}
                    )
                found = await standings.what_if(session, period, draft)
                floor = await bench.fetch(session, bench.WHAT_IF_FLOOR, *args, draft.id)
                answer = bench.what_if_answer(found)
                assert answer == bench.floor_what_if_answer(floor)
                assert bench.moved(answer) > 0, "the draft must move members"


def test_draft_changes_points_and_caps() -> None:
    from app.points.rules.spec import spec_from_mapping
    from app.presets import all_presets

    spec = spec_from_mapping(all_presets()["qingdao-six-categories"].rules)
    changed = {i.code: i for c in bench.draft_spec(spec).categories for i in c.items}
    before = {i.code: i for c in spec.categories for i in c.items}
    assert set(bench.DRAFT_CHANGES) <= set(before)
    assert changed["XX-01"].points != before["XX-01"].points
    assert changed["ZY-01"].cap_quarter != before["ZY-01"].cap_quarter
    assert changed["ZZ-01"] == before["ZZ-01"]
