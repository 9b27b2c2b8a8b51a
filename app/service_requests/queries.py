"""Who sees which requests, who may act on them, and requests as the pages list them.

A request is seen by the district admin, by whoever's data scope holds its person
(the unit leaders above them, the grid workers of their grid), by its assignee, and
by the person themself when their account is linked. Anyone else asking gets "not
found", as another district would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User, UserRole
from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.roles import Role
from app.core.scope import Scope
from app.grid.models import Grid, GridAssignment, GridWorker
from app.grid.scope import served_by
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.service_requests import sla
from app.service_requests.models import (
    OPEN_STATUSES,
    EscalationLevel,
    Holder,
    RequestCategory,
    RequestStatus,
    ServiceRequest,
)
from app.service_requests.words import level_label

STOPPED = (RequestStatus.RESOLVED, RequestStatus.CONFIRMED)
"""The clock stops at resolution; these are judged by resolved_at."""


def is_admin(identity: Identity) -> bool:
    return Role.TENANT_ADMIN in identity.roles


def leads(scope: Scope) -> Scope:
    """The part of a scope that comes from leading units (not from working grids)."""
    return Scope(units=scope.units)


def visible(identity: Identity) -> ColumnElement[bool]:
    """Requests this user may see (to be joined with their Person)."""
    scope = identity.scope
    if is_admin(identity):
        return true()
    conditions = [
        ServiceRequest.assignee_id == identity.user_id,
        Person.user_id == identity.user_id,
    ]
    if not scope.empty:
        conditions.append(served_by(scope))
    return or_(*conditions)


async def holds(session: AsyncSession, scope: Scope, person_id: UUID) -> bool:
    """Whether the scope holds this person."""
    if scope.everyone:
        return True
    if scope.empty:
        return False
    return bool(
        await session.scalar(select(exists().where(Person.id == person_id, served_by(scope))))
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
    session: AsyncSession, identity: Identity, request: ServiceRequest, person: Person
) -> Access:
    admin, scope = is_admin(identity), identity.scope
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
    did_the_work = identity.user_id in (request.assignee_id, request.resolved_by)
    confirm = admin or person.user_id == identity.user_id or (act and staff and not did_the_work)
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

    @property
    def level_label(self) -> str:
        """The level the clock gives, by the district's name for it."""
        return level_label(self.clock.level, {self.clock.level: self.level_name})


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


NEAR_HOURS = 24
"""A request whose deadline is this close is "due soon" (home pages, the list's filter)."""
DUE_FILTERS = {"overdue": N_("Overdue"), "soon": N_("Due within 24 hours")}


def due_soon(now: datetime) -> ColumnElement[bool]:
    """Open requests within NEAR_HOURS of their deadline, not past it."""
    return and_(
        ServiceRequest.status.in_(OPEN_STATUSES),
        ServiceRequest.due_at >= now,
        ServiceRequest.due_at < now + timedelta(hours=NEAR_HOURS),
    )


def due_filter(due: str | None, now: datetime) -> ColumnElement[bool] | None:
    """Open requests past their deadline ("overdue") or due soon ("soon"); None for
    any other value."""
    if due == "overdue":
        return and_(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.due_at < now)
    return due_soon(now) if due == "soon" else None


def loggable(identity: Identity) -> ColumnElement[bool]:
    """People this user may log a request for: the admin everyone, others their scope."""
    if is_admin(identity):
        return true()
    scope = identity.scope
    return false() if scope.empty else served_by(scope)


async def loggable_person(session: AsyncSession, identity: Identity, person_id: UUID) -> Person:
    """A person this user may log a request for, or NotFound."""
    person = await session.scalar(select(Person).where(Person.id == person_id, loggable(identity)))
    if person is None:
        raise NotFound()
    return person


async def load_request(
    session: AsyncSession, identity: Identity, request_id: UUID, *, lock: bool
) -> tuple[ServiceRequest, Person, Access]:
    """The request if this user sees it (else NotFound), row-locked for a step."""
    query = (
        select(ServiceRequest, Person)
        .join(
            Person,
            and_(
                Person.tenant_id == ServiceRequest.tenant_id, Person.id == ServiceRequest.person_id
            ),
        )
        .where(ServiceRequest.id == request_id, visible(identity))
    )
    if lock:
        query = query.with_for_update(of=ServiceRequest)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound()
    request, person = row
    return request, person, await access_to(session, identity, request, person)


