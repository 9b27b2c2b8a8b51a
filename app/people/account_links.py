"""Which roster person an account is: the link a secretary's data scope and a member's
home hang on (`people.user_id`, one person per account).

An administrator links them on the person's page. An invitation accepted with the name
and mobile number of exactly one living person of the roster who has no account yet
links them at once, in the transaction that creates the account and with an audit event
(`link_invited`) — the admin who names 张建国 secretary and then invites him with his
number has done all a bureau expects to do. Anything less certain is left to the admin:
two people sharing a name and number (a father's phone kept for his son), a person
already linked, the deceased. The invitation link page says beforehand which it will be
(`invitation_match`); the accounts list and an account's page show what is missing and
the likely people; whoever meets an unlinked account is told whom to ask
(`admins_to_ask`). Everything runs under the district's row-level security, so no link
crosses districts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Invitation, User, UserRole
from app.audit.service import record
from app.core.forms import FieldError
from app.core.identity import Actor
from app.core.roles import Role
from app.core.validators import mainland_mobile
from app.people.models import Person
from app.people.org.service import unit_labels

CANDIDATES = 10


@dataclass(frozen=True)
class RosterPerson:
    """A person as an account's page names them: who, and where in the tree."""

    id: UUID
    name: str
    place: str
    """Their branch (and group), e.g. 第一支部 / 第一党小组; "" for none."""
    phone: str | None = None


@dataclass(frozen=True)
class InvitationMatch:
    """Whom an invitation's name and number find in the roster: `person` when acceptance
    will link them; else how many living people share both (`same`), and whether the one
    that does already logs in with another account (`taken`)."""

    person: RosterPerson | None
    same: int = 0
    taken: bool = False


@dataclass(frozen=True)
class AccountLink:
    """An account's person, or, while it has none, the people it may be."""

    person: RosterPerson | None
    candidates: list[RosterPerson] = field(default_factory=list)


def _living_namesakes(name: str, phone: str) -> ColumnElement[bool]:
    return and_(Person.name == name, Person.phone == phone, Person.deceased_on.is_(None))


async def _described(session: AsyncSession, people: Iterable[Person]) -> list[RosterPerson]:
    people = list(people)
    labels = await unit_labels(
        session, {u for p in people for u in (p.branch_id, p.group_id) if u is not None}
    )
    return [
        RosterPerson(
            p.id,
            p.name,
            " / ".join(labels[u] for u in (p.branch_id, p.group_id) if u in labels),
            p.phone,
        )
        for p in people
    ]


async def _match(session: AsyncSession, name: str, phone: str) -> InvitationMatch:
    found = list(
        await session.scalars(select(Person).where(_living_namesakes(name, phone)).limit(2))
    )
    if len(found) != 1:
        return InvitationMatch(None, same=len(found))
    if found[0].user_id is not None:
        return InvitationMatch(None, same=1, taken=True)
    return InvitationMatch((await _described(session, found))[0], same=1)


async def invitation_match(session: AsyncSession, name: str, phone: str) -> InvitationMatch:
    """What accepting an invitation for this name and number will link (the invitation
    page tells the admin before the link is sent)."""
    return await _match(session, name, phone)


async def invitation_prefill(session: AsyncSession, person_id: UUID) -> dict[str, str]:
    """An invitation form filled in from a person's page: their name, and their phone if
    it is a mobile (an account needs one); {} for no such person here."""
    person = await session.scalar(select(Person).where(Person.id == person_id))
    if person is None:
        return {}
    try:
        phone = mainland_mobile(person.phone or "")
    except FieldError:
        phone = ""
    return {"name": person.name, "phone": phone}


async def link_invited(session: AsyncSession, user: User) -> UUID | None:
    """In the transaction that creates an invited account: link it to the one living
    person with its name and mobile number who has no account yet, and record it. The
    update re-checks that the person is still unlinked, so two acceptances at once
    cannot both take them; the account, being new, belongs to no one."""
    match = await _match(session, user.name, user.phone)
    if match.person is None:
        return None
    linked = await session.scalar(
        update(Person)
        .where(Person.id == match.person.id, Person.user_id.is_(None))
        .values(user_id=user.id)
        .returning(Person.id)
    )
    if linked is None:
        return None
    await record(
        session, Actor("user", user.name, user.id), "person.account_linked",
        subject_type="person", subject_id=linked, subject_name=match.person.name,
        changes={"account": [None, user.name]},
    )  # fmt: skip
    return linked


async def linked_people(
    session: AsyncSession, user_ids: Iterable[UUID]
) -> dict[UUID, RosterPerson]:
    """The person each of these accounts is, for those linked."""
    people = list(await session.scalars(select(Person).where(Person.user_id.in_(list(user_ids)))))
    described = await _described(session, people)
    return {p.user_id: d for p, d in zip(people, described, strict=True) if p.user_id}


async def account_link(session: AsyncSession, user_id: UUID) -> AccountLink:
    """An account's person, or the living people without an account it may be: those
    with its mobile number first, then those with its name."""
    person = await session.scalar(select(Person).where(Person.user_id == user_id))
    if person is not None:
        return AccountLink((await _described(session, [person]))[0])
    account = await session.scalar(select(User).where(User.id == user_id))
    if account is None:
        return AccountLink(None)
    found = await session.scalars(
        select(Person)
        .where(
            or_(Person.phone == account.phone, Person.name == account.name),
            Person.user_id.is_(None),
            Person.deceased_on.is_(None),
        )
        .order_by((Person.phone == account.phone).desc(), Person.sort_key, Person.id)
        .limit(CANDIDATES)
    )
    return AccountLink(None, await _described(session, found))


async def own_person(session: AsyncSession, user_id: UUID) -> RosterPerson | None:
    """The person this account is, if linked."""
    person = await session.scalar(select(Person).where(Person.user_id == user_id))
    return (await _described(session, [person]))[0] if person else None


async def admins_to_ask(session: AsyncSession, user_id: UUID, limit: int = 3) -> list[str]:
    """The district administrators someone should ask (to link their account to the
    roster, say): the one who invited them first, if still active."""
    inviter = (
        select(Invitation.invited_by)
        .where(
            Invitation.phone == select(User.phone).where(User.id == user_id).scalar_subquery(),
            Invitation.accepted_at.is_not(None),
        )
        .order_by(Invitation.accepted_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(User.name)
        .join(UserRole, and_(UserRole.tenant_id == User.tenant_id, UserRole.user_id == User.id))
        .where(UserRole.role == Role.TENANT_ADMIN, User.is_active)
        .order_by((User.id == inviter).is_(True).desc(), User.name)
        .limit(limit)
    )
    return list(await session.scalars(query))
