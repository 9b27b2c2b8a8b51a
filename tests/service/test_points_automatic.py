"""Automatic sources: the item the rules map a feed to, skips with reasons, caps, and
withdrawing (a correction) — the API attendance, volunteer hours and thought reports
score through."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import Refused
from app.core.identity import Actor
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points.automatic import Feeding, score, withdraw
from app.points.feeds import Feed, attended
from app.points.models import PointEvent, RuleItem, Source, Tally
from app.points.rules.spec import ItemSpec, problems, spec_from_mapping
from app.presets import all_presets
from app.state import AppServices
from tests.factories import District, PointsRoster, make_points_roster, make_world

SYSTEM = Actor("user", "书记")


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def people(session, *ids):  # type: ignore[no-untyped-def]
    found = {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [found[i] for i in ids]


def test_every_preset_scores_each_feed_by_one_item() -> None:
    for preset in all_presets().values():
        spec = spec_from_mapping(preset.rules)
        assert problems(spec) == []
        fed = {f for c in spec.categories for i in c.items for f in i.feeds}
        assert fed == set(Feed), preset.key


def test_a_feed_needs_the_automatic_awarder_and_one_item() -> None:
    item = ItemSpec(code="A", name="a", points=Decimal(1), feeds=("meeting.lecture",))
    assert any("Automatic" in p.message for p in problems_of(item, item))
    auto = ItemSpec(code="A", name="a", points=Decimal(1), feeds=("meeting.lecture",),
                    awarders=("automatic",))  # fmt: skip
    twin = ItemSpec(code="B", name="b", points=Decimal(1), feeds=("meeting.lecture",),
                    awarders=("automatic",))  # fmt: skip
    assert any("same automatic source" in p.message for p in problems_of(auto, twin))
    odd = ItemSpec(code="C", name="c", points=Decimal(1), feeds=("nothing",),
                   awarders=("automatic",))  # fmt: skip
    assert any("unknown automatic source" in p.message for p in problems_of(odd))


def problems_of(*items: ItemSpec):  # type: ignore[no-untyped-def]
    from app.points.rules.spec import CategorySpec, RuleSetSpec

    return problems(RuleSetSpec(categories=(CategorySpec("c", items),)))


async def test_attending_scores_the_mapped_item_and_skips_the_exempt(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    today = clock.today()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            a, b, exempt = await people(session, points.member_a, points.member_b, points.exempt)
            scored = await score(
                session, attended("lecture"),
                [Feeding(p, today, f"test:{p.id}:1") for p in (a, b, exempt)], SYSTEM,
            )  # fmt: skip
        async with services.db.session() as session:
            events = list(await session.scalars(select(PointEvent)))
            codes = set(
                await session.scalars(
                    select(RuleItem.code).where(RuleItem.id.in_([e.rule_item_id for e in events]))
                )
            )
    assert {e.person_id for e in events} == {points.member_a, points.member_b}
    assert {e.source for e in events} == {Source.AUTOMATIC}
    assert codes == {"ZZ-01"}  # 参加“三会一课” scores 党课 in the Qingdao preset
    assert [e.points for e in events] == [Decimal(2), Decimal(2)]
    assert set(scored.skipped) == {f"test:{points.exempt}:1"}
    assert "exempt" in scored.skipped[f"test:{points.exempt}:1"].message


async def test_hours_score_per_hour_within_the_caps(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    day = clock.today()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            (a,) = await people(session, points.member_a)
            hours = [Feeding(a, day, f"h:{n}", Decimal(8)) for n in range(4)]
            first = await score(session, Feed.VOLUNTEER_HOURS, hours[:3], SYSTEM)
        async with services.db.unit() as session:
            (a,) = await people(session, points.member_a)
            second = await score(session, Feed.VOLUNTEER_HOURS, [hours[3]], SYSTEM)
        async with services.db.session() as session:
            tallied = await session.scalar(select(func.sum(Tally.points)))
            written = await session.scalar(select(func.sum(PointEvent.points)))
    # ZY-01: 1 point an hour, 20 a quarter: 24 hours written, 20 counted, then full.
    assert len(first.events) == 3 and written == Decimal(24)
    assert tallied == Decimal(24)  # raw sums; the standings clamp to the cap
    assert second.events == {} and "cap" in second.skipped["h:3"].message


async def test_no_item_no_future_and_withdrawing(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    today = clock.today()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            (a,) = await people(session, points.member_a)
            scored = await score(session, Feed.ABSENCE, [Feeding(a, today, "abs:1")], SYSTEM)
            event = scored.events["abs:1"]
            assert event.points == Decimal(-2)
            old = await score(
                session, Feed.STUDY, [Feeding(a, date(today.year - 3, 1, 5), "old:1")], SYSTEM
            )
            assert "last year" in old.skipped["old:1"].message
            ahead = await score(
                session, Feed.STUDY, [Feeding(a, today + timedelta(days=2), "ahead:1")], SYSTEM
            )
            assert ahead.skipped["ahead:1"].message.startswith("No item")
        async with services.db.unit() as session:
            reversals = await withdraw(session, [event.id], "更正出勤", SYSTEM)
            assert [r.points for r in reversals] == [Decimal(2)]
            assert await withdraw(session, [event.id], "again", SYSTEM) == []
        async with services.db.unit() as session:
            (a,) = await people(session, points.member_a)
            with pytest.raises(Refused):  # the reference names one write: a new one is needed
                await score(session, Feed.ABSENCE, [Feeding(a, today, "abs:1")], SYSTEM)
