"""Demo volunteering: a station, two sub-stations, five specialist teams (the branch
secretary's person leads 医疗服务队, so the demo secretary records on a phone), members
from the roster, party members or not, and a few dozen activities this year recorded
through the service — so their hours score points as a leader's would."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import select

from app.access import tenant_identity
from app.core import clock
from app.core.roles import Role
from app.demo.roster import _user_with
from app.people.models import Person
from app.state import AppServices
from app.volunteering.activities.forms import ActivityForm
from app.volunteering.activities.service import ActivityService
from app.volunteering.models import Level, MemberRole, Specialty, Target, Team, TeamMember

TEAMS = [  # (sub-station index, name, specialty)
    (0, "理论宣讲队", Specialty.TALKS),
    (0, "医疗服务队", Specialty.MEDICAL),
    (0, "走访慰问队", Specialty.CARE_VISITS),
    (1, "文明劝导队", Specialty.CIVILITY),
    (1, "应急救援队", Specialty.EMERGENCY),
]
PLACES = ["社区活动室", "街道文化站", "实验小学", "驻地营区", "敬老院", "城东企业园", "村委会"]
ACTIVITIES = 36


async def has_volunteering(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(Team.id).limit(1)) is not None


async def seed_demo_volunteering(services: AppServices, tenant_id: UUID, seed: int = 11) -> None:
    """Run inside the district's tenant scope, after the roster (and points)."""
    rng = random.Random(seed)
    today = clock.today()
    async with services.db.unit() as session:
        people = list(await session.scalars(
            select(Person).where(Person.deceased_on.is_(None)).order_by(Person.sort_key)
        ))  # fmt: skip
        admin = (await session.execute(_user_with(Role.TENANT_ADMIN))).one()
        secretary = (await session.execute(_user_with(Role.BRANCH_SECRETARY))).one()
        leader = await session.scalar(select(Person.id).where(Person.user_id == secretary.id))
        station = uuid4()
        session.add(Team(id=station, tenant_id=tenant_id, level=Level.STATION,
                         name="军休干部志愿服务总站", path=[station]))  # fmt: skip
        await session.flush()
        subs = []
        for name in ("东片志愿服务分站", "西片志愿服务分站"):
            sub = uuid4()
            session.add(Team(id=sub, tenant_id=tenant_id, level=Level.SUBSTATION, name=name,
                             parent_id=station, path=[station, sub]))  # fmt: skip
            subs.append(sub)
        await session.flush()
        teams: list[tuple[UUID, Specialty, list[UUID]]] = []
        for index, (sub_index, name, specialty) in enumerate(TEAMS):
            team = uuid4()
            session.add(Team(id=team, tenant_id=tenant_id, level=Level.TEAM, name=name,
                             parent_id=subs[sub_index], specialty=specialty,
                             path=[station, subs[sub_index], team]))  # fmt: skip
            await session.flush()
            members = [p.id for p in people[index :: len(TEAMS)]][:8]
            if specialty == Specialty.MEDICAL and leader is not None:
                members = [leader, *(m for m in members if m != leader)]
            for position, person in enumerate(members):
                session.add(TeamMember(
                    tenant_id=tenant_id, team_id=team, person_id=person,
                    role=MemberRole.LEADER if position == 0 else MemberRole.MEMBER,
                    joined_on=date(today.year - 1, 3, 1),
                ))  # fmt: skip
            teams.append((team, specialty, members))
    async with services.db.unit() as session:
        found = await tenant_identity(session, admin.id, tenant_id)
        assert found is not None
        identity = found[0]
        service = ActivityService(session)
        start = date(today.year, 1, 1)
        for _ in range(ACTIVITIES):
            team, specialty, members = rng.choice(teams)
            if not members:
                continue
            day = start + timedelta(days=rng.randrange((today - start).days + 1))
            chosen = rng.sample(members, k=min(len(members), rng.randint(2, 6)))
            hours = Decimal(rng.choice((1, 1.5, 2, 2, 3, 4)))
            await service.record(identity, ActivityForm(
                uuid4(), team, specialty, rng.choice(list(Target)), day, rng.choice(PLACES),
                "演示数据", rng.randint(10, 120), rng.randint(0, 5),
                dict.fromkeys(chosen, hours),
            ))  # fmt: skip
