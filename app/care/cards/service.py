"""The care contact card (亲情服务卡): whom a member calls, read for one member or a
whole branch in a few statements.

On the card: the member's grid worker(s) — those working the grid the member is in
now — and their party group's leader, or the branch secretary where the group has
none (or the member leads the group themselves, or is in no group), each with a
phone and a QR code that dials it (a `tel:` address). A contact without a phone is
left off rather than printed as an empty box; a card left with no one says whom to
call instead. The deceased get no card.

Who sees which cards: the admin everyone's, a secretary their branch's, a grid worker
their grids' people (grid service's `served_by`); a member only their own
(/care/my-card).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from uuid import UUID

import segno
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.scope import Scope
from app.grid.models import Grid, GridAssignment, GridWorker
from app.grid.scope import served_by
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.people.org.service import unit_labels
from app.people.pinyin import unit_sort_key

GRID_WORKER = N_("Grid worker")
GROUP_LEADER = N_("Party group leader")
SECRETARY = N_("Branch secretary")
NOBODY_TO_PRINT = N_(
    "This branch has nobody whose card you may print. Please choose a branch from the list."
)


def tel_uri(phone: str) -> str:
    """The `tel:` address a QR code or a link dials: the number's digits (a landline's
    area code kept: 0532-82861234 → tel:053282861234)."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def dialling_qr(phone: str) -> segno.QRCode:
    """Medium error correction: still readable from a worn or photocopied card."""
    return segno.make(tel_uri(phone), error="m", micro=False)


@lru_cache(maxsize=1024)
def qr_svg_data_uri(phone: str) -> str:
    """The QR code that dials `phone` as an SVG data URI, for pages (a branch's cards
    share a few workers and leaders: each code is drawn once)."""
    return dialling_qr(phone).svg_data_uri(scale=4, border=2)


@lru_cache(maxsize=1024)
def qr_png_data_uri(phone: str) -> str:
    """The same code as a PNG for the PDF, 6 pixels a module (over 200 dpi at the
    cards' sizes): WeasyPrint lays out an SVG image at each use, which made a branch of
    100 A6 cards with 11 different contacts take 20–38 s where PNGs take 14 s (load
    average 10; 6 s with no codes at all)."""
    return dialling_qr(phone).png_data_uri(scale=6, border=2)


@dataclass(frozen=True)
class Contact:
    role: str
    """What they are to the member (a msgid: 网格员, 党小组长, 支部书记)."""
    name: str
    phone: str

    @property
    def tel(self) -> str:
        return tel_uri(self.phone)

    @property
    def qr(self) -> str:
        return qr_svg_data_uri(self.phone)

    @property
    def qr_png(self) -> str:
        return qr_png_data_uri(self.phone)


@dataclass
class CareCard:
    person_id: UUID
    name: str
    branch: str
    group: str
    bureau: str
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class BranchChoice:
    id: UUID
    name: str
    people: int


class CardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def card(self, identity: Identity, person_id: UUID) -> CareCard:
        """One member's card, if the viewer serves them (else NotFound)."""
        found = await self._cards(
            _bureau(identity), Person.id == person_id, served_by(identity.scope)
        )
        if not found:
            raise NotFound()
        return found[0]

    async def own_card(self, identity: Identity) -> CareCard | None:
        """The member's own card; None for an account not linked to a living person."""
        if identity.person_id is None:
            return None
        found = await self._cards(_bureau(identity), Person.id == identity.person_id)
        return found[0] if found else None

    async def branch_cards(self, scope: Scope, bureau: str, branch_id: UUID) -> list[CareCard]:
        """The cards of a branch's living members `scope` serves, in pinyin order (the
        report's builder: the scope is the asker's, kept when they asked)."""
        return await self._cards(bureau, Person.branch_id == branch_id, served_by(scope))

    async def printable_branch(self, identity: Identity, branch_id: UUID) -> BranchChoice:
        """The branch, if the viewer may print cards for some of its members: NotFound
        for another district's, refused in words for one outside the scope or with
        nobody living in it."""
        exists = await self.session.scalar(select(OrgUnit.id).where(OrgUnit.id == branch_id))
        if exists is None:
            raise NotFound()
        found = next((b for b in await self.branches(identity) if b.id == branch_id), None)
        if found is None:
            raise Refused(NOBODY_TO_PRINT)
        return found

    async def branches(self, identity: Identity) -> list[BranchChoice]:
        """The branches whose members the viewer may print cards for, with how many."""

        rows = await self.session.execute(
            select(Person.branch_id, func.count())
            .where(Person.deceased_on.is_(None), Person.branch_id.is_not(None),
                   served_by(identity.scope))
            .group_by(Person.branch_id)
        )  # fmt: skip
        counts: dict[UUID, int] = {row[0]: row[1] for row in rows if row[0] is not None}
        labels = await unit_labels(self.session, set(counts))
        return sorted(
            (BranchChoice(b, labels.get(b, ""), n) for b, n in counts.items()),
            key=lambda c: unit_sort_key(c.name),  # as the org pages: 第二 before 第三
        )

    async def members(self, identity: Identity, branch_id: UUID) -> list[Person]:
        """The branch's living members the viewer serves (the list to print from)."""
        found = await self.session.scalars(
            select(Person)
            .where(Person.branch_id == branch_id, Person.deceased_on.is_(None),
                   served_by(identity.scope))
            .order_by(Person.sort_key, Person.id)
        )  # fmt: skip
        return list(found)

    async def _cards(self, bureau: str, *conditions: object) -> list[CareCard]:
        """The cards of the living people matching `conditions`: four statements for
        any number (people, their grid workers, their units' leaders, unit names)."""
        people = list(
            await self.session.scalars(
                select(Person)
                .where(Person.deceased_on.is_(None), *conditions)  # type: ignore[arg-type]
                .order_by(Person.sort_key, Person.id)
            )
        )
        if not people:
            return []
        ids = [p.id for p in people]
        workers: dict[UUID, list[Contact]] = defaultdict(list)
        rows = await self.session.execute(
            select(GridAssignment.person_id, User.name, User.phone)
            .join(Grid, and_(Grid.tenant_id == GridAssignment.tenant_id,
                             Grid.id == GridAssignment.grid_id))
            .join(GridWorker, and_(GridWorker.tenant_id == GridAssignment.tenant_id,
                                   GridWorker.grid_id == GridAssignment.grid_id))
            .join(User, and_(User.tenant_id == GridWorker.tenant_id,
                             User.id == GridWorker.user_id))
            .where(GridAssignment.person_id.in_(ids), GridAssignment.ends_at.is_(None),
                   Grid.retired_at.is_(None), User.is_active)
            .order_by(GridWorker.since, User.name)
        )  # fmt: skip
        for person_id, name, phone in rows:
            workers[person_id].append(Contact(GRID_WORKER, name, phone))
        units = {u for p in people for u in (p.branch_id, p.group_id) if u}
        leaders: dict[UUID, tuple[UUID, str, str]] = {
            unit_id: (leader_id, name, phone or "")
            for unit_id, leader_id, name, phone in await self.session.execute(
                select(OrgUnit.id, Person.id, Person.name, Person.phone)
                .join(
                    Person,
                    and_(
                        Person.tenant_id == OrgUnit.tenant_id, Person.id == OrgUnit.leader_person_id
                    ),
                )
                .where(
                    OrgUnit.id.in_(units), Person.deceased_on.is_(None), Person.phone.is_not(None)
                )
            )
        }
        labels = await unit_labels(self.session, units)
        cards = []
        for p in people:
            card = CareCard(
                p.id, p.name, labels.get(p.branch_id, "") if p.branch_id else "",
                labels.get(p.group_id, "") if p.group_id else "", bureau,
                [c for c in workers[p.id] if c.phone],
            )  # fmt: skip
            group = leaders.get(p.group_id) if p.group_id else None
            branch = leaders.get(p.branch_id) if p.branch_id else None
            if group and group[0] != p.id:
                card.contacts.append(Contact(GROUP_LEADER, group[1], group[2]))
            elif branch and branch[0] != p.id:
                card.contacts.append(Contact(SECRETARY, branch[1], branch[2]))
            cards.append(card)
        return cards


def _bureau(identity: Identity) -> str:
    """The district's name, printed at the card's foot."""
    return identity.tenant_name or ""
