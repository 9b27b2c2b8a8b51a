"""The ledger: the checks every event passes, reversals, and the tally it keeps."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Actor
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import PointEvent, RuleItem, Source, Tally
from app.points.periods import quarter_of
from app.points.rules.versions import in_force
from app.points.standings import branch_ranking
from app.state import AppServices
from tests.factories import District, PointsRoster, make_points_roster, make_world

SECRETARY = Actor("user", "书记")


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def item(session, code: str, day: date) -> RuleItem:  # type: ignore[no-untyped-def]
    """The item with this code in the rules in force on `day`."""
    version = await in_force(session, day)
    assert version is not None
    query = select(RuleItem).where(RuleItem.code == code, RuleItem.rule_set_id == version.id)
    return (await session.scalars(query)).one()


async def write(services, district, person_id, code, day, quantity="1"):  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            rule = await item(session, code, day)
            event = await ledger.write(
                session,
                ledger.Entry(
                    person, rule, day, ledger.read_quantity(quantity, rule.unit), Source.AWARD
                ),
                SECRETARY,
            )
            await session.commit()
            return event


async def test_events_tally_and_rank(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    today = clock.today()
    await write(services, district, points.member_a, "FH-01", today)  # 5
    await write(services, district, points.member_b, "XX-01", today)  # 2
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            ranking = await branch_ranking(session, points.roster.branch_1, quarter_of(today))
            sums = (await session.scalars(select(Tally.points))).all()
    assert sorted(sums) == [Decimal(2), Decimal(5)]
    assert [(s.name, s.points, s.rank) for s in ranking.ranked][:2] == [
        ("党员甲", Decimal(5), 1),
        ("党员乙", Decimal(2), 2),
    ]
    assert [s.name for s in ranking.exempt] == ["老党员丙"]
    assert "发挥作用" in ranking.categories


async def test_refusals_write_nothing(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    today = clock.today()
    with pytest.raises(Refused, match="exempt"):
        await write(services, district, points.exempt, "XX-01", today)
    with pytest.raises(Refused, match="future"):
        await write(services, district, points.member_a, "XX-01", today + timedelta(days=1))
    with pytest.raises(Refused, match="not a party member"):
        await write(services, district, points.roster.person_2, "XX-01", today)
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(PointEvent.id)) is None


async def test_ledger_is_append_only(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    event = await write(services, district, points.member_a, "XX-01", clock.today())
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            with pytest.raises(DBAPIError):
                await session.execute(
                    text("delete from point_events where id = :id"), {"id": event.id}
                )


async def test_sql_tally_matches_the_member_page_across_caps_versions_and_reversals(
    services: AppServices, district: District, points: PointsRoster, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """standings.py (SQL over the quarter sums) and the member page (tally.counted over
    the events) must agree quarter by quarter."""
    from app.core.identity import Identity
    from app.core.roles import Role
    from app.points.models import RuleSet
    from app.points.periods import quarter
    from app.points.rules.versions import add_rules, spec_of
    from app.points.service import PointsService
    from app.points.standings import period_points

    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 24))
    year = 2026
    member = points.member_a
    for month, hours in ((1, "15"), (2, "10"), (4, "20"), (7, "10")):
        await write(services, district, member, "ZY-01", date(year, month, 3), hours)  # cap 20/60
    for day in (1, 2):
        await write(services, district, member, "XX-02", date(year, 8, day))  # +3, cap 6 a quarter
    first = await write(services, district, member, "ZZ-03", date(year, 3, 1))  # cap 6 a year
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            original = await session.get(
                PointEvent, {"tenant_id": district.tenant_id, "id": first.id}
            )
            assert original is not None
            await ledger.reverse(session, original, "记错了人", SECRETARY)
            # A new version in force from today: today's events use its items.
            v1 = (await session.scalars(select(RuleSet))).one()
            v2 = RuleSet(tenant_id=district.tenant_id, version=2, status="active",
                         effective_from=clock.today(), objection_days=7)  # fmt: skip
            session.add(v2)
            await session.flush()
            add_rules(session, district.tenant_id, v2.id, await spec_of(session, v1))
            await session.commit()
    # v2's item of the same code: its quarter cap is 20, but the year cap of 60 is
    # shared with v1's item across the versions, and 50 of it is used.
    await write(services, district, member, "ZY-01", clock.today(), "24")

    admin = district.users[Role.TENANT_ADMIN]
    identity = Identity(admin.id, admin.name, frozenset({Role.TENANT_ADMIN}), district.tenant_id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            page = await PointsService(session).member(identity, member, year)
        async with services.db.session() as session:
            for q in range(1, 5):
                sql = await period_points(session, quarter(year, q))
                shown_page = page.quarters[quarter(year, q)]
                assert sum(sql.get(member, {}).values(), Decimal(0)) == shown_page, q
    assert page.quarters[quarter(year, 1)] == Decimal(20)  # 15 + 10 hours, capped at 20;
    # 组织生活会 reversed
    assert page.quarters[quarter(year, 3)] == Decimal(16)  # 10 hours + 学习心得 2 × 3
    assert page.quarters[quarter(year, 4)] == Decimal(10)  # 24 hours, capped by the year's 60
    assert any(e.capped for e in page.events)


async def test_a_new_version_gives_no_fresh_cap_and_an_unchanged_draft_moves_no_one(
    services: AppServices, district: District, points: PointsRoster, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.points.models import RuleSet
    from app.points.periods import quarter
    from app.points.rules.versions import add_rules, spec_of
    from app.points.standings import what_if

    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 24))
    await write(services, district, points.member_a, "ZY-01", date(2026, 10, 1), "20")  # cap 20
    await write(services, district, points.member_b, "FH-01", date(2026, 10, 2))  # 5
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            v1 = (await session.scalars(select(RuleSet))).one()
            spec = await spec_of(session, v1)
            for version, status, start in ((2, "active", date(2026, 11, 24)), (3, "draft", None)):
                rule_set = RuleSet(tenant_id=district.tenant_id, version=version, status=status,
                                   effective_from=start, objection_days=7)  # fmt: skip
                session.add(rule_set)
                await session.flush()
                add_rules(session, district.tenant_id, rule_set.id, spec)
            await session.commit()
    with pytest.raises(Refused, match="cap"):  # v2's item shares v1's quarter cap
        await write(services, district, points.member_a, "ZY-01", date(2026, 11, 24), "20")
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            draft = await session.scalar(select(RuleSet).where(RuleSet.status == "draft"))
            assert draft is not None
            preview = await what_if(session, quarter(2026, 4), draft)
    moves = [m for branch in preview.branches for m in branch.moves]
    assert moves and all(m.rank_now == m.rank_draft and m.score_now == m.score_draft for m in moves)


async def test_the_kept_capped_figures_equal_a_full_recount(
    services: AppServices, district: District, points: PointsRoster, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """point_counted, kept event by event by the trigger, is what a recount of the
    whole year gives (the benchmark loads its ledger that way)."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 24))
    for month, hours in ((1, "15"), (2, "10"), (4, "20"), (7, "10"), (10, "24")):
        await write(services, district, points.member_a, "ZY-01", date(2026, month, 3), hours)
    for day in (1, 2):
        await write(services, district, points.member_b, "XX-02", date(2026, 8, day))
    query = text(
        "select person_id, quarter_start, code, points from point_counted order by 1, 2, 3"
    )
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            kept = (await session.execute(query)).all()
            await session.execute(
                text("select point_recount(:t, 2026, null, null)"), {"t": district.tenant_id}
            )
            recounted = (await session.execute(query)).all()
    assert kept == recounted
    assert [r.points for r in kept if r.person_id == points.member_a] == [
        Decimal(20),
        Decimal(20),
        Decimal(10),
        Decimal(10),  # the year's cap of 60
    ]
