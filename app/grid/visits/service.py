"""Visits and concerns: what a grid worker logs on the phone.

A visit is written once and never rewritten (the runtime role may only insert). It
answers the due items it satisfies, in the same transaction, and its four knows become
the person's current card and the next visit's starting text.

Who may log for whom: a grid worker for the people of their grids, unit leaders for
the people under their units, the district admin for everyone. Anyone else of the
district gets a plain refusal, not a 404: the worker asked for a name they were given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.forms import FieldError
from app.core.identity import Identity
from app.db.form_ids import FormUsed, hold_form_id
from app.db.tenant import require_tenant
from app.grid import due
from app.grid.models import (
    CONCERN_TRIGGERS,
    SATISFIED_BY,
    Concern,
    GridAssignment,
    Place,
    Trigger,
    Visit,
    VisitDueItem,
    VisitKind,
    VisitPhoto,
    VisitRule,
)
from app.grid.scope import served_by
from app.grid.visits.forms import KNOWS, MAX_KNOW, VisitForm, text_of
from app.grid.visits.notices import tell_follow_up
from app.i18n import N_
from app.people.models import Person
from app.people.search import search_condition

PICK_LIMIT = 20
JPEG = "image/jpeg"
FORM_USED = N_(
    "This form was already used to save a different visit, so nothing was saved. Check "
    "what you typed and save again to log it as a new visit."
)
NOT_YOURS = N_(
    "%(name)s is not in your grids. Ask the district administrator to assign them to you."
)


@dataclass(frozen=True)
class LoggedVisit:
    visit: Visit
    answered: list[str]
    """Names of the rules whose due items this visit answered."""
    repeated: bool = False
    """The same form was sent again (a retry): the visit was already saved."""
    not_yet: list[due.NotYetOpen] = field(default_factory=list)
    """Items of the kind this visit gives whose window had not opened on its date."""


def same_visit(visit: Visit) -> tuple[Any, ...]:
    """What a retry of the form that saved `visit` sends again (the photo by presence:
    the stored one is re-encoded)."""
    return (
        visit.visitor_id, visit.person_id, visit.kind, visit.place, visit.visited_on, visit.notes,
        *(getattr(visit, key) for key in KNOWS), visit.follow_up, visit.condolence_money,
        visit.condolence_gifts, visit.photo_id is not None,
    )  # fmt: skip


class VisitService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def person_in_scope(
        self, identity: Identity, person_id: UUID, *, named: bool = True
    ) -> Person:
        """The person, if this user may serve them. Another district's (or a missing)
        person is NotFound. One of this district outside the user's grids is refused by
        name when the worker chose them in a form (`named`), else NotFound too."""
        person = await self.session.get(Person, {"tenant_id": require_tenant(), "id": person_id})
        if person is None:
            raise NotFound()
        if not await self.serves(identity, person_id):
            if not named:
                raise NotFound()
            raise Refused(NOT_YOURS, name=person.name)
        return person

    async def serves(self, identity: Identity, person_id: UUID) -> bool:
        inside = await self.session.scalar(
            select(Person.id).where(Person.id == person_id, served_by(identity.scope))
        )
        return inside is not None

    async def last_knows(self, person_id: UUID) -> dict[str, Any]:
        """The four knows from the latest visit that wrote any of them."""
        visit = await self.session.scalar(
            select(Visit)
            .where(
                Visit.person_id == person_id,
                (Visit.knows_where.is_not(None))
                | (Visit.knows_doing.is_not(None))
                | (Visit.knows_difficulties.is_not(None))
                | (Visit.knows_help.is_not(None)),
            )
            .order_by(Visit.visited_on.desc(), Visit.logged_at.desc())
            .limit(1)
        )
        if visit is None:
            return {}
        return {key: getattr(visit, key) or "" for key in KNOWS} | {
            "visited_on": visit.visited_on,
            "visitor_name": visit.visitor_name,
        }

    async def form_context(
        self,
        identity: Identity,
        person_id: UUID,
        *,
        named: bool = True,
        trigger: str | None = None,
    ) -> dict[str, Any]:
        """What the visit form starts from: the person, the four knows of last time,
        and the kind the due item it was opened from asks for (`trigger`), else the
        oldest open item's (a hospital item → hospital visit)."""
        person = await self.person_in_scope(identity, person_id, named=named)
        knows = await self.last_knows(person_id)
        wanted = trigger or await self.session.scalar(
            select(VisitRule.trigger)
            .join(
                VisitDueItem,
                (VisitDueItem.tenant_id == VisitRule.tenant_id)
                & (VisitDueItem.rule_id == VisitRule.id),
            )
            .where(
                VisitDueItem.person_id == person_id,
                VisitDueItem.visit_id.is_(None),
                VisitDueItem.opens_on <= clock.today(),
            )
            .order_by(VisitDueItem.due_at)
            .limit(1)
        )
        not_yet = await due.not_yet_open(self.session, person_id, clock.today())
        kind = SATISFIED_BY[Trigger(wanted)] if wanted else VisitKind.ROUTINE
        if person.deceased_on is not None:  # only the family's condolence visit is left
            kind = VisitKind.CONDOLENCE
        place = Place.HOSPITAL if kind == VisitKind.HOSPITAL else Place.HOME
        return {"person": person, "knows": knows, "kind": kind.value, "place": place.value,
                "not_yet": not_yet}  # fmt: skip

    async def log(self, identity: Identity, form: VisitForm) -> LoggedVisit:
        session = self.session
        person = await self.person_in_scope(identity, form.person_id)
        if (
            person.deceased_on is not None
            and form.visited_on > person.deceased_on
            and form.kind != VisitKind.CONDOLENCE  # 吊唁: to the family (app.care)
        ):
            raise Refused(N_("%(name)s has passed away."), name=person.name)
        if person.deceased_on is None and form.kind == VisitKind.CONDOLENCE:
            raise Refused(
                N_("A condolence visit is only for the family of a member who has passed away.")
            )
        await hold_form_id(session, "visits", form.id)
        saved = await session.get(Visit, {"tenant_id": require_tenant(), "id": form.id})
        if saved is not None:
            sent = (identity.user_id, person.id, form.kind, form.place, form.visited_on,
                    form.notes, *form.knows, form.follow_up, form.condolence_money,
                    form.condolence_gifts, form.photo is not None)  # fmt: skip
            if sent != same_visit(saved):
                raise FormUsed(FORM_USED)
            return LoggedVisit(saved, [], repeated=True)
        photo_id = None
        if form.photo:
            photo = VisitPhoto(
                tenant_id=require_tenant(), content=form.photo,
                content_type=JPEG, uploaded_by=identity.user_id,
            )  # fmt: skip
            session.add(photo)
            await session.flush()
            photo_id = photo.id
        grid_id = await session.scalar(
            select(GridAssignment.grid_id).where(
                GridAssignment.person_id == person.id, GridAssignment.ends_at.is_(None)
            )
        )
        visit = Visit(
            id=form.id, tenant_id=require_tenant(), person_id=person.id,
            visited_on=form.visited_on,
            kind=form.kind, place=form.place, notes=form.notes,
            **dict(zip(KNOWS, form.knows, strict=True)), follow_up=form.follow_up,
            condolence_money=form.condolence_money, condolence_gifts=form.condolence_gifts,
            photo_id=photo_id, grid_id=grid_id,
            visitor_id=identity.user_id, visitor_name=identity.name, logged_at=clock.now(),
        )  # fmt: skip
        session.add(visit)
        await session.flush()
        answered_ids = await due.resolve(session, [person.id])
        answered = list(
            await session.scalars(
                select(VisitRule.name)
                .join(
                    VisitDueItem,
                    (VisitDueItem.tenant_id == VisitRule.tenant_id)
                    & (VisitDueItem.rule_id == VisitRule.id),
                )
                .where(VisitDueItem.id.in_(answered_ids))
                .order_by(VisitRule.position)
            )
        )
        not_yet = await due.not_yet_open(session, person.id, form.visited_on, form.kind)
        if visit.follow_up:
            await tell_follow_up(session, visit, person)
        await session.commit()
        return LoggedVisit(visit, answered, not_yet=not_yet)

    async def visit(self, identity: Identity, visit_id: UUID) -> Visit:
        visit = await self.session.get(Visit, {"tenant_id": require_tenant(), "id": visit_id})
        if visit is None or not await self.serves(identity, visit.person_id):
            raise NotFound()
        return visit

    async def photo(self, identity: Identity, photo_id: UUID) -> bytes:
        content = await self.session.scalar(
            select(VisitPhoto.content)
            .join(
                Visit,
                (Visit.tenant_id == VisitPhoto.tenant_id) & (Visit.photo_id == VisitPhoto.id),
            )
            .join(Person, (Person.tenant_id == Visit.tenant_id) & (Person.id == Visit.person_id))
            .where(VisitPhoto.id == photo_id, served_by(identity.scope))
        )
        if content is None:
            raise NotFound()
        return content

    async def history(self, person_id: UUID, limit: int = 30) -> list[Visit]:
        found = await self.session.scalars(
            select(Visit)
            .where(Visit.person_id == person_id)
            .order_by(Visit.visited_on.desc(), Visit.logged_at.desc())
            .limit(limit)
        )
        return list(found)

    # Concerns: noted from the person's page; each asks for a visit by its rule.

    async def note_concern(
        self, identity: Identity, person_id: UUID, kind: str, note: str
    ) -> Concern:
        """A concern noted from the person's card (a select and a line of text, sent
        back by a message on the card rather than as a form to correct)."""
        session = self.session
        person = await self.person_in_scope(identity, person_id, named=False)
        if kind not in set(CONCERN_TRIGGERS):
            raise Refused(N_("Please choose what happened."))
        try:
            noted = text_of(MAX_KNOW)(note)
        except FieldError as exc:
            raise Refused(exc.message, **exc.args_) from exc
        concern = Concern(
            tenant_id=require_tenant(), person_id=person.id, kind=kind,
            note=noted, noted_at=clock.now(), noted_by=identity.user_id,
        )  # fmt: skip
        session.add(concern)
        await session.flush()
        await due.add_concern_item(session, concern)
        await due.resolve(session, [person.id])
        await session.commit()
        return concern

    async def close_concern(self, identity: Identity, concern_id: UUID) -> Concern:
        """Closing a concern (back home, settled) drops its visit if none was made yet."""
        session = self.session
        concern = await session.get(
            Concern, {"tenant_id": require_tenant(), "id": concern_id}, with_for_update=True
        )
        if concern is None or not await self.serves(identity, concern.person_id):
            raise NotFound()
        if concern.closed_at is not None:
            raise Refused(N_("This was already closed."))
        concern.closed_at, concern.closed_by = clock.now(), identity.user_id
        await session.execute(
            delete(VisitDueItem).where(
                VisitDueItem.concern_id == concern.id, VisitDueItem.visit_id.is_(None)
            )
        )
        await session.commit()
        return concern

    async def pick(self, identity: Identity, query: str) -> list[Person]:
        """People this user serves, by name, pinyin or phone tail; none before a search."""
        condition = search_condition(query)
        if condition is None:
            return []
        found = await self.session.scalars(
            select(Person)
            .where(condition, served_by(identity.scope), Person.deceased_on.is_(None))
            .order_by(Person.sort_key)
            .limit(PICK_LIMIT)
        )
        return list(found)
