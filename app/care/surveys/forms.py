"""The survey form (title, intro, for whom), the question form, and a member's answers,
read field by field (app.core.forms)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.care.surveys.models import QuestionKind, Survey
from app.core.forms import FieldError, FormReader
from app.core.validators import multiline_text, plain_text
from app.i18n import N_

MAX_TITLE = 60
MAX_INTRO = 500
MAX_QUESTION = 200
MAX_OPTION = 30
MAX_OPTIONS = 8
MAX_QUESTIONS = 10
MAX_WORDS = 500
DISTRICT = "district"
"""The scope field's value for the whole district."""


@dataclass(frozen=True)
class SurveyForm:
    title: str
    intro: str | None
    unit_id: UUID | None
    """None: the whole district."""


@dataclass(frozen=True)
class QuestionForm:
    kind: QuestionKind
    text: str
    options: tuple[str, ...]


def survey_form(survey: Survey | None = None) -> dict[str, str]:
    if survey is None:
        return {}
    return {"title": survey.title, "intro": survey.intro or "",
            "scope": str(survey.unit_id) if survey.unit_id else DISTRICT}  # fmt: skip


def title(raw: str) -> str:
    text = plain_text(raw)
    if not text:
        raise FieldError(N_("Please enter the survey's title."))
    if len(text) > MAX_TITLE:
        raise FieldError(N_("A title can be at most %(n)s characters."), n=MAX_TITLE)
    return text


def intro(raw: str) -> str | None:
    text = multiline_text(raw)
    if len(text) > MAX_INTRO:
        raise FieldError(N_("The introduction can be at most %(n)s characters."), n=MAX_INTRO)
    return text or None


def scope(raw: str) -> UUID | None:
    value = raw.strip()
    if value == DISTRICT:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise FieldError(N_("Please choose who is asked.")) from None


def parse_survey(data: Mapping[str, str]) -> SurveyForm:
    reader = FormReader(data)
    values = (reader.field("title", title), reader.field("intro", intro))
    unit_id = reader.field("scope", scope)
    reader.done()
    return SurveyForm(values[0] or "", values[1], unit_id)


def kind(raw: str) -> QuestionKind:
    try:
        return QuestionKind(raw.strip())
    except ValueError:
        raise FieldError(N_("Please choose the kind of question.")) from None


def question_text(raw: str) -> str:
    text = plain_text(raw)
    if not text:
        raise FieldError(N_("Please enter the question."))
    if len(text) > MAX_QUESTION:
        raise FieldError(N_("A question can be at most %(n)s characters."), n=MAX_QUESTION)
    return text


def options(raw: str) -> tuple[str, ...]:
    lines = [plain_text(line) for line in multiline_text(raw).splitlines()]
    found = tuple(line for line in lines if line)
    if len(found) < 2 or len(found) > MAX_OPTIONS:
        raise FieldError(N_("Please enter 2 to 8 choices, one on each line."))
    if any(len(option) > MAX_OPTION for option in found):
        raise FieldError(N_("A choice can be at most %(n)s characters."), n=MAX_OPTION)
    if len(set(found)) < len(found):
        raise FieldError(N_("Two choices are the same. Please make each one different."))
    return found


def parse_question(data: Mapping[str, str]) -> QuestionForm:
    reader = FormReader(data)
    chosen = reader.field("kind", kind)
    text = reader.field("text", question_text)
    listed: tuple[str, ...] | None = ()
    if chosen == QuestionKind.CHOICE:
        listed = reader.field("options", options)
    reader.done()
    assert chosen is not None and text is not None and listed is not None
    return QuestionForm(chosen, text, listed)


@dataclass(frozen=True)
class Asked:
    """What the answer form needs of a question."""

    position: int
    kind: str
    options: Sequence[str]


def parse_answers(questions: Sequence[Asked], data: Mapping[str, str]) -> dict[str, Any]:
    """A member's answers: question position → option index, mark or words. Every
    choice and rating must be answered; words may be left out."""
    reader = FormReader(data)
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q{question.position}"
        raw = reader.raw(name).strip()
        if question.kind == QuestionKind.TEXT:
            words = reader.field(name, multiline_text)
            if words and len(words) > MAX_WORDS:
                reader.error(name, N_("Please write at most %(n)s characters."), n=MAX_WORDS)
            elif words:
                answers[str(question.position)] = words
            continue
        top = len(question.options) - 1 if question.kind == QuestionKind.CHOICE else 5
        low = 0 if question.kind == QuestionKind.CHOICE else 1
        if not raw.isdigit() or not low <= int(raw) <= top:
            reader.error(name, N_("Please choose an answer to this question."))
            continue
        answers[str(question.position)] = int(raw)
    reader.done()
    return answers
