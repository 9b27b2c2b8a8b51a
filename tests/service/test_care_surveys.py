"""The anonymous survey: one answer per member, members only, results hidden under
five answers, and the anonymity the issue asks for — no column or row links an
answer to a person or an account (schema, values, transaction ids, physical order)."""

from __future__ import annotations

from itertools import pairwise
from uuid import UUID

import pytest
import structlog.testing
from sqlalchemy import func, select, text

from app.care.surveys.answering import ALREADY, NOT_OPEN, OUTSIDE, AnswerService
from app.care.surveys.forms import SurveyForm, parse_question
from app.care.surveys.models import Answer, Participant
from app.care.surveys.pool import AnswerPool
from app.care.surveys.service import SurveyService
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.care_surveys import answer, answers, branch_members, member, open_survey
from tests.factories import District, PointsRoster, identity_of, make_points_roster, make_world


@pytest.fixture
async def world(services: AppServices, owner_db: Database):  # type: ignore[no-untyped-def]
    return await make_world(services, owner_db)


@pytest.fixture
async def district(world) -> District:  # type: ignore[no-untyped-def]
    return world.a


@pytest.fixture
async def points(services: AppServices, district: District) -> PointsRoster:
    return await make_points_roster(services, district)


async def counts(services: AppServices, district: District, survey: UUID) -> tuple[int, int, int]:
    """(participants, answers written, answers waiting in the pool)."""
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            took_part = await session.scalar(
                select(func.count()).select_from(Participant).where(Participant.survey_id == survey)
            )
            written = await session.scalar(
                select(func.count()).select_from(Answer).where(Answer.survey_id == survey)
            )
    pool = AnswerPool(services.redis, services.cipher, district.tenant_id, survey)
    return int(took_part or 0), int(written or 0), await pool.waiting_count()


