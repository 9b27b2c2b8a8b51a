"""After-care against the real database: a death makes the person deceased everywhere
(no due items, no digest line, out of the rankings, login closed) while their history
stays; an undo puts back exactly what the record changed; the condolence visit is the
one visit allowed after the death."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.care.after_care.models import AfterCareCase
from app.care.after_care.service import AfterCareService
from app.core import clock
from app.core.errors import Refused
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.grid.digest import digest_counts
from app.grid.models import Concern, Place, Trigger, Visit, VisitDueItem, VisitKind, VisitRule
from app.grid.visits.forms import VisitForm
from app.grid.visits.service import VisitService
from app.people.models import Person
from app.points import ledger
from app.points.models import PointEvent
from app.points.periods import quarter_of
from app.points.standings import branch_ranking
from app.state import AppServices
from tests.care_after import give_help, record_death
from tests.factories import District, PointsRoster, identity_of, make_points_roster, make_world


@pytest.fixture
async def district(services: AppServices, owner_db: Database) -> District:
    return (await make_world(services, owner_db)).a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def as_role(services: AppServices, district: District, role: Role):  # type: ignore[no-untyped-def]
    return await identity_of(services, district.tenant_id, district.users[role].id)


async def one(services: AppServices, district: District, query):  # type: ignore[no-untyped-def]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return (await session.execute(query)).all()


async def note_concern(services: AppServices, district: District, person: UUID) -> None:
    worker = await as_role(services, district, Role.GRID_WORKER)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await VisitService(session).note_concern(
                worker, person, Trigger.HOSPITALISATION, "住院"
            )


async def log_visit(services, district, person, kind, on):  # type: ignore[no-untyped-def]
    worker = await as_role(services, district, Role.GRID_WORKER)
    form = VisitForm(uuid4(), person, kind, Place.HOME, on)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await VisitService(session).log(worker, form)


async def test_a_death_is_refused_before_birth_and_nothing_is_written(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    admin = await as_role(services, district, Role.TENANT_ADMIN)
    born = await add_born(services, district, points, date(1940, 3, 1))
    with pytest.raises(Refused) as refused:
        await record_death(services, admin, born, date(1939, 12, 31))
    assert refused.value.errors == {"deceased_on": "The date of death is before the date of birth."}
    assert await one(services, district, select(AfterCareCase.id)) == []
    [(deceased,)] = await one(
        services, district, select(Person.deceased_on).where(Person.id == born)
    )
    assert deceased is None


async def add_born(services, district, points, born):  # type: ignore[no-untyped-def]
    from tests.factories import add_person

    return await add_person(services, district, "老李", points.roster.branch_1, birth_date=born)


async def test_a_death_makes_the_person_deceased_everywhere_and_keeps_their_history(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    member = points.member_a  # linked to the member account, in the worker's grid
    today = clock.today()
    admin = await as_role(services, district, Role.TENANT_ADMIN)
    await log_visit(services, district, member, VisitKind.ROUTINE, today - timedelta(days=2))
    await note_concern(services, district, member)  # a hospital visit due within hours
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": member})
            assert person is not None
            rule = await ledger_item(session)
            await ledger.write(session, ledger.Entry(person, rule, today, Decimal(1),
                                                     ledger.Source.AWARD), admin.actor)  # fmt: skip
            await session.commit()
            before = await digest_counts(
                session, [district.users[Role.GRID_WORKER].id], clock.now() + timedelta(days=5)
            )
    assert before, "the concern's visit is on the worker's digest before"

    case_id = await record_death(services, admin, member, today - timedelta(days=1), "心脏病")

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": member})
            assert person is not None and person.deceased_on == today - timedelta(days=1)
            open_items = await session.scalar(
                select(func.count()).select_from(VisitDueItem).where(
                    VisitDueItem.person_id == member, VisitDueItem.visit_id.is_(None))
            )  # fmt: skip
            assert open_items == 0
            assert await session.scalar(
                select(func.count()).select_from(Concern).where(
                    Concern.person_id == member, Concern.closed_at.is_(None))
            ) == 0  # fmt: skip
            after = await digest_counts(
                session, [district.users[Role.GRID_WORKER].id], clock.now() + timedelta(days=5)
            )
            assert after == {}
            ranking = await branch_ranking(session, points.roster.branch_1, quarter_of(today))
            assert "党员甲" not in [s.name for s in (*ranking.ranked, *ranking.exempt)]
            assert "党员乙" in [s.name for s in ranking.ranked]
            user = await session.get(
                User, {"tenant_id": district.tenant_id, "id": district.users[Role.MEMBER].id}
            )
            assert user is not None and not user.is_active
            # History kept: the visit, the points.
            assert (
                await session.scalar(
                    select(func.count()).select_from(Visit).where(Visit.person_id == member)
                )
                == 1
            )
            assert (
                await session.scalar(
                    select(func.count())
                    .select_from(PointEvent)
                    .where(PointEvent.person_id == member)
                )
                == 1
            )
            actions = set(
                await session.scalars(
                    select(AuditEvent.action).where(AuditEvent.subject_id.in_([member, user.id]))
                )
            )
            case = await session.get(
                AfterCareCase, {"tenant_id": district.tenant_id, "id": case_id}
            )
    assert {"after_care.recorded", "person.updated", "account.disabled"} <= actions
    assert case is not None and case.account_disabled and len(case.closed_concerns) == 1
    with pytest.raises(Refused):  # a second record of the same death
        await record_death(services, admin, member, today)


async def ledger_item(session):  # type: ignore[no-untyped-def]
    from app.points.models import RuleItem
    from app.points.rules.versions import in_force

    version = await in_force(session, clock.today())
    query = select(RuleItem).where(RuleItem.rule_set_id == version.id, RuleItem.code == "FH-01")
    return (await session.scalars(query)).one()


async def test_the_condolence_visit_is_the_one_visit_after_the_death(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    today = clock.today()
    secretary = await as_role(services, district, Role.BRANCH_SECRETARY)
    case_id = await record_death(services, secretary, points.member_b, today - timedelta(days=3))
    with pytest.raises(Refused):
        await log_visit(services, district, points.member_b, VisitKind.ROUTINE, today)
    logged = await log_visit(services, district, points.member_b, VisitKind.CONDOLENCE, today)
    assert logged.visit.kind == VisitKind.CONDOLENCE
    await give_help(services, secretary, case_id, today, "协助办理丧事")
    await give_help(services, secretary, case_id, today, "慰问金", Decimal("1300.00"), "区局")
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            year = await AfterCareService(session, services.cipher).year(secretary, today.year)
    [line] = year.cases
    assert line.name == "党员乙" and [h.what for h in line.help] == ["协助办理丧事", "慰问金"]
    assert line.money == Decimal("1300.00") and len(line.condolence_visits) == 1
    assert year.visited == 1


async def test_the_admin_undoes_a_mistaken_record(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    member = points.member_a
    admin = await as_role(services, district, Role.TENANT_ADMIN)
    await note_concern(services, district, member)
    case_id = await record_death(services, admin, member, clock.today())
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            service = AfterCareService(session, services.cipher)
            await service.undo(admin, case_id, "登记错了人")
        async with services.db.unit() as session:
            with pytest.raises(Refused):
                await AfterCareService(session, services.cipher).undo(admin, case_id, "再来")
        async with services.db.session() as session:
            person = await session.get(Person, {"tenant_id": district.tenant_id, "id": member})
            user = await session.get(
                User, {"tenant_id": district.tenant_id, "id": district.users[Role.MEMBER].id}
            )
            open_concern = await session.scalar(
                select(Concern.id).where(Concern.person_id == member, Concern.closed_at.is_(None))
            )
            item = await session.scalar(
                select(VisitDueItem.id).where(VisitDueItem.concern_id == open_concern)
            )
            case = await session.get(
                AfterCareCase, {"tenant_id": district.tenant_id, "id": case_id}
            )
            actions = list(
                await session.scalars(
                    select(AuditEvent.action).where(AuditEvent.subject_id == member)
                )
            )
    assert person is not None and person.deceased_on is None
    assert user is not None and user.is_active
    assert open_concern is not None and item is not None
    assert case is not None and case.undone_at is not None and case.undo_reason == "登记错了人"
    assert "after_care.undone" in actions
    # Recorded again, properly, after the undo.
    await record_death(services, admin, member, clock.today())


async def due_items_of(services, district, person):  # type: ignore[no-untyped-def]
    """The person's due items as the lists and coverage read them (ids aside: the
    coming week's calendar items are written again on an undo, as on any correction)."""
    rows = await one(services, district, select(
        VisitDueItem.rule_id, VisitDueItem.occasion, VisitDueItem.opens_on,
        VisitDueItem.due_at, VisitDueItem.concern_id, VisitDueItem.visit_id,
    ).where(VisitDueItem.person_id == person))  # fmt: skip
    return sorted(tuple(r) for r in rows)


