"""Publication (公示): opening, answers racing, publishing's snapshot and the freeze."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.points import ledger
from app.points.models import (
    Objection,
    ObjectionStatus,
    PointEvent,
    Publication,
    PublicationEntry,
    RuleItem,
    RuleSet,
    Source,
)
from app.points.periods import Period, half_of
from app.points.publications.forms import AnswerForm
from app.points.publications.objections import ObjectionService
from app.points.publications.service import PublicationService
from app.points.rules.versions import in_force
from app.state import AppServices
from tests.factories import (
    District,
    PointsRoster,
    identity_of,
    make_points_roster,
    make_world,
    unit_per_call,
)


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def who(services: AppServices, district: District, role: Role) -> Identity:
    return await identity_of(services, district.tenant_id, district.users[role].id)


async def award(
    services: AppServices, district: District, person_id: object, code: str, day: date
) -> PointEvent:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": person_id})
            version = await in_force(session, day)
            assert person is not None and version is not None
            item = (
                await session.scalars(
                    select(RuleItem).where(
                        RuleItem.code == code, RuleItem.rule_set_id == version.id
                    )
                )
            ).one()
            event = await ledger.write(
                session,
                ledger.Entry(person, item, day, Decimal(1), Source.AWARD),
                (await who(services, district, Role.BRANCH_SECRETARY)).actor,
            )
            await session.commit()
            return event


def last_half() -> Period:
    """The last half-year that has ended: the one a ranking is put up for."""
    return half_of(clock.today()).previous()


async def entries(services: AppServices, district: District) -> dict[str, PublicationEntry]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = (await session.scalars(select(PublicationEntry))).all()
    return {e.person_name: e for e in found}


async def test_opening_stores_nothing_the_page_reads_the_ledger_publishing_snapshots(
    services: AppServices, district: District, points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """While the ranking is up its page and the objections read the ledger as it stands,
    so opening stores no entries (the change log still says how many were ranked);
    publishing writes them, the exempt apart."""
    today, day = clock.today(), last_half().end
    await award(services, district, points.member_a, "FH-01", day)  # +5 发挥作用
    await award(services, district, points.member_b, "XX-01", day)  # +2 政治学习
    await award(services, district, points.member_d, "FH-01", day)  # another branch
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    service = unit_per_call(services.db, PublicationService)
    with tenant_scope(district.tenant_id):
        publication = await service.open(secretary, points.roster.branch_1, last_half().key)
        async with services.db.session() as session:
            version = await in_force(session)
            opened = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "points.publication_opened")
            )
        page = await service.page(secretary, publication.id)
    assert version is not None and opened is not None
    assert publication.rule_set_id == version.id
    assert publication.objections_close_on == today + timedelta(days=version.objection_days)
    assert publication.status == "objection"
    assert opened.changes["entries"] == 3
    assert await entries(services, district) == {}
    assert [e.person_name for e in page.ranked] == ["党员甲", "党员乙"]
    assert [e.person_name for e in page.exempt] == ["老党员丙"]

    monkeypatch.setattr(
        "app.core.clock.today", lambda: publication.objections_close_on + timedelta(1)
    )
    with tenant_scope(district.tenant_id):
        await service.publish(secretary, publication.id)
    found = await entries(services, district)
    assert set(found) == {"党员甲", "党员乙", "老党员丙"}  # 党员丁 is in the other branch
    assert (found["党员甲"].rank, found["党员甲"].score) == (1, Decimal(5))
    assert found["党员甲"].categories["发挥作用"] == "5.0"
    assert found["党员甲"].categories["政治学习"] == "0.0"
    assert len(found["党员甲"].categories) == 6
    assert (found["党员乙"].rank, found["党员乙"].exempt) == (2, False)
    assert (found["老党员丙"].rank, found["老党员丙"].exempt) == (None, True)


async def test_two_answers_at_once_one_wins(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    event = await award(services, district, points.member_a, "XX-01", last_half().end)
    service = unit_per_call(services.db, PublicationService)
    objections = unit_per_call(services.db, ObjectionService)
    with tenant_scope(district.tenant_id):
        publication = await service.open(
            await who(services, district, Role.TENANT_ADMIN),
            points.roster.branch_1,
            last_half().key,
        )
        objection = await objections.object(
            await who(services, district, Role.MEMBER),
            publication.id,
            points.member_a,
            "这次学习我没有参加",
        )

        async def answer(role: Role, form: AnswerForm) -> str:
            try:
                await objections.answer(
                    await who(services, district, role), publication.id, objection.id, form
                )
                return "answered"
            except Refused as exc:
                return exc.message

        outcomes = await asyncio.gather(
            answer(
                Role.BRANCH_SECRETARY, AnswerForm("upheld", "已核实，撤销", "reverse", event.id)
            ),
            answer(Role.TENANT_ADMIN, AnswerForm("rejected", "记录无误")),
        )
        async with services.db.session() as session:
            stored = await session.get(
                Objection, {"tenant_id": district.tenant_id, "id": objection.id}
            )
            reversals = (
                await session.scalars(select(PointEvent).where(PointEvent.reverses_id == event.id))
            ).all()
    assert sorted(outcomes) == ["This objection has already been answered.", "answered"]
    assert stored is not None and stored.status in (
        ObjectionStatus.UPHELD,
        ObjectionStatus.REJECTED,
    )
    assert len(reversals) == (1 if stored.status == ObjectionStatus.UPHELD else 0)
    if reversals:
        assert stored.event_id == reversals[0].id


async def test_publishing_recomputes_then_nothing_changes_it(
    services: AppServices,
    district: District,
    points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    half = last_half()
    day = half.end
    await award(services, district, points.member_a, "XX-01", day)
    service = unit_per_call(services.db, PublicationService)
    objections = unit_per_call(services.db, ObjectionService)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        publication = await service.open(secretary, points.roster.branch_1, half.key)
        objection = await objections.object(
            await who(services, district, Role.MEMBER),
            publication.id,
            points.member_b,
            "党员乙参加了学习",
        )
        await objections.answer(
            secretary, publication.id, objection.id,
            AnswerForm("upheld", "补记学习", "award", item_id=await item_of(services, district),
                       occurred_on=day, quantity="1"),
        )  # fmt: skip
    assert await entries(services, district) == {}  # written when published

    monkeypatch.setattr(
        "app.core.clock.today", lambda: publication.objections_close_on + timedelta(1)
    )
    with tenant_scope(district.tenant_id):
        published = await service.publish(secretary, publication.id)
    assert published.status == "published" and published.published_by == secretary.user_id
    frozen = await entries(services, district)
    assert frozen["党员乙"].score == Decimal(2) and frozen["党员甲"].score == Decimal(2)
    assert {frozen["党员甲"].rank, frozen["党员乙"].rank} == {1}

    monkeypatch.undo()
    with pytest.raises(Refused, match="published"):  # the half-year is closed on the ledger
        await award(services, district, points.member_a, "FH-01", day)
    assert (await entries(services, district))["党员甲"].score == Decimal(2)

    with tenant_scope(district.tenant_id):
        for statement in (
            "update point_publication_entries set score = 99",
            "delete from point_publication_entries",
            "update point_publications set status = 'objection', published_at = null",
        ):
            async with services.db.session() as session:
                with pytest.raises(DBAPIError, match="a published ranking does not change"):
                    await session.execute(text(statement))
    assert (await entries(services, district))["党员甲"].score == Decimal(2)


async def item_of(services: AppServices, district: District, code: str = "XX-01") -> object:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            version = await in_force(session)
            return await session.scalar(
                select(RuleItem.id)
                .join(RuleSet, RuleSet.id == RuleItem.rule_set_id)
                .where(RuleItem.code == code, RuleSet.id == version.id)  # type: ignore[union-attr]
            )


async def test_a_publication_waits_for_every_answer(
    services: AppServices,
    district: District,
    points: PointsRoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = unit_per_call(services.db, PublicationService)
    objections = unit_per_call(services.db, ObjectionService)
    secretary = await who(services, district, Role.BRANCH_SECRETARY)
    with tenant_scope(district.tenant_id):
        publication = await service.open(secretary, points.roster.branch_1, last_half().key)
        await objections.object(
            await who(services, district, Role.MEMBER), publication.id, points.member_a, "有误"
        )
        monkeypatch.setattr(
            "app.core.clock.today", lambda: publication.objections_close_on + timedelta(1)
        )
        with pytest.raises(Refused) as refused:
            await service.publish(secretary, publication.id)
        async with services.db.session() as session:
            status = await session.scalar(select(Publication.status))
    assert refused.value.args_ == {"n": 1}
    assert status == "objection"
