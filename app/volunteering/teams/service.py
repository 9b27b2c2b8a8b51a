"""Volunteer teams: the district admin sets up the 总站 → 分站 → 专业化服务队 tree and
names the leaders; a team's leader adds and takes out its members (people of the
district, party members or not). Who manages which team is `manages`: the admin all,
a leader their teams and every team under them (by `path`).

Retiring a team keeps its history (activities, hours); one with live sub-teams is
refused, so no team is left under a retired one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, and_, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.models import Person
from app.people.scope import people_in
from app.people.search import search_condition
from app.volunteering.models import (
    LEVEL_LABELS,
    PARENT_LEVEL,
    SPECIALTY_LABELS,
    Level,
    MemberRole,
    Participation,
    Specialty,
    Team,
    TeamMember,
)
from app.volunteering.teams.forms import parse_member_form, parse_team_form

NOT_A_LEADER = N_("Only the district administrator and the leaders of volunteer teams can do this.")
RETIRED = N_("This team is retired and can no longer be changed.")
CONFIRM_RETIRE = N_(
    "To retire the team, tick the box that says you are sure: a retired team cannot be "
    "brought back (its members and activities stay in the records)."
)
PICK_LIMIT = 20


def manages(identity: Identity) -> ColumnElement[bool]:
    """The teams this user manages: all for the admin; for a leader, the teams they lead
    and every team under them."""
    if Role.TENANT_ADMIN in identity.roles:
        return true()
    led = literal(list(identity.led_teams), ARRAY(PgUUID(as_uuid=True)))
    return Team.path.overlap(led)


def specialty_words(team: Team) -> str:
    """The team's line of service in words (msgid, or its own words for OTHER)."""
    if team.specialty == Specialty.OTHER and team.specialty_name:
        return team.specialty_name
    return SPECIALTY_LABELS.get(team.specialty, "") if team.specialty else ""  # type: ignore[call-overload]


@dataclass
class TeamRow:
    team: Team
    depth: int
    leaders: list[str] = field(default_factory=list)
    members: int = 0


@dataclass(frozen=True)
class MemberRow:
    person_id: UUID
    name: str
    role: str
    joined_on: date
    party_member: bool
    hours: Decimal
    """Hours served this year."""


@dataclass(frozen=True)
class TeamDetail:
    team: Team
    parent: Team | None
    children: list[Team]
    members: list[MemberRow]
    may_edit: bool
    """The admin changes the team itself; leaders manage its members."""


def tree_order(teams: list[Team]) -> list[tuple[Team, int]]:
    """Teams in tree order (each under its parent, siblings by name) with their depth;
    a team whose parent is not in the list starts a tree of its own."""
    ids = {t.id for t in teams}
    children: dict[UUID | None, list[Team]] = {}
    for team in sorted(teams, key=lambda t: t.name):
        parent = team.parent_id if team.parent_id in ids else None
        children.setdefault(parent, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent: UUID | None, depth: int) -> None:
        for team in children.get(parent, []):
            ordered.append((team, depth))
            walk(team.id, depth + 1)

    walk(None, 0)
    return ordered


def current(team_id: Any) -> list[ColumnElement[bool]]:
    """A team's members now (those who left are kept as history)."""
    return [TeamMember.team_id == team_id, TeamMember.left_on.is_(None)]


