"""The district's volunteering figures as the sources quote them — teams, registered
volunteers, activities, hours, good deeds, beneficiaries — for a year, per team
(each with the teams under it) and per level; and a person's hours per year.

Built for a district of 40,000 people and 20,000 activities a year (bench/volunteering.py,
under 200 ms): four small statements — the teams; a year's live activities by team,
with their hours (each activity keeps its participants' sum), an index-only scan of
`ix_volunteer_activities_live` (20261216) rather than 100,000 hours rows; members
rolled up the tree in SQL (a person in two teams of one station counts once for it);
the years that have activities. Hours and activities add up, so they are rolled up the
tree here, by `path`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import and_, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.volunteering.models import Activity, Level, Participation, Team, TeamMember
from app.volunteering.teams.service import tree_order


@dataclass
class Figures:
    """What the sources quote, for the district, a level or a team with those under it."""

    teams: int = 0
    volunteers: int = 0
    """Registered volunteers: people in the team(s) now."""
    activities: int = 0
    hours: Decimal = Decimal(0)
    good_deeds: int = 0
    beneficiaries: int = 0

    def add(self, other: Figures) -> None:
        self.activities += other.activities
        self.hours += other.hours
        self.good_deeds += other.good_deeds
        self.beneficiaries += other.beneficiaries


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    depth: int
    figures: Figures
    """The team's own and those of every team under it."""


@dataclass
class DistrictFigures:
    year: int
    years: list[int]
    """Years that have activities (and this one), newest first, for the picker."""
    district: Figures
    levels: dict[Level, Figures] = field(default_factory=dict)
    """By the level of the team that recorded (its own activities only)."""
    teams: list[TeamFigures] = field(default_factory=list)


@dataclass(frozen=True)
class PersonYear:
    year: int
    hours: Decimal
    activities: int


async def district_figures(session: AsyncSession, year: int, this_year: int) -> DistrictFigures:
    start, end = date(year, 1, 1), date(year, 12, 31)
    teams = list(await session.scalars(select(Team)))
    own: dict[UUID, Figures] = {team.id: Figures() for team in teams}
    for team_id, count, hours, deeds, served in await session.execute(
        select(Activity.team_id, func.count(), func.sum(Activity.hours),
               func.sum(Activity.good_deeds), func.sum(Activity.beneficiaries))
        .where(Activity.held_on.between(start, end), Activity.cancelled_at.is_(None))
        .group_by(Activity.team_id)
    ):  # fmt: skip
        own[team_id] = Figures(activities=count, hours=hours, good_deeds=deeds,
                               beneficiaries=served)  # fmt: skip
    # Members per team with those under it, counted once each (NULL: the district).
    in_tree = (
        select(func.unnest(Team.path).label("team_id"), TeamMember.person_id)
        .join(Team, and_(Team.tenant_id == TeamMember.tenant_id, Team.id == TeamMember.team_id))
        .where(TeamMember.left_on.is_(None), Team.retired_at.is_(None))
        .subquery()
    )
    volunteers: dict[UUID | None, int] = dict(
        (await session.execute(
            select(in_tree.c.team_id, func.count(in_tree.c.person_id.distinct()))
            .group_by(text("grouping sets ((team_id), ())"))
        )).all()
    )  # fmt: skip
    first, last = (
        await session.execute(select(func.min(Activity.held_on), func.max(Activity.held_on)))
    ).one()
    years = sorted(
        {this_year, year} | set(range(first.year, last.year + 1) if first and last else ()),
        reverse=True,
    )
    live = [team for team in teams if team.retired_at is None]
    result = DistrictFigures(
        year, years, Figures(teams=len(live), volunteers=volunteers.get(None, 0)),
        {level: Figures() for level in Level},
    )  # fmt: skip
    rolled = {team.id: Figures(volunteers=volunteers.get(team.id, 0)) for team in teams}
    for team in teams:
        figures = own[team.id]
        result.district.add(figures)
        result.levels[Level(team.level)].add(figures)
        for above in team.path:
            if above in rolled:
                rolled[above].add(figures)
                rolled[above].teams += 1
    for team in live:
        result.levels[Level(team.level)].teams += 1
    shown = [t for t in teams if t.retired_at is None or rolled[t.id].activities]
    result.teams = [TeamFigures(t, depth, rolled[t.id]) for t, depth in tree_order(shown)]
    return result


async def person_years(session: AsyncSession, person_id: UUID) -> list[PersonYear]:
    """A person's hours and activities per year, newest first (one index range)."""
    year = func.extract("year", Participation.held_on)
    rows = await session.execute(
        select(year, func.sum(Participation.hours), func.count())
        .where(Participation.person_id == person_id)
        .group_by(year)
        .order_by(year.desc())
    )
    return [PersonYear(int(y), hours, count) for y, hours, count in rows]
