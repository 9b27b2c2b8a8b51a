"""What the request pages read: the lists (assigned to me, waiting at my level, all
open), one request with its history, the person picker, a member's own requests, and
the dashboard counts.

Levels are read from the clock (due time and now), so a breach shows at once, before
the escalation job has recorded it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, exists, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core import clock
from app.core.identity import Identity
from app.grid.models import Grid
from app.i18n import N_, _
from app.people.account_links import admins_to_ask
from app.people.models import OrgUnit, Person
from app.people.pinyin import looks_like_pinyin, normalise_query
from app.people.scope import people_in
from app.service_requests.models import (
    OPEN_STATUSES,
    EscalationLevel,
    Holder,
    RequestCategory,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
)
from app.service_requests.queries import (
    CallBack,
    RequestRow,
    RowsQuery,
    asked_to_call_back,
    call_back,
    chain,
    due_filter,
    due_soon,
    grid_workers,
    is_admin,
    leads,
    load_request,
    loggable,
    loggable_person,
    may_have_escalated,
    overdue_first,
    request_rows,
    rows_query,
    visible,
)
from app.service_requests.requests.service import allowed_steps, poor_answer
from app.service_requests.words import level_label

PICK_LIMIT = 20
LIST_LIMIT = 300
HOME_LIMIT = 10
"""A member's unfinished requests on their home page."""

# A request's status as the person it is for would say it. With the name of who has
# it where there is one: "已安排王师傅办理" tells a member more than "已分派".
STATUS_WORDS: dict[str, str] = {
    RequestStatus.NEW: N_("Received; someone is being found to take care of it"),
    RequestStatus.RESOLVED: N_("Done. Please confirm whether it is fixed"),
    RequestStatus.REOPENED: N_("Being taken care of again"),
}
STATUS_WORDS_WITH_NAME: dict[str, str] = {
    RequestStatus.ASSIGNED: N_("%(name)s will take care of it"),
    RequestStatus.IN_PROGRESS: N_("%(name)s is taking care of it"),
    RequestStatus.REOPENED: N_("%(name)s is taking care of it again"),
}
BEING_HANDLED = N_("Being taken care of")


@dataclass(frozen=True)
class OwnRequest:
    """A request as the person it is for sees it (their home page, their requests)."""

    id: UUID
    category: str
    description: str
    status: str
    assignee: str | None
    created_at: datetime

    @property
    def status_words(self) -> str:
        """Translated when read, so read it while rendering."""
        if self.assignee and self.status in STATUS_WORDS_WITH_NAME:
            return _(STATUS_WORDS_WITH_NAME[self.status], name=self.assignee)
        return _(STATUS_WORDS.get(self.status, BEING_HANDLED))

    @property
    def waits_for_member(self) -> bool:
        return self.status == RequestStatus.RESOLVED


@dataclass(frozen=True)
class Detail:
    row: RequestRow
    person: Person
    category: RequestCategory
    grid_name: str | None
    created_by_name: str | None
    events: list[RequestEvent]
    levels: list[EscalationLevel]
    allowed: frozenset[str]
    """The steps this user may take now."""
    workers: list[tuple[UUID, str]]
    """Grid workers the request may be assigned to (when this user may assign)."""
    call_back: CallBack | None
    """Once resolved: who asks the person whether it is fixed and how satisfied."""
    poor_answer: CallBack | None
    """With the form for the answer: who calls back after a satisfaction of 1 or 2."""


@dataclass
class Lists:
    mine: list[RequestRow] = field(default_factory=list)
    """Requests assigned to this user, not yet confirmed."""
    waiting: list[RequestRow] = field(default_factory=list)
    """Open requests escalated to this user's level."""
    waiting_from: int | None = None
    """The level from which requests wait for this user (None: no level is theirs)."""
    waiting_label: str = ""
    """That level by the district's name for it."""
    to_call_back: list[RequestRow] = field(default_factory=list)
    """Resolved requests whose person's answer this user may record (not their own work)."""
    listed: list[RequestRow] = field(default_factory=list)
    """Every request this user sees, by the filters (those not yet confirmed when none)."""


@dataclass(frozen=True)
class OwnRequests:
    """A member's own requests, the unfinished first, each worded as on their home page;
    while the account is linked to no person, whom to ask to link it."""

    linked: bool
    unfinished: list[OwnRequest]
    finished: list[OwnRequest]
    admins: list[str]


@dataclass(frozen=True)
class RequestCounts:
    """For the dashboard tile."""

    open: int
    overdue: int
    waiting: int
    """Assigned to me, or escalated to my level."""
    near: int = 0
    """Open, with less than NEAR_HOURS (app.service_requests.queries) left."""