class TeamService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def require_leader(self, identity: Identity) -> None:
        if not identity.leads_volunteers:
            raise Refused(NOT_A_LEADER)

    async def teams(self, identity: Identity) -> list[TeamRow]:
        """The live teams this user manages, in tree order, with leaders and head counts."""
        self.require_leader(identity)
        session = self.session
        found = list(
            await session.scalars(select(Team).where(manages(identity), Team.retired_at.is_(None)))
        )
        rows = {team.id: TeamRow(team, depth) for team, depth in tree_order(found)}
        members = await session.execute(
            select(TeamMember.team_id, TeamMember.role, Person.name)
            .join(
                Person,
                and_(Person.tenant_id == TeamMember.tenant_id, Person.id == TeamMember.person_id),
            )
            .where(TeamMember.team_id.in_(rows), TeamMember.left_on.is_(None))
            .order_by(Person.sort_key)
        )
        for team_id, role, name in members:
            rows[team_id].members += 1
            if role == MemberRole.LEADER:
                rows[team_id].leaders.append(name)
        return list(rows.values())

    async def managed(self, identity: Identity, team_id: UUID, *, lock: bool = False) -> Team:
        """A team this user manages (NotFound otherwise, as for another district's)."""
        self.require_leader(identity)
        query = select(Team).where(Team.id == team_id, manages(identity))
        team = await self.session.scalar(query.with_for_update() if lock else query)
        if team is None:
            raise NotFound()
        return team

    async def detail(self, identity: Identity, team_id: UUID) -> TeamDetail:
        session = self.session
        team = await self.managed(identity, team_id)
        parent = await session.get(Team, {"tenant_id": team.tenant_id, "id": team.parent_id})
        children = list(
            await session.scalars(
                select(Team)
                .where(Team.parent_id == team.id, Team.retired_at.is_(None))
                .order_by(Team.name)
            )
        )
        year = clock.today().year
        served = (
            select(Participation.person_id, func.sum(Participation.hours).label("hours"))
            .where(Participation.team_id == team.id,
                   Participation.held_on >= date(year, 1, 1),
                   Participation.held_on <= date(year, 12, 31))
            .group_by(Participation.person_id)
            .subquery()
        )  # fmt: skip
        rows = await session.execute(
            select(TeamMember.person_id, Person.name, TeamMember.role, TeamMember.joined_on,
                   Person.party_member, func.coalesce(served.c.hours, 0))
            .join(Person, and_(Person.tenant_id == TeamMember.tenant_id,
                               Person.id == TeamMember.person_id))
            .outerjoin(served, served.c.person_id == TeamMember.person_id)
            .where(*current(team.id))
            .order_by(TeamMember.role != MemberRole.LEADER, Person.sort_key)
        )  # fmt: skip
        return TeamDetail(
            team, parent, children, [MemberRow(*row) for row in rows],
            may_edit=Role.TENANT_ADMIN in identity.roles,
        )  # fmt: skip

    async def parents(self) -> list[tuple[Team, int]]:
        """Live stations and sub-stations, for the team form's "belongs to" list."""
        found = await self.session.scalars(
            select(Team).where(Team.retired_at.is_(None), Team.level != Level.TEAM)
        )
        return tree_order(list(found))

    def _admin(self, identity: Identity) -> None:
        if Role.TENANT_ADMIN not in identity.roles:
            raise NotFound()

    async def create(self, identity: Identity, data: Mapping[str, str]) -> Team:
        self._admin(identity)
        values = parse_team_form(data)
        session = self.session
        path: list[UUID] = []
        if values.parent_id is not None:
            parent = await session.scalar(
                select(Team).where(Team.id == values.parent_id, Team.retired_at.is_(None))
            )
            if parent is None or parent.level != PARENT_LEVEL[values.level]:
                raise InvalidForm({"parent_id": N_("Please choose from the list.")})
            path = list(parent.path)
        team_id = uuid4()
        team = Team(
            id=team_id, tenant_id=require_tenant(), parent_id=values.parent_id,
            level=values.level, name=values.name, specialty=values.specialty,
            specialty_name=values.specialty_name, path=[*path, team_id],
        )  # fmt: skip
        session.add(team)
        await session.flush()
        await record(
            session, identity.actor, "volunteer.team_created", subject_type="volunteer_team",
            subject_id=team.id, subject_name=team.name,
            changes={"level": values.level, "specialty": values.specialty},
        )  # fmt: skip
        return team

    async def update(self, identity: Identity, team_id: UUID, data: Mapping[str, str]) -> Team:
        """Rename a team or change its line of service (its level and place stay)."""
        self._admin(identity)
        team = await self.managed(identity, team_id, lock=True)
        if team.retired_at is not None:
            raise Refused(RETIRED)
        values = parse_team_form(
            {**data, "level": team.level, "parent_id": str(team.parent_id or "")}
        )
        before = (team.name, team.specialty)
        team.name, team.specialty, team.specialty_name = (
            values.name, values.specialty, values.specialty_name,
        )  # fmt: skip
        after = (team.name, team.specialty)
        if before != after:
            await record(
                self.session, identity.actor, "volunteer.team_changed",
                subject_type="volunteer_team", subject_id=team.id, subject_name=team.name,
                changes={"name": [before[0], after[0]], "specialty": [before[1], after[1]]},
            )  # fmt: skip
        return team

    async def retire(self, identity: Identity, team_id: UUID, *, sure: bool = False) -> Team:
        """Retire a team for good (`sure`: the admin ticked that they are)."""
        self._admin(identity)
        session = self.session
        team = await self.managed(identity, team_id, lock=True)
        if team.retired_at is not None:
            raise Refused(RETIRED)
        if not sure:
            raise Refused(CONFIRM_RETIRE)
        under = await session.scalar(
            select(func.count()).where(Team.parent_id == team.id, Team.retired_at.is_(None))
        )
        if under:
            raise Refused(
                N_("%(name)s still has %(num)s teams under it. Retire or move them first."),
                name=team.name, num=under,
            )  # fmt: skip
        team.retired_at = clock.now()
        await record(
            session, identity.actor, "volunteer.team_retired", subject_type="volunteer_team",
            subject_id=team.id, subject_name=team.name,
            changes={"level": team.level},
        )  # fmt: skip
        return team

    async def candidates(self, identity: Identity, team_id: UUID, query: str) -> list[Person]:
        """Living people to add, by name, pinyin or phone tail (members need not be party
        members), leaving out the team's members: anyone of the district for the admin,
        the people of their own data scope for a leader (a leader who is an ordinary
        member searches no one's roster: the admin adds their members)."""
        team = await self.managed(identity, team_id)
        condition = search_condition(query)
        if condition is None:
            return []
        members = select(TeamMember.person_id).where(*current(team.id))
        return list(
            await self.session.scalars(
                select(Person)
                .where(
                    condition,
                    people_in(identity.scope),
                    Person.deceased_on.is_(None),
                    Person.id.not_in(members),
                )
                .order_by(Person.sort_key)
                .limit(PICK_LIMIT)
            )
        )

    async def add_member(self, identity: Identity, team_id: UUID, data: Mapping[str, str]) -> str:
        """Add a person to the team (the admin may name them leader). Returns their name."""
        session = self.session
        team = await self.managed(identity, team_id, lock=True)
        if team.retired_at is not None:
            raise Refused(RETIRED)
        values = parse_member_form(data)
        if values.role == MemberRole.LEADER and Role.TENANT_ADMIN not in identity.roles:
            raise Refused(N_("Only the district administrator names team leaders."))
        person = await session.scalar(
            select(Person).where(Person.id == values.person_id, people_in(identity.scope))
        )
        if person is None or person.deceased_on is not None:
            raise Refused(N_("Please choose a person from the list."))
        key = {"tenant_id": team.tenant_id, "team_id": team.id, "person_id": person.id}
        member = await session.get(TeamMember, key)
        if member is not None and member.left_on is None:
            raise Refused(N_("%(name)s is already in this team."), name=person.name)
        if member is None:
            member = TeamMember(**key)
            session.add(member)
        member.role, member.joined_on, member.left_on = values.role, values.joined_on, None
        await record(
            session, identity.actor, "volunteer.member_added", subject_type="volunteer_team",
            subject_id=team.id, subject_name=team.name,
            changes={"name": person.name, "role": values.role,
                     "joined_on": values.joined_on.isoformat()},
        )  # fmt: skip
        return person.name

    async def leave(self, identity: Identity, team_id: UUID, person_id: UUID) -> str:
        """The person leaves the team today (their hours stay). A leader cannot take
        out a leader; the admin can."""
        session = self.session
        team = await self.managed(identity, team_id, lock=True)
        member = await session.scalar(
            select(TeamMember).where(TeamMember.person_id == person_id, *current(team.id))
        )
        if member is None:
            raise NotFound()
        if member.role == MemberRole.LEADER and Role.TENANT_ADMIN not in identity.roles:
            raise Refused(N_("Only the district administrator can take out a team leader."))
        name = await session.scalar(select(Person.name).where(Person.id == person_id)) or ""
        member.left_on = clock.today()
        await record(
            session, identity.actor, "volunteer.member_left", subject_type="volunteer_team",
            subject_id=team.id, subject_name=team.name, changes={"name": name},
        )  # fmt: skip
        return name


def level_words(team: Team) -> str:
    return LEVEL_LABELS[Level(team.level)]
