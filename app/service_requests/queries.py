"""Who sees which requests, who may act on them, and requests as the pages list them.

A request is seen by the district admin, by whoever's data scope holds its person
(the unit leaders above them, the grid workers of their grid), by its assignee, and
by the person themself when their account is linked. Anyone else asking gets "not
found", as another district would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import Role, User, UserRole
from app.errors import NotFound
from app.people.models import Person
from app.people.scope import Scope, scope_of
from app.service_requests import sla
from app.service_requests.models import (
    EscalationLevel,
    RequestCategory,
    RequestStatus,
    ServiceRequest,
)
from app.web.identity import Identity

STOPPED = (RequestStatus.RESOLVED, RequestStatus.CONFIRMED)
"""The clock stops at resolution; these are judged by resolved_at."""


def is_admin(identity: Identity) -> bool:
    return Role.TENANT_ADMIN in identity.roles


def leads(scope: Scope) -> Scope:
    """The part of a scope that comes from leading units (not from working grids)."""
    return Scope(units=scope.units)


def visible(identity: Identity, scope: Scope) -> ColumnElement[bool]:
    """Requests this user may see (to be joined with their Person)."""
    if is_admin(identity):
        return true()
    conditions = [
        ServiceRequest.assignee_id == identity.user_id,
        Person.user_id == identity.user_id,
    ]
    if not scope.empty:
        conditions.append(scope.served())
    return or_(*conditions)


async def holds(session: AsyncSession, scope: Scope, person_id: UUID) -> bool:
    """Whether the scope holds this person."""
    if scope.everyone:
        return True
    if scope.empty:
        return False
    return bool(
        await session.scalar(select(exists().where(Person.id == person_id, scope.served())))
    )


@dataclass(frozen=True)
class Access:
    """What this user may do to one request, whatever its status."""

    act: bool
    """Start and resolve: the assignee, the admin, whoever's scope holds the person."""
    assign: bool
    """Assign and reassign: the admin and the unit leaders above the person."""
    confirm: bool
    """Record satisfaction or that it is not fixed: those who act, and the person."""


async def access_to(
    session: AsyncSession, identity: Identity, scope: Scope, request: ServiceRequest, person: Person
) -> Access:
    admin = is_admin(identity)
    act = (
        admin
        or request.assignee_id == identity.user_id
        or await holds(session, scope, request.person_id)
    )
    assign = admin or await holds(session, leads(scope), request.person_id)
    # The satisfaction is the person's word: they give it themselves, or staff who did
    # not do the work ask them (a hotline's call-back) — never the assignee, and never
    # a member who merely leads the person's party group.
    staff = bool(identity.roles & {Role.BRANCH_SECRETARY, Role.GRID_WORKER})
    confirm = (
        admin
        or person.user_id == identity.user_id
        or (act and staff and request.assignee_id != identity.user_id)
    )
    return Access(act=act, assign=assign, confirm=confirm)


async def chain(session: AsyncSession) -> list[EscalationLevel]:
    """The district's escalation levels, in order."""
    return list(await session.scalars(select(EscalationLevel).order_by(EscalationLevel.level)))


def reading(
    request: ServiceRequest, levels: Sequence[EscalationLevel], now: datetime
) -> sla.Reading:
    """The clock of a request: for an open one now, for a resolved one at resolution.
    The level shown is never below the one recorded (a call-back starts higher)."""
    resolved_at = request.resolved_at if request.status in STOPPED else None
    read = sla.read(
        request.due_at, levels, now, start=request.callback_level or 1, resolved_at=resolved_at
    )
    if request.level > read.level:
        return sla.Reading(
            request.level, read.overdue, read.left,
            sla.deadline_of(request.due_at, levels, request.level, request.callback_level or 1),
            read.stopped,
        )  # fmt: skip
    return read


@dataclass(frozen=True)
class RequestRow:
    """A request as the lists show it."""

    request: ServiceRequest
    person_name: str
    person_phone: str | None
    category_name: str
    assignee_name: str | None
    clock: sla.Reading
    level_name: str

    @property
    def open(self) -> bool:
        return self.request.status not in STOPPED


Assignee = aliased(User)
RowsQuery = Select[ServiceRequest, str, str | None, str, str]


def rows_query(*where: Any) -> RowsQuery:
    return (
        select(ServiceRequest, Person.name, Person.phone, RequestCategory.name, Assignee.name)
        .join(
            Person,
            and_(
                Person.tenant_id == ServiceRequest.tenant_id, Person.id == ServiceRequest.person_id
            ),
        )
        .join(
            RequestCategory,
            and_(
                RequestCategory.tenant_id == ServiceRequest.tenant_id,
                RequestCategory.id == ServiceRequest.category_id,
            ),
        )
        .outerjoin(
            Assignee,
            and_(
                Assignee.tenant_id == ServiceRequest.tenant_id,
                Assignee.id == ServiceRequest.assignee_id,
            ),
        )
        .where(*where)
    )


async def request_rows(
    session: AsyncSession, query: RowsQuery, levels: Sequence[EscalationLevel], now: datetime
) -> list[RequestRow]:
    names = {level.level: level.name for level in levels}
    found = []
    for request, person, phone, category, assignee in await session.execute(query):
        clock = reading(request, levels, now)
        found.append(
            RequestRow(
                request, person, phone, category, assignee, clock, names.get(clock.level, "")
            )
        )
    return found


def overdue_first(rows: list[RequestRow]) -> list[RequestRow]:
    """Open and overdue first (longest overdue on top), then by due time."""
    return sorted(rows, key=lambda row: (not (row.open and row.clock.overdue), row.request.due_at))


async def loggable(session: AsyncSession, identity: Identity) -> ColumnElement[bool]:
    """People this user may log a request for: the admin everyone, others their scope."""
    if is_admin(identity):
        return true()
    scope = await scope_of(session, identity.user_id, identity.roles)
    return false() if scope.empty else scope.served()


async def loggable_person(session: AsyncSession, identity: Identity, person_id: UUID) -> Person:
    """A person this user may log a request for, or NotFound."""
    condition = await loggable(session, identity)
    person = await session.scalar(select(Person).where(Person.id == person_id, condition))
    if person is None:
        raise NotFound()
    return person


async def load_request(
    session: AsyncSession, identity: Identity, request_id: UUID, *, lock: bool
) -> tuple[ServiceRequest, Person, Access]:
    """The request if this user sees it (else NotFound), row-locked for a step."""
    scope = await scope_of(session, identity.user_id, identity.roles)
    query = (
        select(ServiceRequest, Person)
        .join(
            Person,
            and_(
                Person.tenant_id == ServiceRequest.tenant_id, Person.id == ServiceRequest.person_id
            ),
        )
        .where(ServiceRequest.id == request_id, visible(identity, scope))
    )
    if lock:
        query = query.with_for_update(of=ServiceRequest)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound()
    request, person = row
    return request, person, await access_to(session, identity, scope, request, person)


async def grid_workers(session: AsyncSession) -> list[tuple[UUID, str]]:
    """Active accounts with the grid worker role: whom a request may be assigned to."""
    found = await session.execute(
        select(User.id, User.name)
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.GRID_WORKER, User.is_active)
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in found]
