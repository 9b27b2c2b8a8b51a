"""After-care (善后): recording a death and what follows it.

A death is set on the roster through the roster's own path (PeopleService.update, the
person form's `deceased_on`): the same checks, the same audit entry, and the same
announcement (`people_changed`), on which grid service drops the birthday and holiday
visits still to come. After-care adds what the form alone does not do: it closes the
person's open concerns and drops their unanswered due items from the day of death on
(those missed before it stay missed), disables their login — nobody should log in as
someone who has died, and their family calls the bureau — and keeps what it changed on
the case, so an administrator can undo a mistaken record exactly. Their history
(visits, points, meetings, the audit log) is never touched: the deceased leave the
lists, rankings and reminders that filter `deceased_on` (all of them do).

The year's cases are read within the viewer's roster scope: the admin's district, a
secretary's branch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Exists, and_, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.users.service import AccountService
from app.audit.service import record
from app.care.after_care.forms import DeathForm, HelpForm
from app.care.after_care.models import AfterCareCase, AfterCareHelp
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.db.tenant import require_tenant
from app.grid import due
from app.grid.models import Concern, Visit, VisitDueItem, VisitKind, VisitRule
from app.i18n import N_
from app.people.crypto import IdCipher
from app.people.models import Person
from app.people.org.service import unit_labels
from app.people.roster.service import PeopleService, person_within
from app.people.scope import people_in
from app.people.search import search_condition

PICK_LIMIT = 20
ALREADY = N_("The death of %(name)s is already recorded.")


@dataclass(frozen=True)
class CaseLine:
    """One case as the year's list and the case page show it."""

    case: AfterCareCase
    name: str
    unit: str
    help: list[AfterCareHelp] = field(default_factory=list)
    condolence_visits: list[Visit] = field(default_factory=list)

    @property
    def money(self) -> Decimal:
        """Money given to the family: the help's and the condolence visits'."""
        return sum((h.money for h in self.help if h.money), Decimal(0)) + sum(
            (v.condolence_money for v in self.condolence_visits if v.condolence_money),
            Decimal(0),
        )


@dataclass(frozen=True)
class Year:
    year: int
    cases: list[CaseLine]

    @property
    def money(self) -> Decimal:
        return sum((c.money for c in self.cases), Decimal(0))

    @property
    def visited(self) -> int:
        return sum(1 for c in self.cases if c.condolence_visits)


