"""Demo surveys: last year's district-wide satisfaction survey, closed with two dozen
answers (results and a satisfaction rate to read), and this month's survey of the demo
secretary's branch, open with three answers — under five, so its results still wait,
and the demo member has not answered yet. Answers go through the answer service, so
they are pooled and written in batches as a member's phone would."""

from __future__ import annotations

import random
from uuid import UUID, uuid4

from sqlalchemy import select

from app.access import tenant_identity
from app.care.surveys.answering import AnswerService
from app.care.surveys.forms import QuestionForm, SurveyForm
from app.care.surveys.models import QuestionKind, Survey
from app.care.surveys.service import SurveyService
from app.core.identity import Identity
from app.core.roles import Role
from app.demo.roster import _user_with
from app.people.models import OrgUnit, Person
from app.state import AppServices

# fmt: off
QUESTIONS = (
    QuestionForm(QuestionKind.RATING, "您对军休服务中心的服务总体满意吗？", ()),
    QuestionForm(QuestionKind.RATING, "您对网格员上门走访满意吗？", ()),
    QuestionForm(QuestionKind.CHOICE, "您最希望增加哪项服务？",
                 ("健康讲座", "上门体检", "文体活动", "法律咨询")),
    QuestionForm(QuestionKind.TEXT, "您还有什么意见和建议？", ()),
)
# fmt: on
WORDS = [
    "服务很周到，感谢组织关心。",
    "希望多组织几次健康讲座。",
    "走访很及时，网格员很耐心。",
    "活动室的空调需要修一修。",
    "希望能上门体检。",
    "",
]  # fmt: skip


async def has_surveys(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(Survey.id).limit(1)) is not None


def _answers(rng: random.Random) -> dict[str, str]:
    return {
        "q1": str(rng.choices((5, 4, 3, 2), weights=(60, 30, 8, 2))[0]),
        "q2": str(rng.choices((5, 4, 3, 1), weights=(55, 35, 8, 2))[0]),
        "q3": str(rng.randrange(4)),
        "q4": rng.choice(WORDS),
    }


async def seed_demo_care_surveys(services: AppServices, tenant_id: UUID, seed: int = 15) -> None:
    """Run inside the district's tenant scope, after the roster."""
    rng = random.Random(seed)
    async with services.db.unit() as session:
        admin_id = (await session.execute(_user_with(Role.TENANT_ADMIN))).one().id
        member_id = (await session.execute(_user_with(Role.MEMBER))).one().id
        found = await tenant_identity(session, admin_id, tenant_id)
        assert found is not None
        admin = found[0]
        people = list(await session.scalars(
            select(Person).where(Person.deceased_on.is_(None)).order_by(Person.sort_key)
        ))  # fmt: skip
        member = next((p for p in people if p.user_id == member_id), None)
        branch = await session.scalar(
            select(OrgUnit.id).where(OrgUnit.kind == "branch").order_by(OrgUnit.name).limit(1)
        )
        if member is not None and member.branch_id is not None:
            branch = member.branch_id
        surveys = SurveyService(session, services.redis, services.cipher)
        made = []
        for title, unit in (("2026年度为老服务满意度调查", None), ("支部服务满意度调查", branch)):
            form = SurveyForm(title, "本调查不记名，请如实填写。", unit)
            survey = await surveys.create(admin, form)
            for question in QUESTIONS:
                await surveys.add_question(admin, survey.id, question)
            await surveys.open(admin, survey.id)
            made.append(survey.id)
    others = [p for p in people if p is not member]
    in_branch = [p for p in others if p.branch_id == branch]
    for survey_id, answering in ((made[0], rng.sample(others, k=min(24, len(others)))),
                                 (made[1], in_branch[:3])):  # fmt: skip
        for person in answering:
            async with services.db.unit() as session:
                asking = Identity(uuid4(), person.name, frozenset({Role.MEMBER}), tenant_id,
                                  person_id=person.id)  # fmt: skip
                await AnswerService(session, services.redis, services.cipher).answer(
                    asking, survey_id, _answers(rng)
                )
    async with services.db.unit() as session:
        await SurveyService(session, services.redis, services.cipher).close(admin, made[0])
