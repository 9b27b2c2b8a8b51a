"""Running a survey: the admin (any unit, or the whole district) or a secretary (the
units they lead) makes one, adds its questions while it is a draft, opens it, closes
it, and reads its results — which show only once MIN_ANSWERS answers are written."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.surveys.answering import AnswerService, answer_count, close_pool, in_scope
from app.care.surveys.forms import MAX_QUESTIONS, QuestionForm, SurveyForm
from app.care.surveys.models import Answer, Participant, Question, Status, Survey
from app.care.surveys.results import MIN_ANSWERS, Results, results_of
from app.care.surveys.results import Question as Asked
from app.core import clock
from app.core.crypto import IdCipher
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.i18n import N_
from app.people.models import OrgUnit, Person, UnitKind
from app.people.scope import units_under

NO_UNITS = N_("You lead no branch or center, so you have no surveys to run.")
NOT_DRAFT = N_("Questions can only be changed before the survey opens.")


@dataclass(frozen=True)
class Listed:
    survey: Survey
    unit_name: str | None
    answered: int


@dataclass(frozen=True)
class Detail:
    survey: Survey
    unit_name: str | None
    questions: list[Question]
    answered: int
    """Participation: members who have answered."""
    asked: int
    """Living members in the survey's scope."""
    with_account: int
    """Of them, those with an account, who can answer on a phone."""
    results: Results | None
    """None until MIN_ANSWERS answers are written."""
    counted: int
    """Answers written, that the results count."""

    @property
    def left_out(self) -> int:
        """Once closed: the last answers (fewer than five) the close did not write."""
        return self.answered - self.counted if self.survey.status == Status.CLOSED else 0


