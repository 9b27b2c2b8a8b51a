"""The roster: finding, reading and changing the district's people, within scope.

Every method takes the viewer's Scope and applies it in SQL, so a person outside it
is "not found" (404), the same answer as a person of another district. What a change
checks and records is in app.people.roster.edits; possible duplicates in
app.people.roster.duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.errors import NotFound, Refused
from app.core.identity import Actor
from app.core.pagination import Page, page_count, page_within
from app.core.scope import Scope
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.crypto import IdCipher, mask_id, mask_phone
from app.people.events import people_changed
from app.people.models import OrgUnit, Person
from app.people.org.service import unit_labels
from app.people.pinyin import normalise_query
from app.people.roster.edits import apply_values, check_units, save_person
from app.people.roster.export import CATEGORY_WORDS, written_date, yes_no
from app.people.roster.forms import disagreement_with_id
from app.people.scope import people_in
from app.people.search import FLAGS, WHOLE_ID, PersonFilter, search_condition

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
    def __init__(self, session: AsyncSession, cipher: IdCipher) -> None:
        self.session = session
        self.cipher = cipher

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

    async def find(self, scope: Scope, wanted: PersonFilter) -> Page[PersonRow]:
        """A page of people in pinyin order, and how many match in all.

        A text search scans the district's rows anyway (LIKE cannot use an index under
        row-level security, its operator not being leakproof), so the count rides along
        as a window over that one scan. Without one, the page comes from the pinyin
        index and the count from an index-only scan: two cheap queries beat one that
        must read every row.
        """
        filtered = self._filtered(scope, wanted)
        ordered = filtered.order_by(Person.sort_key, Person.id).limit(PAGE_SIZE)
        number, found, total = wanted.page, [], None
        if wanted.q:
            query = ordered.add_columns(func.count().over().label("total"))
            found = list(await self.session.execute(query.offset((number - 1) * PAGE_SIZE)))
            total = found[0].total if found else None
        if total is None:  # no text search, or a page past the end
            counted = select(func.count()).select_from(
                filtered.with_only_columns(Person.id).subquery()
            )
            total = await self.session.scalar(counted) or 0
            number = page_within(wanted.page, total, PAGE_SIZE)
            found = list(await self.session.execute(ordered.offset((number - 1) * PAGE_SIZE)))
        people = [row[0] for row in found]
        labels = await unit_labels(
            self.session, {u for p in people for u in (p.branch_id, p.group_id) if u}
        )
        rows = [
            PersonRow(
                p.id, p.name, p.gender, p.birth_date, p.birth_day_known, p.category,
                p.party_member, p.phone, mask_id_tail(p.id_tail) if p.id_tail else "",
                " / ".join(labels[u] for u in (p.branch_id, p.group_id) if u in labels),
                p.mobile, p.infirm, p.deceased_on,
            )
            for p in people
        ]  # fmt: skip
        return Page(rows, number, page_count(total, PAGE_SIZE), total)

    async def everyone(self, scope: Scope, wanted: PersonFilter) -> list[Person]:
        """All people matching the filter (for the export), in pinyin order."""
        query = self._filtered(scope, wanted).order_by(Person.sort_key, Person.id)
        return list((await self.session.scalars(query)).all())

    async def export_rows(self, scope: Scope, people: list[Person]) -> list[list[Any]]:
        """Rows for the .xlsx export, in its column order (the download is audited by
        the report it is part of)."""
        names = await unit_labels(self.session)
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
        person = await person_within(self.session, scope, person_id)
        names = await unit_labels(self.session)
        account = (
            await self.session.scalar(select(User.name).where(User.id == person.user_id))
            if person.user_id
            else None
        )
        led = (
            await self.session.scalars(
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
        await person_within(self.session, scope, person_id)

    def id_number(self, person: Person, scope: Scope) -> str:
        if person.id_number_enc is None:
            return ""
        whole = self.cipher.decrypt(person.tenant_id, person.id_number_enc)
        return whole if scope.sees_id_numbers else mask_id(whole)

    # --- changing ---------------------------------------------------------------------

    async def create(self, scope: Scope, values: dict[str, Any], actor: Actor) -> UUID:
        """Add a person from form values (see app.people.roster.forms.PersonForm)."""
        await check_units(self.session, scope, values)
        person = Person(tenant_id=require_tenant())
        changes = apply_values(self.cipher, person, values, await unit_labels(self.session))
        self.session.add(person)
        await self.session.flush()
        await people_changed(self.session, [person.id])  # due at once, not after the night
        await save_person(self.session, actor, "person.created", person, changes)
        return person.id

    async def update(
        self, scope: Scope, person_id: UUID, values: dict[str, Any], actor: Actor
    ) -> None:
        person = await person_within(self.session, scope, person_id)
        try:
            await check_units(self.session, scope, values)
            if "id_number" not in values and person.id_number_enc is not None:
                stored = self.cipher.decrypt(person.tenant_id, person.id_number_enc)
                if message := disagreement_with_id(values, stored):
                    raise Refused(message)
            changes = apply_values(self.cipher, person, values, await unit_labels(self.session))
        except Refused:
            await self.session.rollback()  # values already set on the person are not saved
            raise
        if changes:
            await people_changed(self.session, [person.id])  # a birthday or 七一 may move
            await save_person(self.session, actor, "person.updated", person, changes)

    async def link_account(
        self, scope: Scope, person_id: UUID, user_id: UUID | None, actor: Actor
    ) -> None:
        """Link the person to the account they log in with (one person per account)."""
        person = await person_within(self.session, scope, person_id)
        account = None
        if user_id is not None:
            account = await self.session.scalar(select(User.name).where(User.id == user_id))
            if account is None:
                raise Refused(N_("Please choose an account."))
            taken = await self.session.scalar(
                select(Person.name).where(Person.user_id == user_id, Person.id != person_id)
            )
            if taken:
                raise Refused(N_("This account already belongs to %(name)s."), name=taken)
        if person.user_id == user_id:
            return
        before = (
            await self.session.scalar(select(User.name).where(User.id == person.user_id))
            if person.user_id
            else None
        )
        person.user_id = user_id
        # Through the unique index: two admins linking one account at once.
        await save_person(
            self.session, actor, "person.account_linked", person, {"account": [before, account]}
        )

    async def unlinked_accounts(self) -> list[tuple[UUID, str, str]]:
        """Active accounts not yet linked to a person: (id, name, phone)."""
        rows = await self.session.execute(
            select(User.id, User.name, User.phone)
            .where(User.is_active, ~select(Person.id).where(Person.user_id == User.id).exists())
            .order_by(User.name)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def my_branch(self, user_id: UUID) -> tuple[Person | None, str | None, list[MateRow]]:
        """A member's own card and their branch's living members, phones masked but
        their own: members see each other, not each other's numbers."""
        me = await self.session.scalar(select(Person).where(Person.user_id == user_id))
        if me is None or me.branch_id is None:
            return me, None, []
        names = await unit_labels(self.session)
        mates = await self.session.scalars(
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


async def person_within(session: AsyncSession, scope: Scope, person_id: UUID) -> Person:
    """The person, if they lie within the scope; else NotFound."""
    person = await session.scalar(select(Person).where(Person.id == person_id, people_in(scope)))
    if person is None:
        raise NotFound()
    return person


def mask_id_tail(tail: str) -> str:
    return "*" * 14 + tail
