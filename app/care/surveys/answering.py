"""A member's side of a survey — the surveys open to them, the form, the answer — and
how answers reach the database: never beside the participation that says who gave them.

Answering (one request, two transactions that share nothing):
1. the survey row is locked for share (a close waits for us) and checked open and in
   the member's scope; the participation row is inserted and flushed, so a second
   answer meets the primary key here — before anything is pooled;
2. the answer, under a fresh random id, is put into the survey's pool in Valkey
   (app.care.surveys.pool) and the participation is committed (taken back out of the
   pool if that commit fails);
3. in a new transaction, with no participation in it, a whole batch (at least five)
   is written if one waits: shuffled, in one statement. If that fails, the member is
   still thanked (their answer waits in the pool); the next batch writes it.
At the close, fewer than five still waiting are not written at all (`close_pool`):
comparing the results before and after would show what those few answered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import structlog
from redis.asyncio import Redis
from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.surveys.forms import Asked, parse_answers
from app.care.surveys.models import Answer, Participant, Question, Status, Survey
from app.care.surveys.pool import BATCH, AnswerPool, Pooled
from app.core.crypto import IdCipher
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.core.scope import Scope
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.people.scope import people_in

ALREADY = N_("You have already answered this survey. Each member answers once. Thank you!")
OUTSIDE = N_("This survey is for %(whom)s. You are not among them, so you cannot answer it.")
NOT_OPEN = N_("This survey is not open for answers.")
log = structlog.get_logger("redstar.care.surveys")

NO_PERSON = N_("Your account is not linked to a member of the roster, so you cannot answer "
               "surveys. Please ask the district office.")  # fmt: skip


def scope_of(survey: Survey) -> Scope:
    """The survey's members as a data scope: a unit's subtree, or everyone."""
    return Scope.EVERYONE if survey.unit_id is None else Scope(units=frozenset({survey.unit_id}))


def in_scope(survey: Survey) -> Any:
    """People the survey asks: alive, inside its unit (or the district)."""
    return (Person.deceased_on.is_(None)) & people_in(scope_of(survey))


@dataclass(frozen=True)
class OpenSurvey:
    survey: Survey
    unit_name: str | None
    answered: bool


class AnswerService:
    def __init__(self, session: AsyncSession, redis: Redis, cipher: IdCipher) -> None:
        self.session = session
        self.redis = redis
        self.cipher = cipher

    def pool(self, survey: Survey) -> AnswerPool:
        return AnswerPool(self.redis, self.cipher, survey.tenant_id, survey.id)

    async def member_units(self, identity: Identity) -> frozenset[UUID] | None:
        """Every unit the member is inside (their branch's and group's paths); None if
        the account has no living person on the roster."""
        if identity.person_id is None:
            return None
        person = await self.session.get(
            Person, {"tenant_id": identity.tenant_id, "id": identity.person_id}
        )
        if person is None or person.deceased_on is not None:
            return None
        ids = [u for u in (person.branch_id, person.group_id) if u]
        paths = await self.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(ids)))
        return frozenset(unit for path in paths for unit in path)

    async def mine(self, identity: Identity) -> list[OpenSurvey]:
        """Open surveys that ask this member, and closed ones they answered."""
        units = await self.member_units(identity)
        if units is None:
            return []
        answered = exists().where(
            Participant.survey_id == Survey.id, Participant.person_id == identity.person_id
        )
        rows = await self.session.execute(
            select(Survey, OrgUnit.name, answered)
            .outerjoin(OrgUnit, OrgUnit.id == Survey.unit_id)
            .where(Survey.unit_id.is_(None) | Survey.unit_id.in_(units))
            .where((Survey.status == Status.OPEN) | ((Survey.status == Status.CLOSED) & answered))
            .order_by(Survey.status.desc(), Survey.opened_on.desc(), Survey.title)
        )
        return [OpenSurvey(s, name, bool(done)) for s, name, done in rows.all()]

    async def survey_for(self, identity: Identity, survey_id: UUID) -> OpenSurvey:
        """The survey as this member may see it; NotFound for a draft or another
        district's, Refused (in words) for one not theirs."""
        survey = await self.session.get(Survey, {"tenant_id": identity.tenant_id, "id": survey_id})
        if survey is None or survey.status == Status.DRAFT:
            raise NotFound(survey_id)
        unit = (
            await self.session.get(OrgUnit, {"tenant_id": survey.tenant_id, "id": survey.unit_id})
            if survey.unit_id
            else None
        )
        units = await self.member_units(identity)
        if units is None:
            raise Refused(NO_PERSON)
        if unit is not None and unit.id not in units:
            raise Refused(OUTSIDE, whom=unit.name)
        answered = await self.session.scalar(
            select(Participant.person_id).where(
                Participant.survey_id == survey.id, Participant.person_id == identity.person_id
            )
        )
        return OpenSurvey(survey, unit.name if unit else None, answered is not None)

    async def questions(self, survey_id: UUID) -> list[Question]:
        found = await self.session.scalars(
            select(Question).where(Question.survey_id == survey_id).order_by(Question.position)
        )
        return list(found)

    async def answer(self, identity: Identity, survey_id: UUID, data: dict[str, str]) -> None:
        """Record that this member answered and pool what they answered (the module's
        docstring). Refused, with nothing written, for a second answer, someone outside
        the survey's members or a survey not open."""
        shown = await self.survey_for(identity, survey_id)
        survey = await self.session.scalar(
            select(Survey)
            .where(Survey.id == survey_id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)  # as it is once a close let go
        )
        assert survey is not None and identity.person_id is not None
        if survey.status != Status.OPEN:
            raise Refused(NOT_OPEN)
        if shown.answered:
            raise Refused(ALREADY)
        asked = [Asked(q.position, q.kind, q.options) for q in await self.questions(survey_id)]
        answers = parse_answers(asked, data)
        took_part = Participant(
            tenant_id=survey.tenant_id, survey_id=survey.id, person_id=identity.person_id
        )
        self.session.add(took_part)
        try:
            await self.session.flush()
        except IntegrityError as exc:  # the same member, answering in another tab just now
            await self.session.rollback()
            raise Refused(ALREADY) from exc
        pool = self.pool(survey)
        sealed = pool.seal(Pooled(uuid4(), answers))
        await pool.put(sealed)
        try:
            await self.session.commit()  # final before the batch below: see the docstring
        except Exception:
            await pool.take_back(sealed)
            raise
        try:
            await write_batch(self.session, pool, survey_id)
        except Exception:  # the answer is recorded and waits: the next batch writes it
            await self.session.rollback()
            log.exception("care.survey.batch_not_written", survey_id=str(survey_id))


