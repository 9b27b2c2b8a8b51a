"""Service requests (诉求): logging one for a person and moving it along its flow.

new → assigned → in progress → resolved → confirmed; a resolved request the person is
not happy with (satisfaction 1 or 2), or that is not fixed, is reopened and goes round
again. A satisfaction of 1 or 2 sends it to the next escalation level for a call-back,
as hotlines do. A step that skips the flow is refused and writes nothing; every step
writes an event. Transitions lock the request's row, so two people confirming at once
give one confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Identity
from app.core.roles import Role
from app.db.form_ids import FormUsed, hold_form_id
from app.db.tenant import require_tenant
from app.grid.models import Grid, GridAssignment, GridWorker
from app.i18n import N_, _
from app.notifications.outbox import notify
from app.people.models import Person
from app.service_requests import sla
from app.service_requests.models import (
    STATUS_LABELS,
    EscalationLevel,
    RequestCategory,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
)
from app.service_requests.notices import reopened_for_call_back
from app.service_requests.queries import (
    Access,
    CallBack,
    call_back,
    chain,
    grid_workers,
    load_request,
    loggable_person,
    reading,
)
from app.service_requests.requests.forms import Answer, RequestForm

FLOW: dict[str, tuple[RequestStatus, ...]] = {
    "assign": (
        RequestStatus.NEW,
        RequestStatus.ASSIGNED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.REOPENED,
    ),
    "start": (RequestStatus.ASSIGNED, RequestStatus.REOPENED),
    "resolve": (RequestStatus.IN_PROGRESS,),
    "confirm": (RequestStatus.RESOLVED,),
    "reopen": (RequestStatus.RESOLVED,),
}
"""The statuses each step may start from."""

ACTION_WORDS = {
    "assign": N_("assigned"),
    "start": N_("started"),
    "resolve": N_("resolved"),
    "confirm": N_("confirmed"),
    "reopen": N_("reopened"),
}

SKIPS_THE_FLOW = N_("This request is %(status)s; it cannot be %(action)s.")
ALREADY_CONFIRMED = N_("This request has already been confirmed.")
FORM_USED = N_(
    "This form was already used to log a different request, so nothing was logged. Check "
    "what you typed and send it again to log it as a new request."
)
UNKNOWN_CATEGORY = N_(
    "That request category is unknown or no longer used; please choose one from the list."
)


def permitted(request: ServiceRequest, access: Access) -> dict[str, bool]:
    """Who may take each step. Reopening ("still not fixed") is for whoever works the
    request or may confirm it; the satisfaction itself never comes from the assignee."""
    return {
        "assign": access.assign,
        "start": access.act and request.assignee_id is not None,
        "resolve": access.act,
        "confirm": access.confirm,
        "reopen": access.act or access.confirm,
    }


def poor_answer_level(
    request: ServiceRequest, levels: Sequence[EscalationLevel], now: datetime
) -> int:
    """The level a satisfaction of 1 or 2 asks to call back: the one above the level
    that held it when it was resolved (the last level keeps it). `poor_answer` skips
    from there the levels nobody holds for the person."""
    resolved_level = reading(request, levels, now).level
    last = levels[-1].level if levels else resolved_level
    return min(resolved_level + 1, last)


async def poor_answer(
    session: AsyncSession,
    request: ServiceRequest,
    person: Person,
    levels: Sequence[EscalationLevel],
    now: datetime,
) -> CallBack:
    """Who calls the person back after a satisfaction of 1 or 2, and at which level the
    request is reopened: by the rule of `call_back`, from the level above."""
    return await call_back(
        session, request, person, levels, poor_answer_level(request, levels, now)
    )


@dataclass(frozen=True)
class Answered:
    """The person's answer recorded: confirmed, or reopened with who will call back."""

    request: ServiceRequest
    call_back: CallBack | None
    """After a poor answer: who calls the person back (their level is the request's)."""


def allowed_steps(request: ServiceRequest, access: Access) -> frozenset[str]:
    return frozenset(
        step for step, ok in permitted(request, access).items()
        if ok and request.status in FLOW[step]
    )  # fmt: skip


