"""Volunteer teams for the tests: make_points_roster's people in a station → sub-station
→ medical team, led by the branch secretary's person (一号, not a party member), with
党员甲, 党员乙, the exempt 老党员丙 and 二号 (not a party member) as members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.activities.forms import ActivityForm
from app.volunteering.activities.service import ActivityService, Recorded
from app.volunteering.models import Level, MemberRole, Specialty, Target, Team, TeamMember
from app.volunteering.teams.service import TeamService
from tests.factories import District, PointsRoster, identity_of, make_points_roster


@dataclass
class Teams:
    points: PointsRoster
    station: UUID
    substation: UUID
    team: UUID
    leader: UUID
    """The person who leads the medical team (the branch secretary's account)."""
    non_party: UUID


async def make_teams(services: AppServices, district: District) -> Teams:
    points = await make_points_roster(services, district)
    roster = points.roster
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            ids = [uuid4(), uuid4(), uuid4()]
            specs = [
                (Level.STATION, "军休志愿服务总站", None),
                (Level.SUBSTATION, "第一分站", None),
                (Level.TEAM, "医疗服务队", Specialty.MEDICAL),
            ]
            for depth, (level, name, specialty) in enumerate(specs):
                session.add(
                    Team(id=ids[depth], tenant_id=district.tenant_id, level=level, name=name,
                         parent_id=ids[depth - 1] if depth else None, specialty=specialty,
                         path=ids[: depth + 1])
                )  # fmt: skip
                await session.flush()
            members = [(roster.person_1, MemberRole.LEADER), (points.member_a, MemberRole.MEMBER),
                       (points.member_b, MemberRole.MEMBER), (points.exempt, MemberRole.MEMBER),
                       (roster.person_2, MemberRole.MEMBER)]  # fmt: skip
            for person, role in members:
                session.add(
                    TeamMember(tenant_id=district.tenant_id, team_id=ids[2], person_id=person,
                               role=role, joined_on=date(2020, 1, 1))
                )  # fmt: skip
    return Teams(points, ids[0], ids[1], ids[2], roster.person_1, roster.person_2)


def activity_form(
    team: UUID, hours: dict[UUID, Decimal], held_on: date, **values: object
) -> ActivityForm:
    fields: dict[str, object] = {
        "id": uuid4(), "team_id": team, "kind": Specialty.MEDICAL, "target": Target.COMMUNITY,
        "held_on": held_on, "place": "甸柳社区", "description": None, "beneficiaries": 30,
        "good_deeds": 2, "participants": hours,
    }  # fmt: skip
    fields.update(values)
    return ActivityForm(**fields)  # type: ignore[arg-type]


async def record(
    services: AppServices,
    district: District,
    form: ActivityForm,
    role: Role = Role.BRANCH_SECRETARY,
) -> Recorded:
    """Record as the account of `role` (the secretary leads the medical team)."""
    identity = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await ActivityService(session).record(identity, form)


async def every_volunteering_change(
    session: AsyncSession, admin: Identity, people: list[UUID]
) -> None:
    """Each change volunteering records, as the admin (for the audit log's words)."""
    teams = TeamService(session)
    station = await teams.create(admin, {"level": "station", "name": "志愿服务总站"})
    sub = await teams.create(
        admin, {"level": "substation", "name": "第一分站", "parent_id": str(station.id)}
    )
    team = await teams.create(
        admin,
        {"level": "team", "name": "宣讲队", "parent_id": str(sub.id), "specialty": "talks"},
    )
    await teams.update(admin, team.id, {"name": "理论宣讲队", "specialty": "other",
                                        "specialty_name": "理论宣讲"})  # fmt: skip
    for person in people:
        await teams.add_member(admin, team.id, {"person_id": str(person), "role": "member"})
    activities = ActivityService(session)
    hours = {person: Decimal(2) for person in people}
    recorded = await activities.record(
        admin, activity_form(team.id, hours, clock.today(), kind=Specialty.TALKS)
    )
    await activities.correct(admin, recorded.activity.id, {people[0]: Decimal(3)})
    await activities.cancel(admin, recorded.activity.id, "记重了")
    await teams.leave(admin, team.id, people[0])
    await teams.retire(admin, team.id, sure=True)
