"""Volunteering: hours → points within the caps, the leader told who was not scored,
corrections and cancelling withdraw and rescore, bad input refused with nothing
written, who may record, retiring teams, and the figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.i18n import _
from app.points.models import PointEvent, Source
from app.state import AppServices
from app.volunteering.activities.service import ActivityService
from app.volunteering.models import Activity, Participation
from app.volunteering.teams.service import TeamService
from app.volunteering.totals.service import district_figures, person_years
from tests.factories import District, add_person, identity_of, make_world
from tests.volunteering import Teams, activity_form, make_teams, record

H = Decimal


@pytest.fixture
async def world(services: AppServices, owner_db: Database):  # type: ignore[no-untyped-def]
    return await make_world(services, owner_db)


@pytest.fixture
async def district(world) -> District:  # type: ignore[no-untyped-def]
    return world.a


@pytest.fixture
async def teams(services: AppServices, district: District) -> Teams:
    return await make_teams(services, district)


async def points_of(services: AppServices, district: District, person: UUID) -> Decimal:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            total = await session.scalar(
                select(func.coalesce(func.sum(PointEvent.points), 0)).where(
                    PointEvent.person_id == person
                )
            )
    return Decimal(total)


async def count(services: AppServices, district: District, model: type) -> int:
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_hours_score_party_members_and_say_who_was_not(
    services: AppServices, district: District, teams: Teams
) -> None:
    p = teams.points
    hours = {p.member_a: H(3), p.member_b: H("1.5"), p.exempt: H(2), teams.non_party: H(2)}
    recorded = await record(services, district, activity_form(teams.team, hours, clock.today()))
    # ZY-01 scores 1 point an hour.
    assert await points_of(services, district, p.member_a) == H(3)
    assert await points_of(services, district, p.member_b) == H("1.5")
    assert await points_of(services, district, teams.non_party) == 0
    reasons = dict(recorded.not_scored)
    assert set(reasons) == {"老党员丙", "甲二号"}
    assert "党员" in reasons["甲二号"] or "party" in reasons["甲二号"]
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = {r.person_id: r for r in await session.scalars(select(Participation))}
    assert rows[teams.non_party].hours == H(2) and rows[teams.non_party].event_id is None
    assert rows[p.member_a].event_id is not None


async def test_hours_stop_scoring_at_the_quarters_cap(
    services: AppServices, district: District, teams: Teams
) -> None:
    member = teams.points.member_a
    for _round in range(3):  # 24 hours: the cap of 20 a quarter is passed by the third
        await record(services, district, activity_form(teams.team, {member: H(8)}, clock.today()))
    fourth = await record(
        services, district, activity_form(teams.team, {member: H(8)}, clock.today())
    )
    (name, why), *_rest = fourth.not_scored
    assert name == "党员甲" and ("上限" in why or "cap" in why)
    assert await points_of(services, district, member) == H(24)  # the standings clamp to 20


async def test_correcting_withdraws_and_rescores(
    services: AppServices, district: District, teams: Teams
) -> None:
    p = teams.points
    recorded = await record(
        services, district,
        activity_form(teams.team, {p.member_a: H(3), p.member_b: H(2)}, clock.today()),
    )  # fmt: skip
    leader = await identity_of(services, district.tenant_id,
                               district.users[Role.BRANCH_SECRETARY].id)  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await ActivityService(session).correct(
                leader, recorded.activity.id, {p.member_a: H(5), p.exempt: H(1)}
            )
    assert await points_of(services, district, p.member_a) == H(5)
    assert await points_of(services, district, p.member_b) == 0
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            rows = {r.person_id: r for r in await session.scalars(select(Participation))}
            reversals = await session.scalar(
                select(func.count()).where(PointEvent.source == Source.REVERSAL)
            )
            activity = await session.get(Activity, {"tenant_id": district.tenant_id,
                                                    "id": recorded.activity.id})  # fmt: skip
    assert set(rows) == {p.member_a, p.exempt}
    assert rows[p.member_a].revision == 2 and rows[p.member_a].hours == H(5)
    assert reversals == 2 and activity is not None and activity.revision == 2
    # Taken out and put back: a new reference, so it scores again.
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await ActivityService(session).correct(
                leader, recorded.activity.id, {p.member_a: H(5), p.member_b: H(2)}
            )
    assert await points_of(services, district, p.member_b) == H(2)


async def test_cancelling_withdraws_everything(
    services: AppServices, district: District, teams: Teams
) -> None:
    p = teams.points
    recorded = await record(
        services, district, activity_form(teams.team, {p.member_a: H(3)}, clock.today())
    )
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            with pytest.raises(Refused):
                await ActivityService(session).cancel(admin, recorded.activity.id, "  ")
        async with services.db.unit() as session:
            await ActivityService(session).cancel(admin, recorded.activity.id, "记重了")
        async with services.db.session() as session:
            figures = await district_figures(session, clock.today().year, clock.today().year)
    assert await points_of(services, district, p.member_a) == 0
    assert await count(services, district, Participation) == 0
    assert figures.district.activities == 0 and figures.district.hours == 0


async def test_a_retry_of_the_same_form_saves_once(
    services: AppServices, district: District, teams: Teams
) -> None:
    form = activity_form(teams.team, {teams.points.member_a: H(2)}, clock.today())
    await record(services, district, form)
    again = await record(services, district, form)
    assert again.repeated
    assert await count(services, district, Activity) == 1
    assert await points_of(services, district, teams.points.member_a) == H(2)


async def refused_with_nothing_written(
    services: AppServices,
    district: District,
    form_of,
    field: str,  # type: ignore[no-untyped-def]
) -> str:
    with pytest.raises(Refused) as refused:
        await record(services, district, form_of())
    assert field in refused.value.errors or field == "", refused.value.errors
    assert await count(services, district, Activity) == 0
    assert await count(services, district, Participation) == 0
    assert await count(services, district, PointEvent) == 0
    return refused.value.errors.get(field, refused.value.text())


async def test_bad_input_is_refused_in_words_with_nothing_written(
    services: AppServices,
    world,
    teams: Teams,  # type: ignore[no-untyped-def]
) -> None:
    from app.volunteering.activities.forms import parse_activity_form

    district = world.a
    a = teams.points.member_a
    stranger = await add_person(services, world.b, "乙区志愿者")
    b_teams = await make_teams(services, world.b)
    today = clock.today()
    base = {"activity_id": str(uuid4()), "team_id": str(teams.team), "kind": "medical",
            "target": "community", "held_on": today.isoformat(), "place": "社区",
            "hours": "2"}  # fmt: skip
    for hours, message in [
        ("25", "One activity can count at most 24 hours."),
        ("-1", "Hours must be at least half an hour."),
        ("1.3", "Please give the hours in half hours, for example 1.5 or 2."),
        ("两", "Please give the hours as a number, for example 2 or 1.5."),
    ]:
        with pytest.raises(Refused) as refused:
            parse_activity_form({**base, "hours": hours}, [str(a)])
        assert refused.value.errors["hours"] == message
    with pytest.raises(Refused) as refused:
        parse_activity_form({**base, f"hours_{a}": "24.5"}, [str(a)])
    assert refused.value.errors[f"hours_{a}"] == "One activity can count at most 24 hours."
    with pytest.raises(Refused) as refused:
        parse_activity_form(base, [str(a), str(a)])
    assert "twice" in refused.value.errors["person"]
    with pytest.raises(Refused) as refused:
        parse_activity_form({**base, "held_on": (today + timedelta(days=1)).isoformat()}, [str(a)])
    assert refused.value.errors["held_on"] == "The date cannot be in the future."
    # What only the service can judge: whose person, whose team.
    for form_of, field in [
        (lambda: activity_form(teams.team, {stranger: H(2)}, today), "person"),
        (lambda: activity_form(teams.team, {uuid4(): H(2)}, today), "person"),
        (lambda: activity_form(b_teams.team, {a: H(2)}, today), "team_id"),
        (lambda: activity_form(uuid4(), {a: H(2)}, today), "team_id"),
    ]:
        message = await refused_with_nothing_written(services, district, form_of, field)
        assert _(message) != message  # said in Chinese


async def test_who_may_record(services: AppServices, district: District, teams: Teams) -> None:
    form = activity_form(teams.team, {teams.points.member_a: H(2)}, clock.today())
    with pytest.raises(Refused) as refused:
        await record(services, district, form, Role.MEMBER)
    assert "leaders" in refused.value.message
    await record(services, district, form, Role.TENANT_ADMIN)
    member = await identity_of(services, district.tenant_id, district.users[Role.MEMBER].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            with pytest.raises(Refused):
                await ActivityService(session).activity(member, form.id)


async def test_a_station_leader_records_for_a_team_under_it(
    services: AppServices, district: District, teams: Teams
) -> None:
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    grid_worker = district.users[Role.GRID_WORKER]
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.people.roster.service import PeopleService

    person = await add_person(services, district, "站长")
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await PeopleService(session, services.cipher).link_account(
                EVERYONE, person, grid_worker.id, SYSTEM
            )
            await TeamService(session).add_member(
                admin, teams.station, {"person_id": str(person), "role": "leader", "joined_on": ""}
            )
    recorded = await record(
        services, district,
        activity_form(teams.team, {teams.points.member_a: H(2)}, clock.today()),
        Role.GRID_WORKER,
    )  # fmt: skip
    assert not recorded.repeated
    # The medical team's leader does not manage the station above it.
    leader = await identity_of(services, district.tenant_id,
                               district.users[Role.BRANCH_SECRETARY].id)  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            with pytest.raises(NotFound):
                await TeamService(session).detail(leader, teams.station)


async def test_teams_are_made_in_levels_and_retired_from_the_bottom(
    services: AppServices, district: District, teams: Teams
) -> None:
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            service = TeamService(session)
            with pytest.raises(Refused) as refused:  # a team straight under the station
                await service.create(admin, {"level": "team", "parent_id": str(teams.station),
                                             "name": "宣讲队", "specialty": "talks"})  # fmt: skip
            assert "parent_id" in refused.value.errors
            with pytest.raises(Refused) as refused:
                await service.create(admin, {"level": "team", "parent_id": str(teams.substation),
                                             "name": "其他队", "specialty": "other"})  # fmt: skip
            assert "specialty_name" in refused.value.errors
            made = await service.create(
                admin, {"level": "team", "parent_id": str(teams.substation), "name": "宣讲队",
                        "specialty": "talks"},
            )  # fmt: skip
            assert made.path == [teams.station, teams.substation, made.id]
            with pytest.raises(Refused) as refused:
                await service.retire(admin, teams.substation, sure=True)
            assert "2" in refused.value.text()
            await service.retire(admin, made.id, sure=True)
            await service.retire(admin, teams.team, sure=True)
            await service.retire(admin, teams.substation, sure=True)


async def test_members_join_and_leave(
    services: AppServices, district: District, teams: Teams
) -> None:
    leader = await identity_of(services, district.tenant_id,
                               district.users[Role.BRANCH_SECRETARY].id)  # fmt: skip
    newcomer = await add_person(services, district, "张志愿", teams.points.roster.branch_1)
    elsewhere = await add_person(services, district, "张志远")  # in no branch the leader leads
    as_member = {"person_id": str(newcomer), "role": "member"}
    as_leader = {"person_id": str(newcomer), "role": "leader"}
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            service = TeamService(session)
            found = await service.candidates(leader, teams.team, "zzy")
            assert [p.name for p in found] == ["张志愿"]  # a leader searches their own scope
            with pytest.raises(Refused):  # and cannot add someone outside it by a forged id
                outsider = {"person_id": str(elsewhere), "role": "member"}
                await service.add_member(leader, teams.team, outsider)
            with pytest.raises(Refused):  # only the admin names leaders
                await service.add_member(leader, teams.team, as_leader)
            await service.add_member(leader, teams.team, as_member)
            with pytest.raises(Refused):
                await service.add_member(leader, teams.team, as_member)
            with pytest.raises(Refused):
                await service.leave(leader, teams.team, teams.leader)
            await service.leave(leader, teams.team, newcomer)
            detail = await service.detail(leader, teams.team)
    assert "张志愿" not in [m.name for m in detail.members]


async def test_figures_per_team_level_year_and_person(
    services: AppServices, district: District, teams: Teams
) -> None:
    p = teams.points
    today = clock.today()
    await record(
        services,
        district,
        activity_form(teams.team, {p.member_a: H(3), teams.non_party: H(2)}, today),
    )
    await record(services, district, activity_form(teams.team, {p.member_a: H("1.5")}, today,
                                                   good_deeds=5, beneficiaries=100))  # fmt: skip
    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            figures = await district_figures(session, today.year, today.year)
            last_year = await district_figures(session, today.year - 1, today.year)
            years = await person_years(session, p.member_a)
    d = figures.district
    assert (d.teams, d.volunteers, d.activities, d.hours, d.good_deeds, d.beneficiaries) == (
        3, 5, 2, H("6.5"), 7, 130,
    )  # fmt: skip
    rows = {row.team.id: row for row in figures.teams}
    assert rows[teams.station].figures.hours == H("6.5")  # rolled up from the team under it
    assert rows[teams.station].figures.volunteers == 5
    assert [row.depth for row in figures.teams] == [0, 1, 2]
    assert figures.levels["team"].activities == 2 and figures.levels["station"].activities == 0
    assert last_year.district.activities == 0 and today.year in last_year.years
    assert [(y.year, y.hours, y.activities) for y in years] == [(today.year, H("4.5"), 2)]