async def detail(services: AppServices, district: District, survey: UUID, role=Role.TENANT_ADMIN):  # type: ignore[no-untyped-def]
    runner = await identity_of(services, district.tenant_id, district.users[role].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await SurveyService(session, services.redis, services.cipher).detail(
                runner, survey
            )


async def test_each_member_answers_once(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    survey = await open_survey(services, district, points.roster.branch_1)
    await answer(services, district, points.member_a, survey, answers(5))
    with pytest.raises(Refused) as refused:
        await answer(services, district, points.member_a, survey, answers(1))
    assert refused.value.message == ALREADY
    assert await counts(services, district, survey) == (1, 0, 1)


async def test_someone_outside_the_scope_is_refused(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    survey = await open_survey(services, district, points.roster.branch_1)
    with pytest.raises(Refused) as refused:  # 党员丁 is of 第二支部
        await answer(services, district, points.member_d, survey, answers(5))
    assert refused.value.message == OUTSIDE
    assert "第一支部" in refused.value.text()
    assert await counts(services, district, survey) == (0, 0, 0)
    # The group's member (党员甲 is in 第一党小组 under 第一支部) is inside.
    await answer(services, district, points.member_a, survey, answers(4))
    assert await counts(services, district, survey) == (1, 0, 1)


async def test_a_wrong_answer_writes_nothing(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    survey = await open_survey(services, district, None)
    for data in ({"q1": "", "q2": "0"}, {"q1": "6", "q2": "0"}, {"q1": "5", "q2": "3"},
                 {"q1": "5", "q2": "0", "q3": "长" * 501}):  # fmt: skip
        with pytest.raises(InvalidForm):
            await answer(services, district, points.member_b, survey, data)
    assert await counts(services, district, survey) == (0, 0, 0)


async def test_results_show_from_five_answers(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    survey = await open_survey(services, district, points.roster.branch_1)
    people = await branch_members(services, district, points.roster.branch_1, 6)
    for person, mark in zip(people[:4], (5, 4, 3, 5), strict=True):
        await answer(services, district, person, survey, answers(mark, 1, "很好"))
    shown = await detail(services, district, survey)
    assert (shown.answered, shown.results) == (4, None)
    assert (shown.asked, shown.with_account) == (6 + 4, 2)  # and 一号, 党员甲, 党员乙, 老党员丙
    await answer(services, district, people[4], survey, answers(1, 2))
    shown = await detail(services, district, survey)
    assert shown.results is not None and shown.results.answers == 5
    rating, choice, words = shown.results.questions
    assert rating.counts == [1, 0, 1, 1, 2] and str(rating.mean) == "3.6"
    assert choice.counts == [0, 4, 1]
    assert sorted(words.words) == ["很好"] * 4
    assert str(shown.results.satisfaction) == "60.0"  # 4 and 5: three of five


async def test_a_secretary_runs_surveys_of_their_branch_only(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    secretary = await identity_of(
        services, district.tenant_id, district.users[Role.BRANCH_SECRETARY].id
    )
    with tenant_scope(district.tenant_id), pytest.raises(Refused) as refused:
        async with services.db.unit() as session:
            await SurveyService(session, services.redis, services.cipher).create(
                secretary, SurveyForm("全区调查", None, None)
            )
    assert refused.value.errors == {"scope": "Please choose who is asked."}
    mine = await open_survey(services, district, points.roster.branch_1,
                             role=Role.BRANCH_SECRETARY)  # fmt: skip
    other = await open_survey(services, district, points.roster.branch_2)
    assert (await detail(services, district, mine, Role.BRANCH_SECRETARY)).survey.id == mine
    with pytest.raises(NotFound):
        await detail(services, district, other, Role.BRANCH_SECRETARY)


async def test_a_question_needs_two_to_eight_distinct_choices() -> None:
    for options in ("只有一个", "\n".join(str(i) for i in range(9)), "好\n好"):
        with pytest.raises(InvalidForm) as refused:
            parse_question({"kind": "choice", "text": "问题", "options": options})
        assert "options" in refused.value.errors
    with pytest.raises(InvalidForm) as refused:
        parse_question({"kind": "other", "text": ""})
    assert set(refused.value.errors) == {"kind", "text"}


async def columns(owner_db: Database, table: str) -> set[str]:
    async with owner_db.engine.connect() as conn:
        found = await conn.execute(
            text("select column_name from information_schema.columns where table_name = :t"),
            {"t": table},
        )
        return set(found.scalars())


async def test_nothing_links_an_answer_to_a_person(
    services: AppServices, owner_db: Database, district: District, points: PointsRoster
) -> None:
    """The issue's anonymity test, as a database reader would try it."""
    # The schema: answers carry no person, account, session or time; participation no time.
    assert await columns(owner_db, "survey_answers") == {"tenant_id", "id", "survey_id",
                                                         "answers"}  # fmt: skip
    assert await columns(owner_db, "survey_participants") == {"tenant_id", "survey_id",
                                                              "person_id"}  # fmt: skip

    survey = await open_survey(services, district, points.roster.branch_1)
    people = await branch_members(services, district, points.roster.branch_1, 7)
    for i, person in enumerate(people):  # each answer says who wrote it, for the test only
        await answer(services, district, person, survey, answers(5 - i % 5, i % 3, f"第{i}位"))
    assert await counts(services, district, survey) == (7, 5, 2)  # one batch, two waiting

    async def rows(table: str) -> list[dict]:
        async with owner_db.engine.connect() as conn:
            found = await conn.execute(
                text(f"select xmin::text as xmin, t.* from {table} t where survey_id = :s "
                     "order by ctid"), {"s": survey})  # fmt: skip
            return [dict(row._mapping) for row in found]

    def order(answer_rows: list[dict]) -> list[int]:
        return [int(row["answers"]["3"][1:-1]) for row in answer_rows]

    took_part, batch = await rows("survey_participants"), await rows("survey_answers")
    assert [row["person_id"] for row in took_part] == people  # written in answering order
    assert len({row["xmin"] for row in batch}) == 1  # one batch, one transaction
    assert not {row["xmin"] for row in batch} & {row["xmin"] for row in took_part}
    shared = {
        str(v) for row in took_part for k, v in row.items() if k not in ("tenant_id", "survey_id")
    }
    assert not shared & {str(v) for row in batch for k, v in row.items()
                         if k not in ("tenant_id", "survey_id")}  # fmt: skip
    assert sorted(order(batch)) == [0, 1, 2, 3, 4]

    # The pool holds no answer in clear (Valkey's file on disk neither).
    pool = AnswerPool(services.redis, services.cipher, district.tenant_id, survey)
    waiting = await services.redis.lrange(pool.waiting, 0, -1)  # type: ignore[misc]
    assert len(waiting) == 2 and not any("第".encode() in item for item in waiting)

    # The close leaves the two waiting out (they would show what those two answered):
    # the batch stays as it was, the pool is emptied, the participation rows stay.
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await SurveyService(session, services.redis, services.cipher).close(admin, survey)
    assert await rows("survey_answers") == batch
    assert await counts(services, district, survey) == (7, 5, 0)
    shown = await detail(services, district, survey)
    assert shown.results is not None and (shown.results.answers, shown.left_out) == (5, 2)

    with pytest.raises(Refused) as refused:
        await answer(services, district, points.member_a, survey, answers(5))
    assert refused.value.message == NOT_OPEN


async def test_a_member_sees_the_surveys_that_ask_them(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    branch = await open_survey(services, district, points.roster.branch_1, title="支部调查")
    await open_survey(services, district, points.roster.branch_2, title="二支部调查")
    await open_survey(services, district, None, title="全区调查")
    await answer(services, district, points.member_a, branch, answers(5))
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            mine = await AnswerService(session, services.redis, services.cipher).mine(
                member(district, points.member_a)
            )
    assert {(row.survey.title, row.answered) for row in mine} == {("支部调查", True),
                                                                  ("全区调查", False)}  # fmt: skip


async def test_results_never_move_by_fewer_than_five(
    services: AppServices, district: District, points: PointsRoster
) -> None:
    """Between any two reads — each answer, and the close — the counted answers stay or
    grow by five or more, so no reader learns what fewer than five people answered."""
    survey = await open_survey(services, district, points.roster.branch_1)
    people = await branch_members(services, district, points.roster.branch_1, 13)
    seen = [0]
    for i, person in enumerate(people):
        await answer(services, district, person, survey, answers(1 + i % 5, i % 3, f"第{i}位"))
        seen.append((await detail(services, district, survey)).counted)
    admin = await identity_of(services, district.tenant_id, district.users[Role.TENANT_ADMIN].id)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            await SurveyService(session, services.redis, services.cipher).close(admin, survey)
    shown = await detail(services, district, survey)
    seen.append(shown.counted)
    steps = [after - before for before, after in pairwise(seen)]
    assert all(step == 0 or step >= 5 for step in steps), steps
    assert (shown.answered, shown.counted, shown.left_out) == (13, 10, 3)
    assert await counts(services, district, survey) == (13, 10, 0)


async def test_a_batch_that_fails_to_write_waits_for_the_next(
    services: AppServices, district: District, points: PointsRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The member whose answer made the batch is thanked even if writing it fails: the
    participation and the answer are kept, and the next batch writes them."""
    survey = await open_survey(services, district, points.roster.branch_1)
    people = await branch_members(services, district, points.roster.branch_1, 6)
    for person in people[:4]:
        await answer(services, district, person, survey, answers(5, 0, "秘密的话"))
    claim = AnswerPool.claim

    async def fails_once(self: AnswerPool, at_least: int = 5) -> list:  # type: ignore[type-arg]
        monkeypatch.setattr(AnswerPool, "claim", claim)
        raise ConnectionError("valkey went away")

    monkeypatch.setattr(AnswerPool, "claim", fails_once)
    with structlog.testing.capture_logs() as logged:
        await answer(services, district, people[4], survey, answers(4, 1, "秘密的话"))
    assert await counts(services, district, survey) == (5, 0, 5)
    assert [e["event"] for e in logged] == ["care.survey.batch_not_written"]
    assert "秘密" not in str(logged) and str(people[4]) not in str(logged)
    await answer(services, district, people[5], survey, answers(3))
    assert await counts(services, district, survey) == (6, 6, 0)
