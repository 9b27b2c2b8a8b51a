"""Household assignment (定人包户): bulk assignment into grids, its history, whole
households, the people nobody answers for, and retiring a grid."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.assignment import service as assignment_module
from app.grid.assignment.forms import AssignFilter, AssignForm
from app.grid.assignment.service import AssignmentService
from app.grid.grids.service import GridService
from app.grid.grids.views import GridViews
from app.grid.models import GridAssignment, VisitDueItem
from app.state import AppServices
from tests.factories import District, Roster, World, add_grid, add_person, make_roster


@pytest.fixture
def district(world: World) -> District:
    return world.a


@pytest.fixture
def admin(district: District) -> Identity:
    account = district.users[Role.TENANT_ADMIN]
    return Identity(account.id, account.name, frozenset({Role.TENANT_ADMIN}), district.tenant_id)


@pytest.fixture
async def roster(services: AppServices, district: District) -> Roster:
    return await make_roster(services, district)


async def assign(
    services: AppServices, district: District, admin: Identity, grid: UUID | None,
    people: list[UUID], **options: object,
) -> assignment_module.AssignResult:  # fmt: skip
    with tenant_scope(district.tenant_id):
        form = AssignForm(grid, people, **options)  # type: ignore[arg-type]
        async with services.db.unit() as session:
            return await AssignmentService(session).assign(admin, form)


async def rows_of(services: AppServices, district: District, person: UUID) -> list[GridAssignment]:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            found = await session.scalars(
                select(GridAssignment)
                .where(GridAssignment.person_id == person)
                .order_by(GridAssignment.starts_at, GridAssignment.ends_at.nulls_last())
            )
            return list(found)


async def open_grid_of(services: AppServices, district: District, person: UUID) -> UUID | None:
    rows = [row for row in await rows_of(services, district, person) if row.ends_at is None]
    assert len(rows) <= 1
    return rows[0].grid_id if rows else None


async def test_reassignment_ends_the_old_row_and_keeps_the_history(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    east = await add_grid(services, district, "东网格")
    west = await add_grid(services, district, "西网格")
    person = roster.person_1

    first = await assign(services, district, admin, east, [person])
    assert (first.assigned, first.moved, first.already) == (1, 0, 0)
    again = await assign(services, district, admin, east, [person])
    assert (again.assigned, again.moved, again.already) == (0, 0, 1)
    moved = await assign(services, district, admin, west, [person])
    assert (moved.assigned, moved.moved, moved.already) == (0, 1, 0)

    old, new = await rows_of(services, district, person)
    assert old.grid_id == east and old.ends_at is not None and old.ended_by == admin.user_id
    assert new.grid_id == west and new.ends_at is None and new.assigned_by == admin.user_id

    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            history = await GridViews(session).history(person)
    assert history.current is not None and history.current.grid_name == "西网格"
    assert [row.grid_name for row in history.rows] == ["西网格", "东网格"]
    assert history.rows[1].ends_on is not None
    assert {row.assigned_by for row in history.rows} == {admin.name}


async def test_the_database_keeps_one_open_assignment_per_person(
    services: AppServices, district: District, roster: Roster
) -> None:
    east = await add_grid(services, district, "东网格", people=[roster.person_1])
    west = await add_grid(services, district, "西网格")
    with tenant_scope(district.tenant_id), pytest.raises(IntegrityError):
        async with services.db.session() as session:
            session.add(GridAssignment(tenant_id=district.tenant_id, person_id=roster.person_1,
                                       grid_id=west))  # fmt: skip
            await session.commit()
    assert await open_grid_of(services, district, roster.person_1) == east


async def test_whole_households_follow_the_address_whatever_its_spaces(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    grid = await add_grid(services, district, "东网格")
    chosen = await add_person(services, district, "户主甲", roster.branch_1, address="幸福路 8号")
    spouse = await add_person(services, district, "配偶乙", roster.branch_1, address="幸福路8号")
    son = await add_person(services, district, "家人丙", roster.branch_2, address=" 幸福路　8号 ")
    late = await add_person(services, district, "已故丁", roster.branch_1, address="幸福路8号",
                            deceased_on=date(2020, 1, 1))  # fmt: skip
    neighbour = await add_person(services, district, "邻居戊", roster.branch_1, address="幸福路9号")

    result = await assign(services, district, admin, grid, [chosen], households=True)
    assert result.assigned == 3
    for person in (chosen, spouse, son):
        assert await open_grid_of(services, district, person) == grid
    for person in (late, neighbour):
        assert await open_grid_of(services, district, person) is None


async def test_deceased_people_are_never_assigned(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    grid = await add_grid(services, district, "东网格")
    late = await add_person(services, district, "已故者", roster.branch_1,
                            deceased_on=date(2021, 3, 1))  # fmt: skip
    result = await assign(services, district, admin, grid, [late, roster.person_1])
    assert (result.assigned, result.deceased) == (1, 1)
    assert await open_grid_of(services, district, late) is None

    with pytest.raises(Refused) as refused:
        await assign(services, district, admin, grid, [late])
    assert refused.value.message == "Deceased people are not assigned to grids."

    everyone = await assign(services, district, admin, grid, [], everyone=True)
    assert everyone.assigned == 1  # person_2; the deceased one is not matched
    assert await open_grid_of(services, district, late) is None


async def test_everyone_matching_takes_the_whole_filter_not_the_page(
    services: AppServices, district: District, admin: Identity, roster: Roster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(assignment_module, "PAGE_SIZE", 2)
    grid = await add_grid(services, district, "东网格")
    street = [
        await add_person(services, district, f"长街{n}号", roster.branch_1, address=f"长街{n}号")
        for n in range(1, 6)
    ]
    wanted = AssignFilter(address="长街")
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            page = await AssignmentService(session).candidates(wanted)
    assert (page.total, len(page.items), page.pages) == (5, 2, 3)

    result = await assign(services, district, admin, grid, [], everyone=True, filter=wanted)
    assert result.assigned == 5
    for person in street:
        assert await open_grid_of(services, district, person) == grid
    assert await open_grid_of(services, district, roster.person_1) is None


async def test_the_list_filters_by_name_pinyin_unit_address_and_unassigned(
    services: AppServices, district: District, roster: Roster
) -> None:
    zhang = await add_person(services, district, "张建国", roster.branch_2, address="红旗路1号")
    await add_grid(services, district, "东网格", people=[roster.person_1])

    async def names(**wanted: object) -> set[str]:
        with tenant_scope(district.tenant_id):
            async with services.db.unit() as session:
                found = await AssignmentService(session).candidates(AssignFilter(**wanted))  # type: ignore[arg-type]
        return {row.name for row in found.items}

    assert await names(q="张建") == {"张建国"}
    assert await names(q="zjg") == {"张建国"}
    assert await names(q="zhangjian") == {"张建国"}
    assert await names(unit_id=roster.branch_2) == {"张建国", "甲二号"}
    assert await names(address="红旗") == {"张建国"}
    assert await names(unassigned=True) == {"张建国", "甲二号"}
    assert "甲一号" in await names()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            row = next(
                r
                for r in (await AssignmentService(session).candidates(AssignFilter())).items
                if r.id == roster.person_1
            )
    assert row.grid_name == "东网格" and zhang


async def test_the_unassigned_list_is_who_nobody_answers_for(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    grid = await add_grid(services, district, "东网格", people=[roster.person_1])
    await add_person(services, district, "已故者", roster.branch_2, deceased_on=date(2021, 3, 1))
    unassigned = AssignFilter(unassigned=True)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            found = await AssignmentService(session).candidates(unassigned)
    assert found.total == 1 and [row.id for row in found.items] == [roster.person_2]

    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await GridService(session).remove_person(admin, grid, roster.person_1)
        async with services.db.unit() as session:
            found = await AssignmentService(session).candidates(unassigned)
            in_branch = await AssignmentService(session).candidates(
                AssignFilter(unassigned=True, unit_id=roster.branch_1)
            )
    assert found.total == 2
    assert [row.id for row in in_branch.items] == [roster.person_1]
    assert len(await rows_of(services, district, roster.person_1)) == 1  # ended, kept


async def test_a_grid_with_people_cannot_be_retired(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    grid = await add_grid(services, district, "东网格", people=[roster.person_1])
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            grids = GridService(session)
            with pytest.raises(Refused) as refused:
                await grids.retire(admin, grid)
            assert refused.value.message.endswith("Move its people first.")
            await grids.remove_person(admin, grid, roster.person_1)
            await grids.retire(admin, grid)
    with pytest.raises(Refused) as retired:
        await assign(services, district, admin, grid, [roster.person_2])
    assert retired.value.message == "%(name)s is retired. Please choose another grid."
    assert await open_grid_of(services, district, roster.person_2) is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no_grid", "Please choose the grid to assign them to."),
        ("nobody", "Please tick the people to assign, or choose everyone who matches."),
        ("too_many", "At most %(max)s people can be assigned at once. Please narrow the filter."),
        ("nobody_matches", "Nobody matches the filter, so nobody was assigned."),
    ],
)
async def test_bad_bulk_assignments_are_refused_and_write_nothing(
    services: AppServices, district: District, admin: Identity, roster: Roster,
    monkeypatch: pytest.MonkeyPatch, case: str, message: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(assignment_module, "MAX_AT_ONCE", 1)
    grid = await add_grid(services, district, "东网格")
    people = {
        "no_grid": (None, [roster.person_1], {}),
        "nobody": (grid, [], {}),
        "too_many": (grid, [roster.person_1, roster.person_2], {}),
        "nobody_matches": (grid, [], {"everyone": True, "filter": AssignFilter(q="无此人")}),
    }
    target, chosen, options = people[case]
    with pytest.raises(Refused) as refused:
        await assign(services, district, admin, target, chosen, **options)
    assert refused.value.message == message
    for person in (roster.person_1, roster.person_2):
        assert await rows_of(services, district, person) == []


async def test_a_person_of_another_district_is_not_found(
    services: AppServices, world: World, admin: Identity, roster: Roster
) -> None:
    other = await make_roster(services, world.b)
    grid = await add_grid(services, world.a, "东网格")
    for people in ([other.person_1], [roster.person_1, other.person_1], [uuid4()]):
        with pytest.raises(NotFound):
            await assign(services, world.a, admin, grid, people)
    assert await rows_of(services, world.a, roster.person_1) == []


async def test_each_bulk_assignment_is_audited_with_its_counts(
    services: AppServices, district: District, admin: Identity, roster: Roster
) -> None:
    grid = await add_grid(services, district, "东网格", people=[roster.person_1])
    await assign(services, district, admin, grid, [roster.person_1, roster.person_2])
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            events = list(
                await session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "grid.people_assigned")
                )
            )
            assignments = await session.scalar(select(func.count(GridAssignment.id)))
    assert len(events) == 1 and events[0].subject_name == "东网格"
    assert events[0].changes["assigned"] == 1 and events[0].changes["already"] == 1
    assert assignments == 2


async def test_people_assigned_to_a_grid_have_their_items_without_waiting_for_the_night(
    services: AppServices, district: District, admin: Identity, roster: Roster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Someone whose items were never written (added before items were written on adding,
    or while a job was down) has them once they are assigned, so the grid's list is whole."""
    monday = date(2026, 12, 7)
    monkeypatch.setattr(clock, "today", lambda: monday)
    monkeypatch.setattr(clock, "now", lambda: datetime.combine(monday, time(9), clock.CHINA_TIME))
    person = await add_person(services, district, "寿星甲", birth_date=date(1936, 12, 9))
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            await session.execute(delete(VisitDueItem))
            await session.commit()
    await assign(services, district, admin, await add_grid(services, district, "东网格"), [person])
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            written = (
                await session.execute(select(VisitDueItem.person_id, VisitDueItem.occasion))
            ).all()
    assert written == [(person, "birthday:2026")]
