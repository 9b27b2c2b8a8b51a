"""The roster: finding, reading and changing the district's people, within scope.

Every method takes the viewer's Scope and applies it in SQL, so a person outside it
is "not found" (404), the same answer as a person of another district.

Over 400 lines: reading and changing people share the scope and audit helpers here;
issue 12 splits reads from writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.audit.service import record
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.core.scope import Scope
from app.db.commit import commit_or_refuse
from app.grid.due import people_changed
from app.i18n import N_
from app.people.crypto import IdCipher, mask_id, mask_phone
from app.people.export import CATEGORY_WORDS, written_date, yes_no
from app.people.forms import disagreement_with_id
from app.people.models import DuplicateDismissal, OrgUnit, Person, UnitKind
from app.people.pinyin import normalise_query, search_keys, sort_key
from app.people.scope import people_in, units_under
from app.people.search import (
    FLAGS,
    WHOLE_ID,
    PersonFilter,
    audited_filter,
    search_condition,
)
from app.state import AppServices
from tenants.context import require_tenant

PAGE_SIZE = 50


@dataclass(frozen=True)
class PersonRow:
    id: UUID
    name: str
    gender: str | None
    birth_date: date | None
    birth_day_known: bool
    category: str
    party_member: bool
    phone: str | None
    id_masked: str
    unit_label: str
    mobile: bool
    infirm: bool
    deceased_on: date | None


@dataclass(frozen=True)
class MateRow:
    name: str
    group: str
    phone: str
    is_me: bool


@dataclass
class PersonPage:
    rows: list[PersonRow]
    total: int
    page: int
    pages: int
    filter: PersonFilter


@dataclass
class PersonCard:
    """One person as their page shows them."""

    person: Person
    id_number: str
    """Whole for viewers who may see it, masked for everyone else."""
    branch: str | None
    group: str | None
    account: str | None
    led_units: list[str] = field(default_factory=list)


class PeopleService:
    def __init__(self, services: AppServices) -> None:
        self.db = services.db
        self.cipher: IdCipher = services.cipher

    # --- finding ----------------------------------------------------------------------

    def _filtered(self, scope: Scope, wanted: PersonFilter) -> Select[Any]:
        query = select(Person).where(people_in(scope))
        whole_id = WHOLE_ID.fullmatch(normalise_query(wanted.q))
        if whole_id and scope.sees_id_numbers:
            index = self.cipher.blind_index(require_tenant(), whole_id.group().upper())
            query = query.where(Person.id_number_index == index)
        elif whole_id:
            # Only those who see whole numbers may test one: a yes/no answer to a
            # guessed number would unmask what the masked form hides.
            query = query.where(false())
        elif (condition := search_condition(wanted.q)) is not None:
            query = query.where(condition)
        if wanted.unit_id:
            # Everyone in a group also has the group's branch as theirs (forms, imports
            # and group moves keep it so): a subtree is its branches, or the group itself.
            under = select(OrgUnit.id).where(OrgUnit.path.contains([wanted.unit_id]))
            query = query.where(or_(Person.branch_id.in_(under), Person.group_id == wanted.unit_id))
        if wanted.category:
            query = query.where(Person.category == wanted.category)
        if (flag := FLAGS[wanted.flag]) is not None:
            query = query.where(flag)
        return query

    async def find(self, scope: Scope, wanted: PersonFilter) -> PersonPage:
        """A page of people in pinyin order, and how many match in all.

        A text search scans the district's rows anyway (LIKE cannot use an index under
        row-level security, its operator not being leakproof), so the count rides along
        as a window over that one scan. Without one, the page comes from the pinyin
        index and the count from an index-only scan: two cheap queries beat one that
        must read every row.
        """
        filtered = self._filtered(scope, wanted)
        ordered = filtered.order_by(Person.sort_key, Person.id).limit(PAGE_SIZE)
        async with self.db.session() as session:
            if wanted.q:
                query = ordered.add_columns(func.count().over().label("total"))
                found = (await session.execute(query.offset((wanted.page - 1) * PAGE_SIZE))).all()
                total = found[0].total if found else None
            else:
                found, total = [], None
            if total is None:  # no text search, or a page past the end
                total = (
                    await session.scalar(
                        select(func.count()).select_from(
                            filtered.with_only_columns(Person.id).subquery()
                        )
                    )
                    or 0
                )
                page = min(wanted.page, max(1, -(-total // PAGE_SIZE)))
                found = (await session.execute(ordered.offset((page - 1) * PAGE_SIZE))).all()
            else:
                page = wanted.page
            unit_ids = {u for row in found for u in (row[0].branch_id, row[0].group_id) if u}
            labels = await unit_labels(session, unit_ids)
        rows = [
            PersonRow(
                p.id,
                p.name,
                p.gender,
                p.birth_date,
                p.birth_day_known,
                p.category,
                p.party_member,
                p.phone,
                mask_id_tail(p.id_tail) if p.id_tail else "",
                " / ".join(labels[u] for u in (p.branch_id, p.group_id) if u in labels),
                p.mobile,
                p.infirm,
                p.deceased_on,
            )
            for p in (row[0] for row in found)
        ]
        return PersonPage(rows, total, page, max(1, -(-total // PAGE_SIZE)), wanted)

    async def everyone(self, scope: Scope, wanted: PersonFilter) -> list[Person]:
        """All people matching the filter (for the export), in pinyin order."""
        async with self.db.session() as session:
            query = self._filtered(scope, wanted).order_by(Person.sort_key, Person.id)
            return list((await session.scalars(query)).all())

    async def export_rows(
        self, scope: Scope, wanted: PersonFilter, people: list[Person], actor: Actor
    ) -> list[list[Any]]:
        """Rows for the .xlsx export, in its column order; the export is audited."""
        async with self.db.session() as session:
            names = await unit_labels(session)
            await record(
                session,
                actor,
                "people.exported",
                subject_type="roster",
                changes={"count": len(people), "filter": audited_filter(wanted)},
            )
            await session.commit()
        return [
            [
                p.name,
                {"male": "男", "female": "女"}.get(p.gender or "", ""),
                written_date(p.birth_date, p.birth_day_known),
                CATEGORY_WORDS[p.category],
                yes_no(p.party_member),
                written_date(p.party_joined_on, p.party_joined_day_known),
                self.id_number(p, scope),
                p.phone,
                p.address,
                names.get(p.branch_id) if p.branch_id else "",
                names.get(p.group_id) if p.group_id else "",
                yes_no(p.mobile),
                yes_no(p.infirm),
                written_date(p.deceased_on),
                p.health_notes,
                p.family_contact_name,
                p.family_contact_phone,
                p.notes,
            ]
            for p in people
        ]

    async def card(self, scope: Scope, person_id: UUID) -> PersonCard:
        async with self.db.session() as session:
            person = await self._get(session, scope, person_id)
            names = await unit_labels(session)
            account = (
                await session.scalar(select(User.name).where(User.id == person.user_id))
                if person.user_id
                else None
            )
            led = (
                await session.scalars(
                    select(OrgUnit.id).where(
                        OrgUnit.leader_person_id == person_id, OrgUnit.retired_at.is_(None)
                    )
                )
            ).all()
        return PersonCard(
            person=person,
            id_number=self.id_number(person, scope),
            branch=names.get(person.branch_id) if person.branch_id else None,
            group=names.get(person.group_id) if person.group_id else None,
            account=account,
            led_units=[names.get(unit_id, "") for unit_id in led],
        )

    async def ensure_visible(self, scope: Scope, person_id: UUID) -> None:
        """NotFound unless the person exists within the scope (before reading a form)."""
        async with self.db.session() as session:
            await self._get(session, scope, person_id)

    def id_number(self, person: Person, scope: Scope) -> str:
        if person.id_number_enc is None:
            return ""
        whole = self.cipher.decrypt(person.tenant_id, person.id_number_enc)
        return whole if scope.sees_id_numbers else mask_id(whole)

    async def _get(self, session: AsyncSession, scope: Scope, person_id: UUID) -> Person:
        person = await session.scalar(
            select(Person).where(Person.id == person_id, people_in(scope))
        )
        if person is None:
            raise NotFound()
        return person

    # --- changing ---------------------------------------------------------------------

    async def create(self, scope: Scope, values: dict[str, Any], actor: Actor) -> UUID:
        """Add a person from clean form values (see app.people.forms)."""
        async with self.db.session() as session:
            await self._check_units(session, scope, values)
            person = Person(tenant_id=require_tenant())
            changes = self._apply(person, values, await unit_labels(session))
            session.add(person)
            await session.flush()
            await people_changed(session, [person.id])  # due at once, not after the night
            await _save(session, actor, "person.created", person, changes)
            return person.id

    async def update(
        self, scope: Scope, person_id: UUID, values: dict[str, Any], actor: Actor
    ) -> None:
        async with self.db.session() as session:
            person = await self._get(session, scope, person_id)
            await self._check_units(session, scope, values)
            if "id_number" not in values and person.id_number_enc is not None:
                stored = self.cipher.decrypt(person.tenant_id, person.id_number_enc)
                if message := disagreement_with_id(values, stored):
                    raise Refused(message)
            changes = self._apply(person, values, await unit_labels(session))
            if changes:
                await people_changed(session, [person.id])  # a birthday or 七一 may move
                await _save(session, actor, "person.updated", person, changes)

    async def _check_units(
        self, session: AsyncSession, scope: Scope, values: dict[str, Any]
    ) -> None:
        """The branch and group exist, are active, fit together and lie in scope."""
        branch_id, group_id = values.get("branch_id"), values.get("group_id")
        if branch_id is None:
            if not scope.everyone:
                raise Refused(N_("Please choose a branch."))
            if group_id is not None:
                raise Refused(N_("Choose the branch of this party group."))
            return
        wanted = [u for u in (branch_id, group_id) if u]
        units = {
            unit.id: unit
            for unit in await session.scalars(
                select(OrgUnit).where(OrgUnit.id.in_(wanted), OrgUnit.retired_at.is_(None))
            )
        }
        inside = set(
            await session.scalars(
                select(OrgUnit.id).where(OrgUnit.id.in_(wanted), units_under(scope))
            )
        )
        branch = units.get(branch_id)
        if branch is None or branch.kind != UnitKind.BRANCH:
            raise Refused(N_("Please choose a branch."))
        group = units.get(group_id) if group_id else None
        if group_id is not None and (
            group is None or group.kind != UnitKind.GROUP or group.parent_id != branch_id
        ):
            raise Refused(N_("This party group does not belong to the chosen branch."))
        # A group leader's scope is the group: its branch may be named with it.
        if branch_id not in inside and not (group_id and group_id in inside):
            raise Refused(N_("Please choose a branch."))

    def _apply(
        self, person: Person, values: dict[str, Any], units: dict[UUID, str]
    ) -> dict[str, list[Any]]:
        """Set the given fields; return what changed as {field: [before, after]}, with
        ID numbers masked (the audit log is read by more eyes than the roster)."""
        changes: dict[str, list[Any]] = {}
        tenant_id = person.tenant_id
        for key, value in values.items():
            if key == "id_number":
                before = (
                    self.cipher.decrypt(tenant_id, person.id_number_enc)
                    if person.id_number_enc
                    else None
                )
                if value == before:
                    continue
                person.id_number_enc = self.cipher.encrypt(tenant_id, value) if value else None
                person.id_number_index = (
                    self.cipher.blind_index(tenant_id, value) if value else None
                )
                person.id_tail = value[-4:] if value else None
                changes["id_number"] = [mask_id(before), mask_id(value)]
                continue
            before = getattr(person, key, None)
            if before == value:
                continue
            setattr(person, key, value)
            if key in ("branch_id", "group_id"):  # the log shows names, as people read them
                before, value = (
                    units.get(before) if before else None,
                    units.get(value) if value else None,
                )
            changes[key] = [_audit_value(before), _audit_value(value)]
        if "name" in changes:
            person.search_keys = search_keys(person.name)
            person.sort_key = sort_key(person.name)
        if person.party_joined_on and not person.party_member:
            raise Refused(N_("Someone with a party joining date is a party member."))
        return changes

    async def link_account(
        self, scope: Scope, person_id: UUID, user_id: UUID | None, actor: Actor
    ) -> None:
        """Link the person to the account they log in with (one person per account)."""
        async with self.db.session() as session:
            person = await self._get(session, scope, person_id)
            account = None
            if user_id is not None:
                account = await session.scalar(select(User.name).where(User.id == user_id))
                if account is None:
                    raise Refused(N_("Please choose an account."))
                taken = await session.scalar(
                    select(Person.name).where(Person.user_id == user_id, Person.id != person_id)
                )
                if taken:
                    raise Refused(N_("This account already belongs to %(name)s."), name=taken)
            if person.user_id == user_id:
                return
            before = (
                await session.scalar(select(User.name).where(User.id == person.user_id))
                if person.user_id
                else None
            )
            person.user_id = user_id
            # Through the unique index: two admins linking one account at once.
            await _save(
                session, actor, "person.account_linked", person, {"account": [before, account]}
            )

    async def unlinked_accounts(self) -> list[tuple[UUID, str, str]]:
        """Active accounts not yet linked to a person: (id, name, phone)."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(User.id, User.name, User.phone)
                .where(User.is_active, ~select(Person.id).where(Person.user_id == User.id).exists())
                .order_by(User.name)
            )
            return [(row[0], row[1], row[2]) for row in rows]

    async def my_branch(self, user_id: UUID) -> tuple[Person | None, str | None, list[MateRow]]:
        """A member's own card and their branch's living members, phones masked but
        their own: members see each other, not each other's numbers."""
        async with self.db.session() as session:
            me = await session.scalar(select(Person).where(Person.user_id == user_id))
            if me is None or me.branch_id is None:
                return me, None, []
            names = await unit_labels(session)
            mates = await session.scalars(
                select(Person)
                .where(Person.branch_id == me.branch_id, Person.deceased_on.is_(None))
                .order_by(Person.sort_key, Person.id)
            )
            rows = [
                MateRow(
                    p.name,
                    names.get(p.group_id, "") if p.group_id else "",
                    (p.phone or "") if p.id == me.id else mask_phone(p.phone),
                    p.id == me.id,
                )
                for p in mates
            ]
        return me, names.get(me.branch_id), rows

    # --- possible duplicates -------------------------------------------------------------

    async def possible_duplicates(self, scope: Scope) -> list[tuple[Person, Person]]:
        """Pairs with the same name and a birth date that agrees as far as both are known
        (1949年10月 and 1949-10-20 agree), whose ID numbers differ or are missing, not yet
        reviewed as different people."""
        other = aliased(Person)
        dismissed = (
            select(DuplicateDismissal.person_a)
            .where(
                DuplicateDismissal.person_a == Person.id, DuplicateDismissal.person_b == other.id
            )
            .exists()
        )
        query = (
            select(Person, other)
            .join(
                other,
                and_(
                    other.tenant_id == Person.tenant_id,
                    other.name == Person.name,
                    func.date_trunc("month", other.birth_date)
                    == func.date_trunc("month", Person.birth_date),
                    or_(
                        other.birth_date == Person.birth_date,
                        ~other.birth_day_known,
                        ~Person.birth_day_known,
                    ),
                    other.id > Person.id,
                ),
            )
            .where(
                Person.id_number_index.is_distinct_from(other.id_number_index)
                | Person.id_number_index.is_(None),
                ~dismissed,
                people_in(scope),
                other.id.in_(select(Person.id).where(people_in(scope))),
            )
            .order_by(Person.sort_key)
            .limit(500)
        )
        async with self.db.session() as session:
            return [(row[0], row[1]) for row in await session.execute(query)]

    async def dismiss_duplicate(
        self, scope: Scope, first: UUID, second: UUID, actor: Actor
    ) -> None:
        a, b = sorted((first, second))
        async with self.db.session() as session:
            one = await self._get(session, scope, a)
            two = await self._get(session, scope, b)
            if one.id == two.id:
                raise NotFound()
            session.add(
                DuplicateDismissal(
                    tenant_id=require_tenant(), person_a=a, person_b=b, dismissed_by=actor.id
                )
            )
            await record(
                session,
                actor,
                "person.not_duplicate",
                subject_type="person",
                subject_id=a,
                subject_name=one.name,
                changes={"different_from": [None, str(b)]},
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # reviewed twice at once: the first verdict stands


async def unit_labels(session: AsyncSession, ids: set[UUID] | None = None) -> dict[UUID, str]:
    """Units' names — these, or all (retired ones too: history keeps them)."""
    query = select(OrgUnit.id, OrgUnit.name)
    if ids is not None:
        query = query.where(OrgUnit.id.in_(ids))
    return {row[0]: row[1] for row in await session.execute(query)}


def mask_id_tail(tail: str) -> str:
    return "*" * 14 + tail


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


async def _save(
    session: AsyncSession, actor: Actor, action: str, person: Person, changes: dict[str, Any]
) -> None:
    """Record the change in the person's history and commit both, or neither."""
    await record(
        session, actor, action, subject_type="person", subject_id=person.id,
        subject_name=person.name, changes=changes,
    )  # fmt: skip
    await commit_or_refuse(
        session,
        {
            "uq_people_id_number": N_("Another person in the roster already has this ID number."),
            "uq_people_user": N_("This account already belongs to someone in the roster."),
        },
    )
