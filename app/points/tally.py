"""How caps turn ledger points into a tally — the rules, as pure functions.

An item's cap limits what one member's events of that item count for in a quarter,
and again in a year. A cap bounds a sum, never an event: the points an item counts
for in a quarter are `clamp(sum of its events)`, and a year's cap clamps the running
total of those quarter figures. Reversals are ordinary (negative) events in the sum,
so reversing an event frees the room it used under the cap.

The same figure can be shared out over the events in date order — each event counts
for `clamp(running total) - clamp(running total before it)` — which telescopes to the
capped sum. That is how a member's page says which event reached the cap. The SQL in
standings.py computes the quarter figures over the tally table; tests hold the two to
each other.

A cap bounds deductions the same way: an item of -5 with a cap of 10 deducts at most
10 a quarter. Caps are kept per item *code*, so a new version of the rules gives no
one a fresh cap; in a quarter holding events of two versions, the caps of the newer
version's item apply to the quarter's sum (`quarter_caps`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Caps:
    positive: bool
    """The item adds points (a cap bounds from above) or deducts (from below)."""
    quarter: Decimal | None = None
    year: Decimal | None = None


def clamp(value: Decimal, cap: Decimal | None, positive: bool) -> Decimal:
    if cap is None:
        return value
    return min(value, cap) if positive else max(value, -cap)


def quarter_counts(quarter_sums: Sequence[Decimal], caps: Caps) -> list[Decimal]:
    """What each quarter of one year counts for, from its raw sum (Q1 first)."""
    counts: list[Decimal] = []
    total = ZERO
    for raw in quarter_sums:
        capped = clamp(raw, caps.quarter, caps.positive)
        before, total = total, total + capped
        counts.append(
            clamp(total, caps.year, caps.positive) - clamp(before, caps.year, caps.positive)
        )
    return counts


@dataclass(frozen=True)
class Line:
    """One ledger event, as the explanation needs it."""

    key: Hashable
    """The item's code: caps are kept per code."""
    occurred_on: date
    points: Decimal
    caps: Caps


def counted(lines: Iterable[Line]) -> list[Decimal]:
    """What each event counts for after caps, in the order given (date order)."""
    quarter_raw: dict[tuple[Hashable, int, int], Decimal] = defaultdict(lambda: ZERO)
    year_total: dict[tuple[Hashable, int], Decimal] = defaultdict(lambda: ZERO)
    result: list[Decimal] = []
    for line in lines:
        day = line.occurred_on
        q_key = (line.key, day.year, (day.month - 1) // 3)
        before_q = quarter_raw[q_key]
        after_q = quarter_raw[q_key] = before_q + line.points
        in_quarter = clamp(after_q, line.caps.quarter, line.caps.positive) - clamp(
            before_q, line.caps.quarter, line.caps.positive
        )
        y_key = (line.key, day.year)
        before_y = year_total[y_key]
        after_y = year_total[y_key] = before_y + in_quarter
        result.append(
            clamp(after_y, line.caps.year, line.caps.positive)
            - clamp(before_y, line.caps.year, line.caps.positive)
        )
    return result


def score(points: Decimal, base: Decimal | None) -> Decimal:
    """A member's score for a period: the base score (记分制), if any, plus the points."""
    return (base or ZERO) + points


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Ranks for scores sorted high to low; equal scores share a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for i, value in enumerate(scores):
        ranks.append(ranks[-1] if i and value == scores[i - 1] else i + 1)
    return ranks


def quarter_caps(lines: Sequence[tuple[Line, int]]) -> list[Line]:
    """The lines with the caps that apply to them, as standings.py applies them: the
    quarter's cap of the newest version's item of the code in that quarter, and the
    year's cap of the newest one in the year up to that quarter. Entries are
    (line, version)."""

    def quarter_key(line: Line) -> tuple[Hashable, int, int]:
        return (line.key, line.occurred_on.year, (line.occurred_on.month - 1) // 3)

    newest: dict[tuple[Hashable, int, int], tuple[int, Caps]] = {}
    for line, version in lines:
        key = quarter_key(line)
        if key not in newest or version > newest[key][0]:
            newest[key] = (version, line.caps)
    year_cap: dict[tuple[Hashable, int, int], Decimal | None] = {}
    for code, year, index in sorted(newest, key=lambda k: (str(k[0]), k[1], k[2])):
        version, caps = newest[(code, year, index)]
        earlier = [newest[(code, year, i)] for i in range(index) if (code, year, i) in newest]
        latest = max([(version, caps), *earlier], key=lambda vc: vc[0])
        year_cap[(code, year, index)] = latest[1].year
    return [
        replace(line, caps=replace(newest[quarter_key(line)][1], year=year_cap[quarter_key(line)]))
        for line, _ in lines
    ]