def check_flow(request: ServiceRequest, step: str) -> None:
    """Refuse a step the request's status does not allow (before anything is written)."""
    if step == "confirm" and request.status == RequestStatus.CONFIRMED:
        raise Refused(ALREADY_CONFIRMED)
    if request.status not in FLOW[step]:
        raise Refused(
            SKIPS_THE_FLOW,
            status=_(STATUS_LABELS[RequestStatus(request.status)]),
            action=_(ACTION_WORDS[step]),
        )


class RequestService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- logging -------------------------------------------------------------------

    async def log(self, identity: Identity, form: RequestForm) -> ServiceRequest:
        """Log a request: due from the category's SLA, held by the grid worker who logs
        it, else by the first worker of the person's grid, else waiting to be assigned."""
        session = self.session
        person = await loggable_person(session, identity, form.person_id)
        if form.id is not None:
            await hold_form_id(session, "service_requests", form.id)
            sent = await session.get(ServiceRequest, {"tenant_id": require_tenant(), "id": form.id})
            if sent is not None:
                same = (identity.user_id, person.id, form.category_id, form.description)
                if same != (sent.created_by, sent.person_id, sent.category_id, sent.description):
                    raise FormUsed(FORM_USED)
                return sent  # the same form again: it was logged already
        category = await session.get(
            RequestCategory, {"tenant_id": require_tenant(), "id": form.category_id}
        )
        if category is None or category.retired_at is not None:
            raise Refused(UNKNOWN_CATEGORY)
        now = clock.now()
        grid_id = await session.scalar(
            select(GridAssignment.grid_id).where(
                GridAssignment.person_id == person.id, GridAssignment.ends_at.is_(None)
            )
        )
        assignee = await self._first_assignee(identity, grid_id)
        request = ServiceRequest(
            id=form.id or uuid4(), tenant_id=require_tenant(), person_id=person.id,
            category_id=category.id, description=form.description, grid_id=grid_id,
            created_at=now, created_by=identity.user_id, due_at=sla.due_at(category, now),
            level=1, assignee_id=assignee[0] if assignee else None,
            status=RequestStatus.ASSIGNED if assignee else RequestStatus.NEW,
        )  # fmt: skip
        session.add(request)
        await session.flush()
        self._event(request, identity, "logged", 1, form.description)
        if assignee:
            self._event(request, identity, "assigned", 1, assignee[1])
        await session.commit()
        return request

    async def _first_assignee(
        self, identity: Identity, grid_id: UUID | None
    ) -> tuple[UUID, str] | None:
        if Role.GRID_WORKER in identity.roles:
            return identity.user_id, identity.name
        if grid_id is None:
            return None
        found = await self.session.execute(
            select(User.id, User.name)
            .join(
                GridWorker,
                and_(GridWorker.tenant_id == User.tenant_id, GridWorker.user_id == User.id),
            )
            .join(Grid, and_(Grid.tenant_id == GridWorker.tenant_id, Grid.id == GridWorker.grid_id))
            .where(GridWorker.grid_id == grid_id, User.is_active, Grid.retired_at.is_(None))
            .order_by(GridWorker.since, User.name)
            .limit(1)
        )
        row = found.first()
        return (row[0], row[1]) if row else None

    # --- the steps -----------------------------------------------------------------

    def _event(
        self, request: ServiceRequest, identity: Identity, kind: str, level: int,
        note: str | None = None, satisfaction: int | None = None,
    ) -> None:  # fmt: skip
        self.session.add(
            RequestEvent(
                tenant_id=request.tenant_id, request_id=request.id, at=clock.now(),
                actor_id=identity.user_id, actor_name=identity.name, kind=kind,
                status=request.status, level=level, note=note, satisfaction=satisfaction,
            )
        )  # fmt: skip

    async def _begin(
        self, identity: Identity, request_id: UUID, step: str
    ) -> tuple[ServiceRequest, Person, list[EscalationLevel]]:
        request, person, access = await load_request(self.session, identity, request_id, lock=True)
        check_flow(request, step)  # the status says more than "not you" when both apply
        if not permitted(request, access)[step]:
            raise Refused(N_("You may not change this request."))
        return request, person, await chain(self.session)

    async def assign(self, identity: Identity, request_id: UUID, assignee_id: UUID | None) -> str:
        """Assign or reassign to a grid worker; returns their name."""
        request, _person, levels = await self._begin(identity, request_id, "assign")
        workers = dict(await grid_workers(self.session))
        if assignee_id not in workers:
            raise Refused(N_("Please choose a grid worker."))
        if assignee_id == request.assignee_id and request.status == RequestStatus.ASSIGNED:
            raise Refused(
                N_("This request is already assigned to %(name)s."), name=workers[assignee_id]
            )
        request.assignee_id = assignee_id
        request.status = RequestStatus.ASSIGNED
        level = reading(request, levels, clock.now()).level
        self._event(request, identity, "assigned", level, workers[assignee_id])
        await self.session.commit()
        return workers[assignee_id]

    async def start(self, identity: Identity, request_id: UUID) -> None:
        request, _person, levels = await self._begin(identity, request_id, "start")
        if request.assignee_id is None:
            raise Refused(N_("Please assign the request to a grid worker first."))
        request.status = RequestStatus.IN_PROGRESS
        level = reading(request, levels, clock.now()).level
        self._event(request, identity, "started", level)
        await self.session.commit()

    async def resolve(self, identity: Identity, request_id: UUID, note: str) -> CallBack:
        """Resolved (`note`: what was done): the clock stops, and the request waits for
        the person's word, which the returned call-back asks for."""
        request, person, levels = await self._begin(identity, request_id, "resolve")
        now = clock.now()
        request.status = RequestStatus.RESOLVED
        request.resolved_at = now
        request.resolution = note
        request.resolved_by = identity.user_id
        level = reading(request, levels, now).level
        self._event(request, identity, "resolved", level, note)
        asked = await call_back(self.session, request, person, levels)
        request.callback_by = sorted(asked.user_ids)
        await self.session.commit()
        return asked

    async def confirm(self, identity: Identity, request_id: UUID, answer: Answer) -> Answered:
        """Record the person's satisfaction. 3 to 5 confirms; 1 or 2 reopens the request,
        on a new due time, for a call-back by the first level above the one that resolved
        it that has someone for this person."""
        request, person, levels = await self._begin(identity, request_id, "confirm")
        now = clock.now()
        score = answer.satisfaction
        request.satisfaction = score
        asked = None
        if score >= 3:
            level = reading(request, levels, now).level
            request.status = RequestStatus.CONFIRMED
            request.confirmed_at = now
            self._event(request, identity, "confirmed", level, answer.note, score)
        else:
            asked = await poor_answer(self.session, request, person, levels, now)
            category = await self._reopen(request, now, asked.level)
            self._event(request, identity, "reopened", request.level, answer.note, score)
            notice = reopened_for_call_back(
                request.id, request.reopen_count, person.name, category.name, score
            )
            await notify(self.session, asked.user_ids - {identity.user_id}, notice)
        await self.session.commit()
        return Answered(request, asked)

    async def reopen(self, identity: Identity, request_id: UUID, note: str) -> None:
        """The person says it is not fixed (`note`: what is not): back to work on a new
        due time."""
        request, _person, _levels = await self._begin(identity, request_id, "reopen")
        await self._reopen(request, clock.now(), None)
        self._event(request, identity, "reopened", request.level, note)
        await self.session.commit()

    async def _reopen(
        self, request: ServiceRequest, now: datetime, callback: int | None
    ) -> RequestCategory:
        category = await self.session.get(
            RequestCategory, {"tenant_id": request.tenant_id, "id": request.category_id}
        )
        assert category is not None  # foreign key
        if request.resolved_at is not None and request.resolved_at > request.due_at:
            # The round that ends here was late; the new due time must not hide it.
            self.session.add(
                RequestEvent(
                    tenant_id=request.tenant_id, request_id=request.id, at=now, kind="late",
                    status=request.status, level=request.level,
                )
            )  # fmt: skip
        request.status = RequestStatus.REOPENED
        request.resolved_at = None
        request.resolved_by = None
        request.callback_by = []
        request.callback_level = callback
        request.level = callback or 1
        request.reopen_count += 1
        request.due_at = sla.due_at(category, now)
        return category
