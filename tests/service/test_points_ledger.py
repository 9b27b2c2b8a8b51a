"""The ledger: the checks every event passes, reversals, and the tally it keeps."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.audit.service import Actor
from app.db import Database
from app.errors import Refused
from app.people.models import Person
from app.points import ledger
from app.points.models import PointEvent, RuleItem, Source, Tally
from app.points.periods import quarter_of
from app.points.standings import branch_ranking
from app.state import AppServices
from tenants.context import tenant_scope
from tests.factories import District, PointsRoster, make_points_roster, make_world

SECRETARY = Actor("user", "书记")


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def item(session, code: str) -> RuleItem:  # type: ignore[no-untyped-def]
    return (await session.scalars(select(RuleItem).where(RuleItem.code == code))).one()


async def write(services, district, person_id, code, day, quantity="1"):  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            rule = await item(session, code)
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
