"""A survey's results from its answers: counts per choice, the spread and mean of
ratings, the words in random order, and the satisfaction rate.

The satisfaction rate (满意率) is the one the sources quote ("98% satisfied in an
anonymous survey"): of all marks given to the survey's rating questions, the share
of 4 (满意) and 5 (非常满意). A survey without rating questions has none.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.care.surveys.forms import Asked
from app.care.surveys.models import QuestionKind

MIN_ANSWERS = 5
"""Results show once this many answers are written (and never fewer: a smaller group's
answers would tell who said what)."""
SATISFIED = (4, 5)


@dataclass
class QuestionResult:
    position: int
    kind: str
    text: str
    options: Sequence[str]
    answered: int = 0
    counts: list[int] = field(default_factory=list)
    """Per option (choice) or per mark 1–5 (rating)."""
    words: list[str] = field(default_factory=list)

    @property
    def mean(self) -> Decimal | None:
        if self.kind != QuestionKind.RATING or not self.answered:
            return None
        total = sum(mark * n for mark, n in zip(range(1, 6), self.counts, strict=True))
        return (Decimal(total) / self.answered).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def share(self, n: int) -> int:
        """Whole per cent of those who answered this question, for the bars."""
        return round(100 * n / self.answered) if self.answered else 0


@dataclass
class Results:
    answers: int
    questions: list[QuestionResult]
    satisfied: int
    rated: int

    @property
    def satisfaction(self) -> Decimal | None:
        """Per cent, one decimal; None without rating questions or marks."""
        if not self.rated:
            return None
        share = Decimal(100 * self.satisfied) / self.rated
        return share.quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Question(Asked):
    text: str


def results_of(questions: Sequence[Question], answers: Iterable[Mapping[str, Any]]) -> Results:
    shown = [
        QuestionResult(q.position, q.kind, q.text, q.options,
                       counts=[0] * (len(q.options) if q.kind == QuestionKind.CHOICE else 5))
        for q in questions
    ]  # fmt: skip
    count = satisfied = rated = 0
    for answer in answers:
        count += 1
        for result in shown:
            value = answer.get(str(result.position))
            if value is None:
                continue
            result.answered += 1
            if result.kind == QuestionKind.TEXT:
                result.words.append(str(value))
            elif result.kind == QuestionKind.CHOICE:
                result.counts[int(value)] += 1
            else:
                result.counts[int(value) - 1] += 1
                rated += 1
                satisfied += int(value) in SATISFIED
    for result in shown:
        random.SystemRandom().shuffle(result.words)  # the order they came in says nothing
    return Results(count, shown, satisfied, rated)
