"""Surveys for the tests: an open survey of make_points_roster's 第一支部 (or the whole
district) with a rating, a choice and a free-text question, and members answering it
through the service as their phones would."""

from __future__ import annotations

from uuid import UUID, uuid4

from app.care.surveys.answering import AnswerService
from app.care.surveys.forms import QuestionForm, SurveyForm
from app.care.surveys.models import QuestionKind
from app.care.surveys.service import SurveyService
from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import District, add_person, identity_of

QUESTIONS = (
    QuestionForm(QuestionKind.RATING, "您对军休服务中心的服务满意吗？", ()),
    QuestionForm(QuestionKind.CHOICE, "走访慰问及时吗？", ("及时", "比较及时", "不及时")),
    QuestionForm(QuestionKind.TEXT, "您还有什么意见和建议？", ()),
)


def member(district: District, person: UUID) -> Identity:
    """A member's identity as their phone's login would give it."""
    return Identity(uuid4(), "党员", frozenset({Role.MEMBER}), district.tenant_id,
                    district.name, "37", person_id=person)  # fmt: skip


async def open_survey(
    services: AppServices,
    district: District,
    unit: UUID | None,
    *,
    role: Role = Role.TENANT_ADMIN,
    title: str = "为老服务满意度调查",
) -> UUID:
    runner = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            surveys = SurveyService(session, services.redis, services.cipher)
            survey = await surveys.create(runner, SurveyForm(title, "请如实填写。", unit))
            for question in QUESTIONS:
                await surveys.add_question(runner, survey.id, question)
            await surveys.open(runner, survey.id)
            return survey.id


def answers(mark: int, choice: int = 0, words: str = "") -> dict[str, str]:
    return {"q1": str(mark), "q2": str(choice), "q3": words}


async def answer(
    services: AppServices, district: District, person: UUID, survey: UUID, data: dict[str, str]
) -> None:
    """One member answers (their request's unit of work)."""
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await AnswerService(session, services.redis, services.cipher).answer(
                member(district, person), survey, data
            )


async def branch_members(
    services: AppServices, district: District, branch: UUID, n: int
) -> list[UUID]:
    return [await add_person(services, district, f"支部党员{i}", branch) for i in range(n)]
