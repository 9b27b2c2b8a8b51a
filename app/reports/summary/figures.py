"""The figures of a district's annual work summary (年度工作总结), as plain data: the
ones the source articles quote a bureau giving its superiors — visits in the year and
by kind (上门看望 300多人次, 看望住院 200多人次, 生日祝寿 100多人次), requests and how
they were handled (满意度 98%), points participation, publications held — each beside
the year before where there is one. Filled by queries.py; pure helpers here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from app.service_requests.compliance.service import Tally

MONTHS = 12


def change_percent(now: int, before: int | None) -> int | None:
    """How much `now` moved from `before`, in whole percent; None when there is
    nothing to compare with (no figure, or none the year before)."""
    if not before:
        return None
    return round(100 * (now - before) / before)


def share(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent; None of nothing."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class KindCount:
    """One kind of visit (节日慰问, 住院探望 …): visits this year and the year before,
    and how many people they reached this year."""

    kind: str
    visits: int
    previous: int
    people: int


@dataclass(frozen=True)
class DueCount:
    """The must-visit items of one kind that fell due in the year, and how many a
    visit answered."""

    kind: str
    due: int
    answered: int


@dataclass
class VisitFigures:
    year: int
    visits: int = 0
    previous: int = 0
    people: int = 0
    """Distinct people visited in the year."""
    roster: int = 0
    """People on the roster during the year (not deceased before it began)."""
    kinds: list[KindCount] = field(default_factory=list)
    places: dict[str, int] = field(default_factory=dict)
    months: dict[str, list[int]] = field(default_factory=dict)
    """Each kind's visits per month of the year (January first)."""
    previous_months: list[int] = field(default_factory=lambda: [0] * MONTHS)
    years: list[tuple[int, int]] = field(default_factory=list)
    """Visits per year, from the district's first year of visits up to this one."""
    due: list[DueCount] = field(default_factory=list)

    def kind(self, kind: str) -> KindCount:
        found = next((k for k in self.kinds if k.kind == kind), None)
        return found or KindCount(kind, 0, 0, 0)

    @property
    def change(self) -> int | None:
        return change_percent(self.visits, self.previous)

    @property
    def reached(self) -> int | None:
        """The share of the roster visited at least once."""
        return share(self.people, self.roster)


@dataclass(frozen=True)
class CategoryFigures:
    """Requests of one category logged in the year: the SLA compliance tally as
    /requests/sla counts it, the year before's count, and the people's satisfaction."""

    tally: Tally
    previous: int
    rated: int
    satisfied: int
    """Rated 4 or 5 of 5."""
    score_sum: int

    @property
    def satisfaction(self) -> int | None:
        return share(self.satisfied, self.rated)

    @property
    def average(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.score_sum) / self.rated).quantize(Decimal("0.1"))


def no_requests() -> CategoryFigures:
    return CategoryFigures(Tally(""), 0, 0, 0, 0)


@dataclass
class RequestFigures:
    year: int
    total: CategoryFigures = field(default_factory=no_requests)
    """All of the year's requests, as one line."""
    before: CategoryFigures = field(default_factory=no_requests)
    """All of the year before's."""
    categories: list[CategoryFigures] = field(default_factory=list)
    resolved: int = 0
    """Resolved or confirmed by now (the rest are still being worked on)."""

    @property
    def change(self) -> int | None:
        return change_percent(self.total.tally.count, self.total.previous)


@dataclass(frozen=True)
class Bin:
    """Members whose year's score lies in [low, high)."""

    low: Decimal
    high: Decimal
    members: int


@dataclass(frozen=True)
class CategoryPoints:
    name: str
    points: Decimal
    members: int
    """Members with points of this category in the year."""


@dataclass
class PointFigures:
    year: int
    has_rules: bool = False
    members: int = 0
    """Party members scored (living, in a branch, not exempt)."""
    exempt: int = 0
    """Excused as infirm (因年迈体弱未参加积分管理), listed apart."""
    active: int = 0
    """Scored members with points counted in the year."""
    previous_members: int = 0
    previous_active: int = 0
    scores: list[Decimal] = field(default_factory=list)
    categories: list[CategoryPoints] = field(default_factory=list)

    @property
    def participation(self) -> int | None:
        return share(self.active, self.members)

    @property
    def previous_participation(self) -> int | None:
        return share(self.previous_active, self.previous_members)

    @property
    def average(self) -> Decimal | None:
        if not self.scores:
            return None
        return (sum(self.scores, Decimal(0)) / len(self.scores)).quantize(Decimal("0.1"))

    @property
    def highest(self) -> Decimal | None:
        return max(self.scores) if self.scores else None

    def bins(self) -> list[Bin]:
        return histogram(self.scores)


NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
MOST_BINS = 15


def histogram(scores: list[Decimal], most: int = MOST_BINS) -> list[Bin]:
    """Scores counted in ranges of a round width (5, 10, 20 …) chosen so there are at
    most `most` of them, from the range holding the lowest score to the highest's."""
    if not scores:
        return []
    low, high = math.floor(min(scores)), math.floor(max(scores))
    step = next((s for s in NICE_STEPS if (high // s - low // s + 1) <= most), NICE_STEPS[-1])
    first = low // step * step
    counts = [0] * (high // step - first // step + 1)
    for value in scores:
        counts[(math.floor(value) - first) // step] += 1
    return [
        Bin(Decimal(first + i * step), Decimal(first + (i + 1) * step), n)
        for i, n in enumerate(counts)
    ]


@dataclass(frozen=True)
class HalfFigures:
    """The publications (公示) of one half-year's rankings."""

    half: int
    held: int
    published: int
    objections: int
    upheld: int


@dataclass
class PublicationFigures:
    year: int
    branches: int = 0
    halves: list[HalfFigures] = field(default_factory=list)
    previous_held: int = 0

    @property
    def held(self) -> int:
        return sum(h.held for h in self.halves)

    @property
    def published(self) -> int:
        return sum(h.published for h in self.halves)

    @property
    def objections(self) -> int:
        return sum(h.objections for h in self.halves)

    @property
    def upheld(self) -> int:
        return sum(h.upheld for h in self.halves)


@dataclass
class AnnualFigures:
    district: str
    year: int
    visits: VisitFigures
    requests: RequestFigures
    points: PointFigures
    publications: PublicationFigures