async def grid_workers(session: AsyncSession) -> list[tuple[UUID, str]]:
    """Active accounts with the grid worker role: whom a request may be assigned to."""
    found = await session.execute(
        select(User.id, User.name)
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.GRID_WORKER, User.is_active)
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in found]


STAFF = frozenset({Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER})


@dataclass(frozen=True)
class CallBack:
    """Who asks the person, once a request is resolved, whether it is fixed and how
    satisfied (回访): never the assignee, who would be scoring their own work."""

    level: int
    """The chain level whose holders make the call."""
    names: list[str]
    user_ids: frozenset[UUID]


async def call_back(
    session: AsyncSession,
    request: ServiceRequest,
    person: Person,
    levels: Sequence[EscalationLevel],
    first: int | None = None,
) -> CallBack:
    """From `first` (by default, after a poor answer, the level the request was reopened
    for; otherwise the grid workers of the person's grid) the first level that has
    someone for this person: the leaders of the person's units, then the district admin.
    Never the assignee nor whoever resolved it; only staff accounts (a member who leads a
    party group is not asked), all of whom may record the answer (access_to gives them
    `confirm`). Decided at resolution and kept in `callback_by`; after a poor answer it
    also decides the level the request is reopened for, so no page promises a level
    nobody holds."""
    first = first or request.callback_level or 1
    did_the_work = {request.assignee_id, request.resolved_by}
    for level in (level for level in levels if level.level >= first):
        found = [
            (user_id, name)
            for user_id, name in await _holders(session, level.holder, person)
            if user_id not in did_the_work
        ]
        if found:
            return CallBack(level.level, [n for _u, n in found], frozenset(u for u, _n in found))
    return CallBack(levels[-1].level if levels else first, [], frozenset())


async def first_holders(
    session: AsyncSession, person: Person, levels: Sequence[EscalationLevel], first: int
) -> tuple[int, frozenset[UUID]]:
    """From level `first` on, the first level that has someone for this person, and
    who: a request that reaches a level nobody holds for them (a district without
    sub-center heads) is held by the next one up, which must hear of it."""
    for level in (level for level in levels if level.level >= first):
        found = await _holders(session, level.holder, person)
        if found:
            return level.level, frozenset(user_id for user_id, _name in found)
    return first, frozenset()


def asked_to_call_back(identity: Identity) -> ColumnElement[bool]:
    """Resolved requests this user was asked to call back (by the GIN index on
    `callback_by`)."""
    return and_(
        ServiceRequest.status == RequestStatus.RESOLVED,
        ServiceRequest.callback_by.contains([identity.user_id]),
    )


def may_have_escalated(now: datetime) -> ColumnElement[bool]:
    """Open requests whose clock may stand above the first level: past their due time,
    or reopened for a call-back at a higher level. Others are at level 1 for sure, so
    lists of escalated requests read only these."""
    return and_(
        ServiceRequest.status.in_(OPEN_STATUSES),
        or_(ServiceRequest.due_at < now, ServiceRequest.callback_level.is_not(None)),
    )


async def _holders(session: AsyncSession, holder: str, person: Person) -> list[tuple[UUID, str]]:
    """Active staff accounts holding `holder`'s part for this person, by name."""
    staff = select(UserRole.user_id).where(UserRole.role.in_(sorted(STAFF)))
    query = select(User.id, User.name).where(User.is_active, User.id.in_(staff))
    if holder == Holder.ASSIGNEE:  # level 1 at a call-back: the person's grid workers
        grid = select(GridAssignment.grid_id).where(
            GridAssignment.person_id == person.id, GridAssignment.ends_at.is_(None)
        )
        live = select(Grid.id).where(Grid.id.in_(grid), Grid.retired_at.is_(None))
        query = query.where(
            User.id.in_(select(GridWorker.user_id).where(GridWorker.grid_id.in_(live)))
        )
    elif holder == Holder.UNIT_LEADER:  # leaders of the units above the person
        units = [unit for unit in (person.branch_id, person.group_id) if unit is not None]
        paths = select(func.unnest(OrgUnit.path)).where(OrgUnit.id.in_(units))
        leaders = select(Person.user_id).where(
            Person.id.in_(
                select(OrgUnit.leader_person_id).where(
                    OrgUnit.id.in_(paths), OrgUnit.retired_at.is_(None)
                )
            )
        )
        query = query.where(User.id.in_(leaders))
    else:
        admins = select(UserRole.user_id).where(UserRole.role == Role.TENANT_ADMIN)
        query = query.where(User.id.in_(admins))
    return [(user_id, name) for user_id, name in await session.execute(query.order_by(User.name))]