async def write_batch(session: AsyncSession, pool: AnswerPool, survey_id: UUID) -> int:
    """Write a waiting batch of at least BATCH answers, shuffled, in a transaction of
    its own (commits); how many were written. Nothing once the survey is closed."""
    if session.in_transaction():
        await session.commit()
    status = await session.scalar(
        select(Survey.status).where(Survey.id == survey_id).with_for_update(read=True)
    )
    claimed = await pool.claim(BATCH) if status == Status.OPEN else []
    await _insert_shuffled(session, pool, survey_id, claimed)
    await session.commit()
    if claimed:
        await pool.written()
    return len(claimed)


async def close_pool(session: AsyncSession, pool: AnswerPool, survey_id: UUID) -> int:
    """At the close, in the caller's transaction (which has locked the survey, so no
    writer runs): what waits is written only if it makes a whole batch (a batch a
    writer claimed and never wrote); fewer are left out, so the results never move by
    fewer than BATCH answers. How many were left out. The caller commits, then calls
    `pool.forget()`."""
    pending = await pool.everything()
    if pending:  # a writer may have committed its batch and died before forgetting it
        stored = set(
            await session.scalars(select(Answer.id).where(Answer.id.in_([a.id for a in pending])))
        )
        pending = [a for a in pending if a.id not in stored]
    if len(pending) < BATCH:
        return len(pending)
    await _insert_shuffled(session, pool, survey_id, pending)
    return 0


async def _insert_shuffled(
    session: AsyncSession, pool: AnswerPool, survey_id: UUID, claimed: list[Pooled]
) -> None:
    """One statement, in random order; an answer already written (same random id) is
    skipped."""
    if not claimed:
        return
    random.SystemRandom().shuffle(claimed)
    rows = [{"tenant_id": pool.tenant_id, "id": a.id, "survey_id": survey_id,
             "answers": a.answers} for a in claimed]  # fmt: skip
    await session.execute(insert(Answer).values(rows).on_conflict_do_nothing())


async def answer_count(session: AsyncSession, survey_id: UUID) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Answer).where(Answer.survey_id == survey_id)
    )
    return int(found or 0)
