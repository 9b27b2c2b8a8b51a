"""A new district's first steps, as its administrator's dashboard lists them.

Each step is ticked by the district's own state, read in one statement: people in the
roster, grids with people assigned, a version of the point rules activated by an
administrator, a secretary and a grid worker invited (or with an account), and no
secretary's account left unlinked to the roster (they would see no one). Two steps
no table can show: whether the org tree matches the district — the import itself
creates the branches its file names, so units beyond the root prove only that an
import ran, and one edit does not mean the rest was looked at — and whether the preset
rules suit the district as they are. The administrator declares those done
(`setup_checks`). Each administrator may hide the card for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Invitation, User, UserRole
from app.core.errors import Refused
from app.core.identity import Actor
from app.core.roles import Role
from app.dashboard.models import CheckedStep, SetupCheck
from app.db.tenant import require_tenant
from app.grid.models import Grid, GridAssignment
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.points.models import RuleSet, RuleSetStatus

NOT_A_STEP = N_("Please choose one of the steps listed.")


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    """msgids, translated in the template."""
    explanation: str
    href: str
    done: bool
    note: str | None = None
    """What is still missing, when part of the step is done."""
    check_label: str | None = None
    """The button by which the administrator declares the step done, if they may."""
    checked_by: str | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True)
class SetupProgress:
    steps: list[SetupStep]
    hidden: bool

    @property
    def all_done(self) -> bool:
        return all(step.done for step in self.steps)


def _has_staff(role: Role) -> ColumnElement[bool]:
    """Someone holds the role (an active account) or has an open invitation to it."""
    account = (
        select(UserRole.user_id)
        .join(User, and_(User.tenant_id == UserRole.tenant_id, User.id == UserRole.user_id))
        .where(UserRole.role == role, User.is_active)
    )
    invitation = select(Invitation.id).where(
        Invitation.role == role,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > func.now(),
    )
    return or_(account.exists(), invitation.exists())


def _secretary_unlinked() -> ColumnElement[bool]:
    """An active branch secretary whose account is linked to no roster person: they see
    no one of their branch until it is."""
    return (
        select(UserRole.user_id)
        .join(User, and_(User.tenant_id == UserRole.tenant_id, User.id == UserRole.user_id))
        .where(
            UserRole.role == Role.BRANCH_SECRETARY,
            User.is_active,
            ~select(Person.id).where(Person.user_id == User.id).exists(),
        )
        .exists()
    )


def _check(step: CheckedStep, column: Any) -> ScalarSelect[Any]:
    return select(column).where(SetupCheck.step == step).scalar_subquery()


class SetupService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def progress(self, user_id: UUID) -> SetupProgress:
        """Every step's state and whether this administrator hid the card: one
        statement of `exists` tests, each stopping at the first row it finds."""
        state = select(
            select(Person.id).exists().label("roster"),
            select(OrgUnit.id).where(OrgUnit.retired_at.is_(None)).exists().label("units"),
            _check(CheckedStep.ORG_TREE, SetupCheck.checked_by_name).label("org_by"),
            _check(CheckedStep.ORG_TREE, SetupCheck.checked_at).label("org_at"),
            select(Grid.id).where(Grid.retired_at.is_(None)).exists().label("grids"),
            select(GridAssignment.id)
            .where(GridAssignment.ends_at.is_(None))
            .exists()
            .label("assigned"),
            select(RuleSet.id)
            .where(RuleSet.status == RuleSetStatus.ACTIVE, RuleSet.activated_by.is_not(None))
            .exists()
            .label("rules_activated"),
            _check(CheckedStep.POINT_RULES, SetupCheck.checked_by_name).label("rules_by"),
            _check(CheckedStep.POINT_RULES, SetupCheck.checked_at).label("rules_at"),
            _has_staff(Role.BRANCH_SECRETARY).label("secretary"),
            _has_staff(Role.GRID_WORKER).label("grid_worker"),
            _secretary_unlinked().label("secretary_unlinked"),
            select(User.getting_started_hidden_at)
            .where(User.id == user_id)
            .scalar_subquery()
            .label("hidden_at"),
        )
        row = (await self.session.execute(state)).one()
        return SetupProgress(steps=_steps(row), hidden=row.hidden_at is not None)

    async def check(self, step: str, actor: Actor) -> None:
        """The administrator declares a step done (once; a second time changes nothing)."""
        if step not in set(CheckedStep) or actor.id is None:
            raise Refused(NOT_A_STEP)
        await self.session.execute(
            insert(SetupCheck)
            .values(
                tenant_id=require_tenant(),
                step=step,
                checked_by=actor.id,
                checked_by_name=actor.name,
            )
            .on_conflict_do_nothing()
        )
        await self.session.commit()

    async def set_hidden(self, user_id: UUID, hidden: bool) -> None:
        """Hide the card for this administrator only, or show it again."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(getting_started_hidden_at=func.now() if hidden else None)
        )
        await self.session.commit()


def _steps(r: Any) -> list[SetupStep]:
    """The steps in the order a bureau takes them, from `progress`'s row."""
    grids_href = "/grid/assign" if r.grids and not r.assigned else "/grid/grids"
    staff_missing = None
    if r.secretary_unlinked:
        staff_missing = N_(
            "A branch secretary's account is not linked to their entry in the roster, so "
            "they see no one: link it on their account's page under Accounts."
        )
    elif r.secretary and not r.grid_worker:
        staff_missing = N_("No grid worker has been invited yet.")
    elif r.grid_worker and not r.secretary:
        staff_missing = N_("No branch secretary has been invited yet.")
    return [
        SetupStep(
            "roster",
            N_("Import the roster"),
            N_(
                "Upload the Excel roster you already keep. Nothing is saved until you "
                "have seen the check of every row."
            ),
            "/people/imports",
            done=r.roster,
        ),
        SetupStep(
            CheckedStep.ORG_TREE,
            N_("Check the organisation tree"),
            N_(
                "The import creates branches and party groups as your file names them. "
                "Check their names and places, and name each branch's secretary."
            ),
            "/org",
            done=r.org_by is not None,
            check_label=N_("I have checked it") if r.units else None,
            checked_by=r.org_by,
            checked_at=r.org_at,
        ),
        SetupStep(
            "grids",
            N_("Create grids and assign people"),
            N_(
                "Draw the grids, give each its grid worker, and assign the households "
                "each grid looks after."
            ),
            grids_href,
            done=r.grids and r.assigned,
            note=N_("There are grids, but nobody has been assigned to one yet.")
            if r.grids and not r.assigned
            else None,
        ),
        SetupStep(
            CheckedStep.POINT_RULES,
            N_("Review the point rules"),
            N_(
                "Your district started with the rules of the scheme chosen at signup. "
                "Change them in a draft and activate it, or keep them as they are."
            ),
            "/points/rules",
            done=r.rules_activated or r.rules_by is not None,
            check_label=N_("Keep these rules"),
            checked_by=r.rules_by,
            checked_at=r.rules_at,
        ),
        SetupStep(
            "invitations",
            N_("Invite branch secretaries and grid workers"),
            N_(
                "Each gets a one-time link to choose a password; then they are logged in. "
                "Invite them with the name and mobile number the roster has for them: their "
                "account is then linked to their entry, which a secretary needs to see their "
                "branch."
            ),
            "/users" if r.secretary_unlinked else "/users/invite",
            done=r.secretary and r.grid_worker and not r.secretary_unlinked,
            note=staff_missing,
        ),
    ]