class SurveyService:
    def __init__(self, session: AsyncSession, redis: Redis, cipher: IdCipher) -> None:
        self.session = session
        self.answers = AnswerService(session, redis, cipher)

    @staticmethod
    def runs_surveys(identity: Identity) -> bool:
        return identity.scope.edits_roster

    async def units(self, identity: Identity) -> list[OrgUnit]:
        """The units a survey may ask: centers, sub-centers and branches in scope."""
        found = await self.session.scalars(
            select(OrgUnit)
            .where(units_under(identity.scope), OrgUnit.retired_at.is_(None))
            .where(OrgUnit.kind != UnitKind.GROUP)
            .order_by(OrgUnit.path)
        )
        return list(found)

    async def surveys(self, identity: Identity) -> list[Listed]:
        if not self.runs_surveys(identity):
            raise Refused(NO_UNITS)
        answered = (
            select(func.count())
            .where(Participant.survey_id == Survey.id)
            .correlate(Survey)
            .scalar_subquery()
        )
        query = select(Survey, OrgUnit.name, answered).outerjoin(
            OrgUnit, OrgUnit.id == Survey.unit_id
        )
        if not identity.scope.everyone:
            led = select(OrgUnit.id).where(units_under(identity.scope))
            query = query.where(Survey.unit_id.in_(led))
        rows = await self.session.execute(query.order_by(Survey.created_at.desc()))
        return [Listed(s, name, n) for s, name, n in rows.all()]

    async def owned(self, identity: Identity, survey_id: UUID, *, lock: bool = False) -> Survey:
        """A survey this account runs: the admin's district's, or one asking a unit the
        account leads; NotFound otherwise."""
        query = select(Survey).where(Survey.id == survey_id)
        if lock:
            query = query.with_for_update()
        survey = await self.session.scalar(query)
        if survey is None or not self.runs_surveys(identity):
            raise NotFound(survey_id)
        if not identity.scope.everyone:
            inside = await self.session.scalar(
                select(OrgUnit.id).where(OrgUnit.id == survey.unit_id, units_under(identity.scope))
            )
            if inside is None:
                raise NotFound(survey_id)
        return survey

    async def create(self, identity: Identity, form: SurveyForm) -> Survey:
        if not self.runs_surveys(identity):
            raise Refused(NO_UNITS)
        allowed = {unit.id for unit in await self.units(identity)}
        if (form.unit_id is None and not identity.scope.everyone) or (
            form.unit_id is not None and form.unit_id not in allowed
        ):
            raise InvalidForm({"scope": N_("Please choose who is asked.")})
        survey = Survey(
            tenant_id=identity.tenant_id, title=form.title, intro=form.intro,
            unit_id=form.unit_id, created_by=identity.user_id, created_by_name=identity.name,
        )  # fmt: skip
        self.session.add(survey)
        await self.session.flush()
        return survey

    async def add_question(self, identity: Identity, survey_id: UUID, form: QuestionForm) -> None:
        survey = await self.owned(identity, survey_id, lock=True)
        if survey.status != Status.DRAFT:
            raise Refused(NOT_DRAFT)
        questions = await self.answers.questions(survey_id)
        if len(questions) >= MAX_QUESTIONS:
            raise Refused(N_("A survey can have at most %(n)s questions."), n=MAX_QUESTIONS)
        self.session.add(
            Question(tenant_id=survey.tenant_id, survey_id=survey_id, position=len(questions) + 1,
                     kind=form.kind, text=form.text, options=list(form.options))
        )  # fmt: skip

    async def remove_question(self, identity: Identity, survey_id: UUID, position: str) -> None:
        survey = await self.owned(identity, survey_id, lock=True)
        if survey.status != Status.DRAFT:
            raise Refused(NOT_DRAFT)
        questions = await self.answers.questions(survey_id)
        gone = next((q for q in questions if str(q.position) == position.strip()), None)
        if gone is None:
            raise Refused(N_("That question is no longer there."))
        await self.session.delete(gone)
        await self.session.flush()
        for question in questions:  # close the gap, keeping the order
            if question.position > gone.position:
                await self.session.execute(
                    update(Question)
                    .where(Question.survey_id == survey_id, Question.position == question.position)
                    .values(position=question.position - 1)
                )

    async def open(self, identity: Identity, survey_id: UUID) -> Survey:
        survey = await self.owned(identity, survey_id, lock=True)
        if survey.status != Status.DRAFT:
            raise Refused(N_("This survey is already open or closed."))
        if not await self.answers.questions(survey_id):
            raise Refused(N_("Please add at least one question before opening the survey."))
        survey.status, survey.opened_on = Status.OPEN, clock.today()
        return survey

    async def close(self, identity: Identity, survey_id: UUID) -> Survey:
        """Closed; fewer than five answers still waiting are left out, not written
        (`close_pool`). Commits here so the pool is emptied only after the close is safe."""
        survey = await self.owned(identity, survey_id, lock=True)
        if survey.status != Status.OPEN:
            raise Refused(N_("Only an open survey can be closed."))
        survey.status, survey.closed_on = Status.CLOSED, clock.today()
        pool = self.answers.pool(survey)
        await close_pool(self.session, pool, survey_id)
        await self.session.commit()
        await pool.forget()
        return survey

    async def detail(self, identity: Identity, survey_id: UUID) -> Detail:
        survey = await self.owned(identity, survey_id)
        unit_name = (
            await self.session.scalar(select(OrgUnit.name).where(OrgUnit.id == survey.unit_id))
            if survey.unit_id
            else None
        )
        questions = await self.answers.questions(survey_id)
        answered = await self.session.scalar(
            select(func.count()).select_from(Participant).where(Participant.survey_id == survey_id)
        )
        asked = (
            await self.session.execute(
                select(func.count(), func.count(Person.user_id)).where(in_scope(survey))
            )
        ).one()
        results, counted = None, await answer_count(self.session, survey_id)
        if counted >= MIN_ANSWERS:
            stored = await self.session.scalars(
                select(Answer.answers).where(Answer.survey_id == survey_id)
            )
            asked_questions = [Asked(q.position, q.kind, q.options, q.text) for q in questions]
            results = results_of(asked_questions, stored)
        return Detail(survey, unit_name, questions, int(answered or 0), int(asked[0]),
                      int(asked[1]), results, counted)  # fmt: skip