def names_of(levels: list[EscalationLevel]) -> dict[int, str]:
    return {level.level: level.name for level in levels}


def holder_level(levels: list[EscalationLevel], holder: Holder, default: int) -> int:
    """The first level the chain gives to `holder` (unit leaders, the admin)."""
    return next((level.level for level in levels if level.holder == holder), default)


class RequestViews:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the person and category pickers -------------------------------------------

    async def person_for(self, identity: Identity, person_id: UUID) -> Person:
        return await loggable_person(self.session, identity, person_id)

    async def pick(self, identity: Identity, query: str) -> list[tuple[Person, str]]:
        """Living people to log a request for, by name or pinyin."""
        text = normalise_query(query)
        if not text:
            return []
        found = (
            select(Person, OrgUnit.name)
            .outerjoin(
                OrgUnit,
                and_(OrgUnit.tenant_id == Person.tenant_id, OrgUnit.id == Person.branch_id),
            )
            .where(loggable(identity), Person.deceased_on.is_(None))
        )
        if looks_like_pinyin(text):
            found = found.where(Person.search_keys.like(f"%{text}%"))
        else:
            found = found.where(Person.name.contains(query.strip(), autoescape=True))
        rows = await self.session.execute(found.order_by(Person.sort_key).limit(PICK_LIMIT))
        return [(person, branch or "") for person, branch in rows]

    async def level_names(self) -> dict[int, str]:
        """The district's names of its escalation levels."""
        return names_of(await chain(self.session))

    async def categories(self, *, retired: bool = False) -> list[RequestCategory]:
        """The categories in the district's order (live ones only, unless `retired`)."""
        query = select(RequestCategory).order_by(
            RequestCategory.retired_at.is_not(None), RequestCategory.position
        )
        if not retired:
            query = query.where(RequestCategory.retired_at.is_(None))
        return list(await self.session.scalars(query))

    # --- one request ---------------------------------------------------------------

    async def detail(self, identity: Identity, request_id: UUID) -> Detail:
        session = self.session
        request, person, access = await load_request(session, identity, request_id, lock=False)
        levels = await chain(session)
        rows = await request_rows(
            session, rows_query(ServiceRequest.id == request.id), levels, clock.now()
        )
        category = await session.get(
            RequestCategory, {"tenant_id": request.tenant_id, "id": request.category_id}
        )
        assert category is not None  # foreign key
        grid_name = None
        if request.grid_id:
            grid_name = await session.scalar(select(Grid.name).where(Grid.id == request.grid_id))
        events = await session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request.id)
            .order_by(RequestEvent.at, RequestEvent.id)
        )
        allowed = allowed_steps(request, access)
        creator = await session.scalar(select(User.name).where(User.id == request.created_by))
        asked = poor = None
        if request.status == RequestStatus.RESOLVED:
            asked = await self._asked(request, person, levels)
        if "confirm" in allowed:
            poor = await poor_answer(session, request, person, levels, clock.now())
        return Detail(
            row=rows[0], person=person, category=category, grid_name=grid_name,
            created_by_name=creator, events=list(events), levels=levels, allowed=allowed,
            workers=await grid_workers(session) if "assign" in allowed else [],
            call_back=asked, poor_answer=poor,
        )  # fmt: skip

    async def _asked(
        self, request: ServiceRequest, person: Person, levels: list[EscalationLevel]
    ) -> CallBack:
        """Who was asked at resolution to call the person back; when nobody could be
        (an empty chain), the level whose holders should."""
        names = list(
            await self.session.scalars(
                select(User.name).where(User.id.in_(request.callback_by)).order_by(User.name)
            )
        )
        if names:
            return CallBack(0, names, frozenset(request.callback_by))
        return await call_back(self.session, request, person, levels)

    # --- lists ---------------------------------------------------------------------

    async def lists(
        self,
        identity: Identity,
        status: str | None = None,
        category_id: UUID | None = None,
        limit: int | None = LIST_LIMIT,
        due: str | None = None,
    ) -> Lists:
        """Overdue first everywhere. Without a status filter: every request not yet
        confirmed (a resolved one waits for the person's answer). `due`: only the open
        ones overdue, or due within NEAR_HOURS (due_filter)."""
        session, now, found = self.session, clock.now(), Lists()
        levels = await chain(session)
        not_done = ServiceRequest.status != RequestStatus.CONFIRMED
        found.mine = await request_rows(
            session,
            rows_query(not_done, ServiceRequest.assignee_id == identity.user_id),
            levels,
            now,
        )
        found.waiting_from, condition = waiting(identity, levels)
        if found.waiting_from is not None:
            found.waiting_label = level_label(found.waiting_from, names_of(levels))
            candidates = await request_rows(
                session, rows_query(may_have_escalated(now), condition), levels, now
            )
            found.waiting = [row for row in candidates if row.clock.level >= found.waiting_from]
        found.to_call_back = await request_rows(
            session,
            rows_query(asked_to_call_back(identity))
            .order_by(ServiceRequest.resolved_at)
            .limit(LIST_LIMIT),
            levels,
            now,
        )
        filters = [visible(identity)]
        filters.append(
            ServiceRequest.status == status if status in set(RequestStatus) else not_done
        )
        if category_id is not None:
            filters.append(ServiceRequest.category_id == category_id)
        if (by_deadline := due_filter(due, now)) is not None:
            filters.append(by_deadline)
        query = rows_query(*filters).order_by(ServiceRequest.due_at).limit(limit)
        found.listed = await request_rows(session, query, levels, now)
        found.mine = overdue_first(found.mine)
        found.waiting = overdue_first(found.waiting)
        found.listed = overdue_first(found.listed)
        return found

    async def own(self, identity: Identity) -> OwnRequests:
        """The requests logged for the member themself (not those of people they may see
        as a party group's leader): the unfinished, then the finished, newest first."""
        linked = bool(
            await self.session.scalar(select(exists().where(Person.user_id == identity.user_id)))
        )
        found = await self._own(
            own_query(identity)
            .order_by(
                ServiceRequest.status == RequestStatus.CONFIRMED, ServiceRequest.created_at.desc()
            )
            .limit(LIST_LIMIT)
        )
        admins = [] if linked else await admins_to_ask(self.session, identity.user_id)
        return OwnRequests(
            linked,
            [r for r in found if r.status != RequestStatus.CONFIRMED],
            [r for r in found if r.status == RequestStatus.CONFIRMED],
            admins,
        )

    async def own_unfinished(self, identity: Identity, limit: int = HOME_LIMIT) -> list[OwnRequest]:
        """The member's own requests not yet confirmed, newest first (their home page)."""
        unfinished = own_query(identity, ServiceRequest.status != RequestStatus.CONFIRMED)
        return await self._own(unfinished.order_by(ServiceRequest.created_at.desc()).limit(limit))

    async def _own(self, query: RowsQuery) -> list[OwnRequest]:
        return [
            OwnRequest(r.id, category, r.description, r.status, assignee, r.created_at)
            for r, _person, _phone, category, assignee in await self.session.execute(query)
        ]

    async def dashboard_counts(self, identity: Identity) -> RequestCounts:
        """Open and overdue requests this user sees, and how many wait for them: counted
        in SQL, except the escalated ones, whose level the clock gives (read only for
        requests that may have left the first level). It runs on every due list."""
        session, now = self.session, clock.now()
        counted = rows_query(
            ServiceRequest.status.in_(OPEN_STATUSES), visible(identity)
        ).with_only_columns(
            func.count(),
            func.count().filter(ServiceRequest.due_at < now),
            func.count().filter(due_soon(now)),
        )
        open_count, overdue, near = (await session.execute(counted)).one()
        mine = select(ServiceRequest.id).where(
            ServiceRequest.status != RequestStatus.CONFIRMED,
            ServiceRequest.assignee_id == identity.user_id,
        )
        calls = select(ServiceRequest.id).where(asked_to_call_back(identity))
        waiting_ids = set(await session.scalars(mine.union(calls)))
        levels = await chain(session)
        waiting_from, condition = waiting(identity, levels)
        if waiting_from is not None:
            late = await request_rows(
                session, rows_query(may_have_escalated(now), condition), levels, now
            )
            waiting_ids |= {row.request.id for row in late if row.clock.level >= waiting_from}
        return RequestCounts(open=open_count, overdue=overdue, waiting=len(waiting_ids), near=near)


def own_query(identity: Identity, *where: ColumnElement[bool]) -> RowsQuery:
    """Requests logged for the person this account is."""
    return rows_query(Person.user_id == identity.user_id, *where)


def waiting(
    identity: Identity, levels: list[EscalationLevel]
) -> tuple[int | None, ColumnElement[bool]]:
    """From which level requests wait for this user, and among whose people: the
    admin's level for everyone, the unit leaders' level for the people they lead."""
    if is_admin(identity):
        return holder_level(levels, Holder.ADMIN, 3), true()
    if identity.scope.units:
        return holder_level(levels, Holder.UNIT_LEADER, 2), people_in(leads(identity.scope))
    return None, false()