class AfterCareService:
    def __init__(self, session: AsyncSession, cipher: IdCipher) -> None:
        self.session = session
        self.cipher = cipher

    # --- whom ---------------------------------------------------------------------------

    async def pick(self, identity: Identity, query: str) -> list[Person]:
        """People of the viewer's scope found by name, pinyin or phone, whose death is
        not recorded yet (the roster may already say they died: an import)."""
        condition = search_condition(query)
        if condition is None:
            return []
        found = await self.session.scalars(
            select(Person)
            .where(condition, people_in(identity.scope), ~self._has_case(Person.id))
            .order_by(Person.sort_key)
            .limit(PICK_LIMIT)
        )
        return list(found)

    def _has_case(self, person_id: Any) -> Exists:
        return exists().where(
            AfterCareCase.person_id == person_id, AfterCareCase.undone_at.is_(None)
        )

    async def person(self, identity: Identity, person_id: UUID) -> Person:
        """The person the form is for: in scope (else NotFound), not recorded yet."""
        person = await person_within(self.session, identity.scope, person_id)
        if await self.session.scalar(select(self._has_case(person_id))):
            raise Refused(ALREADY, name=person.name)
        return person

    # --- recording ----------------------------------------------------------------------

    async def record(self, identity: Identity, form: DeathForm) -> UUID:
        """The death recorded; the person deceased everywhere. Refused, writing nothing:
        a date before the birth date, a death already recorded."""
        session = self.session
        person = await self.person(identity, form.person_id)
        if person.birth_date is not None and form.deceased_on < person.birth_date:
            raise InvalidForm({"deceased_on": N_("The date of death is before the date of birth.")})
        case = AfterCareCase(
            tenant_id=require_tenant(), person_id=person.id, deceased_on=form.deceased_on,
            cause=form.cause, previous_deceased_on=person.deceased_on,
            recorded_by=identity.user_id, recorded_by_name=identity.name,
            recorded_at=clock.now(),
        )  # fmt: skip
        session.add(case)
        try:
            await session.flush()  # the one live case per person: two saving at once
        except IntegrityError as exc:
            await session.rollback()
            raise Refused(ALREADY, name=person.name) from exc
        now = clock.now()
        case.closed_concerns = list(
            await session.scalars(
                update(Concern)
                .where(Concern.person_id == person.id, Concern.closed_at.is_(None))
                .values(closed_at=now, closed_by=identity.user_id)
                .returning(Concern.id)
            )
        )
        # Due from the day of death on, nobody can visit them; those missed before
        # stay missed (the coverage figures of their time). The rows are kept on the
        # case: an undo puts them back as they were.
        removed = await session.execute(
            delete(VisitDueItem)
            .where(
                VisitDueItem.person_id == person.id,
                VisitDueItem.visit_id.is_(None),
                VisitDueItem.due_at >= start_of(form.deceased_on),
            )
            .returning(*(getattr(VisitDueItem, c) for c in DUE_ITEM_COLUMNS))
        )
        case.removed_due_items = [kept_row(row._asdict()) for row in removed]
        account = await self._live_account(person, identity)
        case.account_disabled = account is not None
        if account is not None:  # flushed, committed with the roster's change below
            await AccountService(session).change_active(account, False, identity.actor)
        await record(
            session, identity.actor, "after_care.recorded", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"deceased_on": form.deceased_on.isoformat(), "cause": form.cause,
                     "concerns_closed": len(case.closed_concerns),
                     "account_disabled": case.account_disabled},
        )  # fmt: skip
        # The roster's own path: its checks, its audit entry, people_changed. It commits
        # all of the above at once, or rolls all of it back on a refusal.
        await PeopleService(session, self.cipher).update(
            identity.scope, person.id, self._death_values(person, form.deceased_on),
            identity.actor,
        )  # fmt: skip
        return case.id

    async def _live_account(self, person: Person, identity: Identity) -> UUID | None:
        """The person's active login, if any (never the recorder's own)."""
        if person.user_id is None or person.user_id == identity.user_id:
            return None
        active = await self.session.scalar(select(User.is_active).where(User.id == person.user_id))
        return person.user_id if active else None

    @staticmethod
    def _death_values(person: Person, deceased_on: date | None) -> dict[str, object]:
        """What the roster's update is given: the date, and the units the person is in
        already (the update checks them against the viewer's scope, changes nothing)."""
        return {"deceased_on": deceased_on, "branch_id": person.branch_id,
                "group_id": person.group_id}  # fmt: skip

    async def add_help(self, identity: Identity, case_id: UUID, form: HelpForm) -> None:
        case, person = await self._case(identity, case_id)
        if case.undone_at is not None:
            raise Refused(N_("This record was undone."))
        if form.given_on < case.deceased_on - timedelta(days=30):
            raise InvalidForm(
                {"given_on": N_("This day is long before the death. Please check the date.")}
            )
        self.session.add(
            AfterCareHelp(
                tenant_id=require_tenant(), case_id=case.id, given_on=form.given_on,
                what=form.what, given_by=form.given_by, money=form.money,
                recorded_by_name=identity.name, recorded_at=clock.now(),
            )
        )  # fmt: skip
        await record(
            self.session, identity.actor, "after_care.help_added", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"given_on": form.given_on.isoformat(), "what": form.what,
                     "given_by": form.given_by,
                     "money": None if form.money is None else f"{form.money:.2f}"},
        )  # fmt: skip

    async def undo(self, identity: Identity, case_id: UUID, reason: str) -> UUID:
        """A mistaken record undone (the admin): the roster's date of death as it was,
        the due items it removed back, the concerns it closed open again, the login
        enabled again — one commit. The case stays, marked undone, with its help:
        history is not erased."""
        session = self.session
        case, person = await self._case(identity, case_id, lock=True)
        if case.undone_at is not None:
            raise Refused(N_("This record was already undone."))
        case.undone_at, case.undone_by_name, case.undo_reason = clock.now(), identity.name, reason
        await self._restore_due_items(person.id, case.removed_due_items)
        if case.closed_concerns:
            await session.execute(
                update(Concern)
                .where(Concern.id.in_(case.closed_concerns))
                .values(closed_at=None, closed_by=None)
            )
            reopened = await session.scalars(
                select(Concern).where(
                    Concern.id.in_(case.closed_concerns),
                    ~exists().where(
                        and_(VisitDueItem.tenant_id == Concern.tenant_id,
                             VisitDueItem.concern_id == Concern.id)
                    ),
                )
            )  # fmt: skip
            for concern in list(reopened):  # a concern whose item was not kept
                await due.add_concern_item(session, concern)
        if case.account_disabled and person.user_id is not None:
            await AccountService(session).change_active(person.user_id, True, identity.actor)
        await record(
            session, identity.actor, "after_care.undone", subject_type="person",
            subject_id=person.id, subject_name=person.name,
            changes={"deceased_on": case.deceased_on.isoformat(), "reason": reason},
        )  # fmt: skip
        # The roster's path commits all of it (people_changed writes the calendar's
        # coming week again, as for any correction).
        await PeopleService(session, self.cipher).update(
            identity.scope, person.id, self._death_values(person, case.previous_deceased_on),
            identity.actor,
        )  # fmt: skip
        return person.id

    async def _restore_due_items(self, person_id: UUID, rows: list[dict[str, Any]]) -> None:
        """The due items a record removed, inserted again with their ids — those of a
        rule deleted since left out (a rule's items go with it)."""
        if not rows:
            return
        rules = set(
            await self.session.scalars(
                select(VisitRule.id).where(VisitRule.id.in_({UUID(r["rule_id"]) for r in rows}))
            )
        )
        values = [item_values(row, person_id) for row in rows]
        values = [v for v in values if v["rule_id"] in rules]
        if values:
            await self.session.execute(insert(VisitDueItem).values(values).on_conflict_do_nothing())

    # --- reading ------------------------------------------------------------------------

    async def _case(
        self, identity: Identity, case_id: UUID, *, lock: bool = False
    ) -> tuple[AfterCareCase, Person]:
        query = (
            select(AfterCareCase, Person)
            .join(Person, and_(Person.tenant_id == AfterCareCase.tenant_id,
                               Person.id == AfterCareCase.person_id))
            .where(AfterCareCase.id == case_id, people_in(identity.scope))
        )  # fmt: skip
        if lock:
            query = query.with_for_update(of=AfterCareCase)
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound()
        return row[0], row[1]

    async def case(self, identity: Identity, case_id: UUID) -> CaseLine:
        case, person = await self._case(identity, case_id)
        return (await self._lines([(case, person)]))[0]

    async def year(self, identity: Identity, year: int) -> Year:
        """The year's cases (by the date of death) in the viewer's scope, each with the
        help given and the condolence visits; undone records left out."""
        rows = await self.session.execute(
            select(AfterCareCase, Person)
            .join(Person, and_(Person.tenant_id == AfterCareCase.tenant_id,
                               Person.id == AfterCareCase.person_id))
            .where(AfterCareCase.undone_at.is_(None), people_in(identity.scope),
                   AfterCareCase.deceased_on >= date(year, 1, 1),
                   AfterCareCase.deceased_on <= date(year, 12, 31))
            .order_by(AfterCareCase.deceased_on.desc(), Person.sort_key)
        )  # fmt: skip
        return Year(year, await self._lines([(r[0], r[1]) for r in rows]))

    async def _lines(self, found: list[tuple[AfterCareCase, Person]]) -> list[CaseLine]:
        """Help and condolence visits of these cases: two statements for any number."""
        if not found:
            return []
        helps: dict[UUID, list[AfterCareHelp]] = defaultdict(list)
        for h in await self.session.scalars(
            select(AfterCareHelp)
            .where(AfterCareHelp.case_id.in_([c.id for c, _p in found]))
            .order_by(AfterCareHelp.given_on, AfterCareHelp.recorded_at)
        ):
            helps[h.case_id].append(h)
        visits: dict[UUID, list[Visit]] = defaultdict(list)
        for v in await self.session.scalars(
            select(Visit)
            .where(Visit.person_id.in_([p.id for _c, p in found]),
                   Visit.kind == VisitKind.CONDOLENCE)
            .order_by(Visit.visited_on)
        ):  # fmt: skip
            visits[v.person_id].append(v)
        labels = await unit_labels(
            self.session, {u for _c, p in found for u in (p.branch_id,) if u}
        )
        return [
            CaseLine(c, p.name, labels.get(p.branch_id, "") if p.branch_id else "",
                     helps[c.id], visits[p.id])
            for c, p in found
        ]  # fmt: skip

    async def years(self, identity: Identity) -> list[int]:
        """Years with cases in scope, newest first, this year always among them."""
        found = await self.session.scalars(
            select(func.distinct(func.extract("year", AfterCareCase.deceased_on)))
            .join(Person, and_(Person.tenant_id == AfterCareCase.tenant_id,
                               Person.id == AfterCareCase.person_id))
            .where(AfterCareCase.undone_at.is_(None), people_in(identity.scope))
        )  # fmt: skip
        return sorted({int(y) for y in found} | {clock.today().year}, reverse=True)


DUE_ITEM_COLUMNS = ("id", "rule_id", "occasion", "opens_on", "due_at", "concern_id")
"""What a removed due item keeps (the person is the case's; it had no visit)."""


def kept_row(row: dict[str, Any]) -> dict[str, Any]:
    """A removed due item as JSON: ids, days and moments as ISO text."""
    return {
        c: row[c].isoformat() if isinstance(row[c], date) else None if row[c] is None
        else str(row[c])
        for c in DUE_ITEM_COLUMNS
    }  # fmt: skip


def item_values(kept: dict[str, Any], person_id: UUID) -> dict[str, Any]:
    """A kept row back as the table's values."""
    return {
        "tenant_id": require_tenant(), "person_id": person_id,
        "id": UUID(kept["id"]), "rule_id": UUID(kept["rule_id"]), "occasion": kept["occasion"],
        "opens_on": date.fromisoformat(kept["opens_on"]),
        "due_at": datetime.fromisoformat(kept["due_at"]),
        "concern_id": UUID(kept["concern_id"]) if kept["concern_id"] else None,
    }  # fmt: skip


def start_of(day: date) -> datetime:
    """The first moment of `day` in China."""
    return datetime.combine(day, time(), clock.CHINA_TIME)