async def test_an_undo_of_a_backdated_death_puts_back_every_due_item(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    """Calendar, concern and 送学上门 items due between a death ten days ago and now
    come back on the undo: neither the week-ahead refresh nor a meeting writes them."""
    member = points.member_a
    admin = await as_role(services, district, Role.TENANT_ADMIN)
    await note_concern(services, district, member)
    now = clock.now()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            rules = {r.trigger: r.id for r in await session.scalars(select(VisitRule))}
            for trigger, occasion, days in (
                (Trigger.BIRTHDAY, "test:missed-before", -15),  # before the death: stays
                (Trigger.BIRTHDAY, "test:since-death", -5),
                (Trigger.HOLIDAY, "test:holiday", -2),
                (Trigger.HOME_STUDY, "test:meeting-past", -3),
                (Trigger.HOME_STUDY, "test:meeting-coming", 1),
            ):
                session.add(VisitDueItem(
                    tenant_id=district.tenant_id, person_id=member, rule_id=rules[trigger],
                    occasion=occasion, opens_on=(now + timedelta(days=days - 3)).date(),
                    due_at=now + timedelta(days=days),
                ))  # fmt: skip
    before = await due_items_of(services, district, member)
    assert len(before) == 6

    case_id = await record_death(services, admin, member, clock.today() - timedelta(days=10))
    recorded = await due_items_of(services, district, member)
    assert [r[1] for r in recorded] == ["test:missed-before"]
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await AfterCareService(session, services.cipher).undo(admin, case_id, "登记错了人")
    assert await due_items_of(services, district, member) == before


@pytest.mark.parametrize("where", ["roster", "account"])
async def test_a_death_and_the_login_are_saved_together_or_not_at_all(
    services: AppServices, district: District, points: PointsRoster, monkeypatch, where: str
) -> None:  # type: ignore[no-untyped-def]
    """A crash at the roster's commit or at the login's change leaves the login working,
    the person living and nothing recorded."""
    from app.accounts.users.service import AccountService
    from app.people.roster import edits

    admin = await as_role(services, district, Role.TENANT_ADMIN)

    async def crash(*_args: object) -> None:
        raise RuntimeError("the database went away")

    if where == "roster":
        monkeypatch.setattr(edits, "commit_or_refuse", crash)
    else:
        monkeypatch.setattr(AccountService, "change_active", crash)
    with pytest.raises(RuntimeError):
        await record_death(services, admin, points.member_a, clock.today())
    monkeypatch.undo()
    member_user = district.users[Role.MEMBER].id
    assert await one(services, district, select(User.is_active).where(User.id == member_user)) == [
        (True,)
    ]
    assert await one(services, district, select(AfterCareCase.id)) == []
    assert await one(
        services, district, select(Person.deceased_on).where(Person.id == points.member_a)
    ) == [(None,)]
