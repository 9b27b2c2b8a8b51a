"""The weekly summary (每周简报) for a district's administrators, Monday 08:00: last
week's visits, the people overdue now, last week's requests and how many of those
decided were resolved in time, and the claims waiting for a decision.

It reads several capabilities, so it lives with the dashboard, which does too; each
figure is one aggregate statement (the requests' compliance reuses the SLA report's
own reckoning, `compliance_between`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, distinct, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User, UserRole
from app.core.roles import Role
from app.dashboard.notices import weekly_summary
from app.grid import due
from app.grid.models import Visit, VisitDueItem, VisitRule
from app.notifications.outbox import notify
from app.people.models import Person
from app.points.models import Claim, ClaimStatus
from app.service_requests.compliance.service import compliance_between


@dataclass(frozen=True)
class WeeklyFigures:
    week_start: date
    """Monday of the week summed up."""
    visits: int
    overdue_people: int
    requests: int
    """Requests logged that week."""
    in_time: int | None
    """Percent of those decided (resolved, or past due) that were resolved in time."""
    claims_waiting: int


async def weekly_figures(session: AsyncSession, monday: date, now: datetime) -> WeeklyFigures:
    """The figures of the week before `monday`, and of now."""
    start = monday - timedelta(days=7)
    visits = await session.scalar(
        select(func.count()).where(Visit.visited_on >= start, Visit.visited_on < monday)
    )
    overdue = await session.scalar(
        select(func.count(distinct(VisitDueItem.person_id)))
        .join(Person, and_(Person.tenant_id == VisitDueItem.tenant_id,
                           Person.id == VisitDueItem.person_id))
        .join(VisitRule, and_(VisitRule.tenant_id == VisitDueItem.tenant_id,
                              VisitRule.id == VisitDueItem.rule_id))
        .where(Person.deceased_on.is_(None), VisitRule.enabled, due.on_the_list(now),
               due.overdue(now))
    )  # fmt: skip
    claims = await session.scalar(
        select(func.count()).select_from(Claim).where(Claim.status == ClaimStatus.PENDING)
    )
    requests = await compliance_between(session, "week", start, monday, true())
    return WeeklyFigures(
        week_start=start, visits=visits or 0, overdue_people=overdue or 0,
        requests=requests.total.count, in_time=requests.total.share, claims_waiting=claims or 0,
    )  # fmt: skip


async def district_admins(session: AsyncSession) -> list[UUID]:
    found = await session.scalars(
        select(User.id)
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.TENANT_ADMIN, User.is_active)
    )
    return list(found)


async def send_weekly_summary(session: AsyncSession, monday: date, now: datetime) -> int:
    """The district's administrators told last week's figures; returns how many were new."""
    admins = await district_admins(session)
    if not admins:
        return 0
    figures = await weekly_figures(session, monday, now)
    return await notify(session, admins, weekly_summary(figures))
