"""What the draft would do, and putting it in force.

The what-if ranks the quarter's members as the ledger scores them and as the draft
would, side by side. Activation makes the draft the version in force from a day
chosen: today or later, after the newest active version's start, at most a year
ahead. The draft row is locked, so two admins cannot activate one draft twice.

The activation form has one field, a day judged together with those rules, so any
refusal is the one sentence of its section (and NotActivatable lists the problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.db import Database
from app.db.commit import commit_or_refuse
from app.i18n import N_
from app.points import standings
from app.points.models import RuleSet, RuleSetStatus
from app.points.periods import Period
from app.points.rules.forms import normal
from app.points.rules.pages import version_name
from app.points.rules.spec import Problem, problems
from app.points.rules.versions import draft_of, kept, spec_of
from app.points.standings import Move, WhatIf

BIGGEST_MOVES = 5
MAX_LEAD_DAYS = 366
START_TAKEN = {"uq_point_rule_sets_start": N_("Another version already starts on that date.")}


class NotActivatable(Refused):
    """The draft fails validation; `problems` says why, in the order to fix them."""

    def __init__(self, found: list[Problem]) -> None:
        super().__init__(N_("The draft cannot be activated until these problems are fixed."))
        self.problems = found


@dataclass(frozen=True)
class BranchMoves:
    branch_id: UUID
    name: str
    members: int
    up: list[Move]
    down: list[Move]
    moves: list[Move]
    """Every ranked member, in the draft's order."""


@dataclass(frozen=True)
class DistrictMove:
    branch: str
    move: Move


@dataclass
class Preview:
    draft: RuleSet
    period: Period
    problems: list[Problem]
    what_if: WhatIf | None = None
    branches: list[BranchMoves] = field(default_factory=list)
    """Branches where someone moves (or the chosen branch, whatever happens in it)."""
    biggest_up: list[DistrictMove] = field(default_factory=list)
    biggest_down: list[DistrictMove] = field(default_factory=list)
    branch_count: int = 0
    quarters: list[Period] = field(default_factory=list)
    """The quarters one may preview: since the district's first rules, like every picker."""


def start_day(raw: str) -> date:
    """The start date; at most a year ahead, so a mistyped year (2207) cannot block
    every later version."""
    try:
        day = date.fromisoformat(normal(raw))
    except ValueError as exc:
        raise Refused(N_("Please choose the date the rules start, e.g. 2027-01-01.")) from exc
    if day > clock.today() + timedelta(days=MAX_LEAD_DAYS):
        raise Refused(N_("New rules can start at most a year from today."))
    return day


class ActivationService:
    def __init__(self, session: AsyncSession, db: Database | None = None) -> None:
        self.session = session
        self.db = db
        """Given, the what-if's two district rankings run at once on two connections of
        their own (read-only; PostgreSQL gives each its own core)."""

    async def preview(self, quarter_key: str | None, branch_id: UUID | None = None) -> Preview:
        """The quarter's rankings now and under the draft, for the whole district (or
        one branch). Not computed while the draft has problems: two items of one code
        would count the same events twice."""
        draft = await draft_of(self.session)
        if draft is None:
            raise NotFound()
        found = problems(await spec_of(self.session, draft))
        span = await kept(self.session)
        period = span.quarter(quarter_key)
        preview = Preview(draft, period, found, quarters=span.quarters())
        if found:
            return preview
        result = await standings.what_if(
            self.session, period, draft, branch_id=branch_id, db=self.db
        )
        preview.what_if = result
        preview.branch_count = len(result.branches)
        everyone: list[DistrictMove] = []
        for branch in result.branches:
            up = sorted((m for m in branch.moves if m.places_up > 0), key=lambda m: -m.places_up)
            down = sorted((m for m in branch.moves if m.places_up < 0), key=lambda m: m.places_up)
            everyone.extend(DistrictMove(branch.name, m) for m in up + down)
            if branch_id or up or down:
                preview.branches.append(
                    BranchMoves(
                        branch.branch_id, branch.name, len(branch.moves), up, down, branch.moves
                    )
                )
        preview.biggest_up = sorted(
            (d for d in everyone if d.move.places_up > 0), key=lambda d: -d.move.places_up
        )[:BIGGEST_MOVES]
        preview.biggest_down = sorted(
            (d for d in everyone if d.move.places_up < 0), key=lambda d: d.move.places_up
        )[:BIGGEST_MOVES]
        return preview

    async def branch_choices(self) -> list[tuple[UUID, str]]:
        return [(u.id, u.name) for u in await standings.branches(self.session)]

    async def activate(self, effective_from: str, actor: Actor) -> RuleSet:
        """The draft becomes the version in force from `effective_from` on.

        The day is today or later, and after the newest active version's start: events
        already recorded keep the version that scored them, and published rankings
        keep theirs."""
        day = start_day(effective_from)
        session = self.session
        draft = await session.scalar(
            select(RuleSet)
            .where(RuleSet.status == RuleSetStatus.DRAFT)
            .with_for_update()
            .execution_options(populate_existing=True)  # as it is now, not as read before
        )
        if draft is None:
            raise Refused(N_("There is no draft to activate: someone may have just "
                             "activated or discarded it."))  # fmt: skip
        found = problems(await spec_of(session, draft))
        if found:
            raise NotActivatable(found)
        if day < clock.today():
            raise Refused(N_("The rules cannot start in the past. Choose today or a later day."))
        latest = await session.scalar(
            select(func.max(RuleSet.effective_from)).where(RuleSet.status == RuleSetStatus.ACTIVE)
        )
        if latest is not None and day <= latest:
            raise Refused(
                N_("The newest version starts on %(date)s. Choose a later day."),
                date=latest.isoformat(),
            )
        draft.status = RuleSetStatus.ACTIVE
        draft.effective_from = day
        draft.activated_by = actor.id
        draft.activated_at = clock.now()
        await record(
            session, actor, "points.rules_activated", subject_type="point_rule_set",
            subject_id=draft.id, subject_name=version_name(draft),
            changes={"note": day.isoformat(), "effective_from": [None, day.isoformat()]},
        )  # fmt: skip
        await commit_or_refuse(session, START_TAKEN)
        return draft
