"""What a visit tells others: a visit marked "needs a follow-up" tells whoever leads
the person's branch and party group (else the district's administrators), so the
worry a grid worker saw at the door does not stay in the visit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import UserRole
from app.core.roles import Role
from app.grid.models import Visit
from app.notifications.kinds import Kind
from app.notifications.outbox import Notice, notify
from app.people.models import OrgUnit, Person


async def tell_follow_up(session: AsyncSession, visit: Visit, person: Person) -> None:
    units = [unit for unit in (person.branch_id, person.group_id) if unit]
    leaders = list(
        await session.scalars(
            select(Person.user_id)
            .join(OrgUnit, OrgUnit.leader_person_id == Person.id)
            .where(OrgUnit.id.in_(units), Person.user_id.is_not(None))
        )
    )
    if not leaders:
        leaders = list(
            await session.scalars(
                select(UserRole.user_id).where(UserRole.role == Role.TENANT_ADMIN)
            )
        )
    await notify(
        session,
        [leader for leader in leaders if leader],
        Notice(
            Kind.VISIT_FOLLOW_UP,
            f"follow-up:{visit.id}",
            f"{person.name}需要跟进",
            f"{visit.visitor_name}在{visit.visited_on:%m月%d日}走访了{person.name}，"
            "认为需要跟进，请安排。",
            f"/grid/visits/{visit.id}",
        ),
    )
