"""Reading claims: whom this account may claim for and what the claim form offers,
the lists of claims (to decide, one's own) and a claim's photo.

Who may claim for whom: a member for themself; a grid worker for the members of
their grids; whoever leads a unit (a secretary, a group leader) for the members under
it; the district admin for everyone. Only secretaries and the admin decide claims
and award, and never for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.identity import Identity
from app.core.roles import Role
from app.grid.scope import served_by
from app.people.models import OrgUnit, Person
from app.people.pinyin import looks_like_pinyin, normalise_query
from app.people.scope import people_in
from app.points.models import Awarder, Claim, ClaimStatus, Photo, RuleCategory, RuleItem
from app.points.periods import Kept
from app.points.rules.versions import in_force, kept

PICK_LIMIT = 20


@dataclass(frozen=True)
class ClaimRow:
    claim: Claim
    person_name: str
    branch_name: str
    item_code: str
    item_name: str
    points: Decimal
    own: bool = False
    """A claim for the viewer themself: someone else decides it (service.OWN_POINTS)."""


def claim_condition(identity: Identity) -> ColumnElement[bool]:
    """The people this account may claim points for."""
    if Role.TENANT_ADMIN in identity.roles:
        return true()
    own = Person.user_id == identity.user_id
    if not identity.scope.empty:
        return served_by(identity.scope) | own
    return own if Role.MEMBER in identity.roles else false()


def may_award(identity: Identity) -> bool:
    return bool(identity.roles & {Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})


async def claimable(session: AsyncSession, identity: Identity, person_id: UUID) -> Person:
    """A party member this account may claim for; anyone else is NotFound."""
    person = await session.scalar(
        select(Person).where(Person.id == person_id, Person.party_member, claim_condition(identity))
    )
    if person is None:
        raise NotFound()
    return person


def waiting_count(identity: Identity) -> Select[int] | None:
    """How many claims wait for this secretary's (or admin's) decision: the count of
    the claims page's "waiting for your approval" (their own claims are decided by
    someone else). None for an account that decides no claims."""
    if not may_award(identity):
        return None
    return (
        select(func.count())
        .select_from(Claim)
        .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
        .where(
            Claim.status == ClaimStatus.PENDING,
            people_in(identity.scope),
            Person.user_id.is_distinct_from(identity.user_id),
        )
    )


class ClaimLists:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- what the forms offer -------------------------------------------------------

    async def person_for(self, identity: Identity, person_id: UUID) -> Person:
        return await claimable(self.session, identity, person_id)

    async def pick(self, identity: Identity, query: str) -> list[tuple[Person, str]]:
        """Party members to claim for, by name or pinyin (no phone or ID search here)."""
        text = normalise_query(query)
        found = select(Person, OrgUnit.name).join(
            OrgUnit,
            and_(OrgUnit.tenant_id == Person.tenant_id, OrgUnit.id == Person.branch_id),
        )
        found = found.where(
            claim_condition(identity),
            Person.party_member,
            Person.deceased_on.is_(None),
            ~Person.infirm,
        )
        if not text:  # before a search: oneself, when one is a party member
            found = found.where(Person.user_id == identity.user_id)
        elif looks_like_pinyin(text):
            found = found.where(Person.search_keys.like(f"%{text}%"))
        else:
            found = found.where(Person.name.contains(query.strip(), autoescape=True))
        rows = await self.session.execute(found.order_by(Person.sort_key).limit(PICK_LIMIT))
        return [(p, branch) for p, branch in rows]

    async def kept(self) -> Kept:
        """The days a claim may be dated in: since the district's first rules."""
        return await kept(self.session)

    @staticmethod
    def claims_for_others(identity: Identity) -> bool:
        """Whether this account may claim for anyone but themself (see claim_condition):
        a member claims only for themself, so their form offers no one else."""
        return Role.TENANT_ADMIN in identity.roles or not identity.scope.empty

    async def own_person(self, identity: Identity) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.user_id == identity.user_id))

    async def items(self, identity: Identity, *, award: bool) -> list[tuple[str, list[RuleItem]]]:
        """Items of the rules in force today that this form may use, by category.

        Claims use items a grid worker may claim (and, for a member claiming for
        themself, only those that add points); awards use items a secretary awards.
        Items scored only by an automatic source are never offered.
        """
        version = await in_force(self.session)
        if version is None:
            return []
        wanted = Awarder.SECRETARY if award else Awarder.GRID_WORKER
        query = (
            select(RuleCategory.name, RuleItem)
            .join(RuleCategory, and_(RuleCategory.tenant_id == RuleItem.tenant_id,
                                     RuleCategory.id == RuleItem.category_id))
            .where(RuleItem.rule_set_id == version.id, RuleItem.awarders.any_() == wanted)
            .order_by(RuleCategory.position, RuleItem.position)
        )  # fmt: skip
        if not award and not identity.roles & {Role.GRID_WORKER, Role.BRANCH_SECRETARY}:
            query = query.where(RuleItem.points > 0)
        grouped: dict[str, list[RuleItem]] = {}
        for category, item in await self.session.execute(query):
            grouped.setdefault(category, []).append(item)
        return list(grouped.items())

    # --- lists ---------------------------------------------------------------------

    async def waiting(self, identity: Identity) -> int:
        """How many claims wait for this secretary (or admin) to decide: not those for
        themself, which someone else decides."""
        query = waiting_count(identity)
        return (await self.session.scalar(query) or 0) if query is not None else 0

    async def to_decide(self, identity: Identity) -> list[ClaimRow]:
        """Pending claims for the people this secretary (or admin) decides, oldest first;
        one for themself is listed as theirs, to be decided by someone else."""
        if not may_award(identity):
            return []
        return await self._rows(
            [Claim.status == ClaimStatus.PENDING, people_in(identity.scope)],
            Claim.claimed_at.asc(),
            viewer=identity,
        )

    async def mine(self, identity: Identity, limit: int = 50) -> list[ClaimRow]:
        """Claims this account made, newest first."""
        return await self._rows([Claim.claimed_by == identity.user_id], Claim.claimed_at.desc(),
                                limit)  # fmt: skip

    async def _rows(
        self, where: list[Any], order: Any, limit: int = 200, viewer: Identity | None = None
    ) -> list[ClaimRow]:
        query = (
            select(Claim, Person.name, OrgUnit.name, RuleItem.code, RuleItem.name,
                   RuleItem.points, Person.user_id)
            .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
            .join(RuleItem, and_(RuleItem.tenant_id == Claim.tenant_id,
                                 RuleItem.id == Claim.rule_item_id))
            .outerjoin(OrgUnit, and_(OrgUnit.tenant_id == Person.tenant_id,
                                     OrgUnit.id == Person.branch_id))
            .where(*where)
            .order_by(order)
            .limit(limit)
        )  # fmt: skip
        viewer_id = viewer.user_id if viewer else None
        return [
            ClaimRow(claim, name, branch or "", code, item_name, points * claim.quantity,
                     own=viewer_id is not None and user_id == viewer_id)
            for claim, name, branch, code, item_name, points, user_id
            in await self.session.execute(query)
        ]  # fmt: skip

    async def photo(self, identity: Identity, photo_id: UUID) -> bytes:
        """A claim's photo, for the claimant and those who decide it."""
        visible = people_in(identity.scope) if may_award(identity) else false()
        found = await self.session.scalar(
            select(Photo.content)
            .join(Claim, and_(Claim.tenant_id == Photo.tenant_id, Claim.photo_id == Photo.id))
            .join(Person, and_(Person.tenant_id == Claim.tenant_id, Person.id == Claim.person_id))
            .where(Photo.id == photo_id, visible | (Claim.claimed_by == identity.user_id))
            .limit(1)
        )
        if found is None:
            raise NotFound()
        return found
