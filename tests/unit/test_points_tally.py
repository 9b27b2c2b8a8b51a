"""The tally rules: caps per quarter and per year, base score, reversals, ranks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.points.periods import (
    half,
    parse_half,
    parse_quarter,
    quarter,
    quarter_of,
    recent_quarters,
)
from app.points.tally import (
    Caps,
    Line,
    clamp,
    competition_ranks,
    counted,
    quarter_caps,
    quarter_counts,
    score,
)

D = Decimal


def test_a_cap_bounds_the_quarter_and_reports_the_event_that_reached_it() -> None:
    caps = Caps(positive=True, quarter=D(5))
    lines = [Line("talk", date(2026, 1, d), D(2), caps) for d in (3, 10, 17, 24)]
    assert counted(lines) == [D(2), D(2), D(1), D(0)]


def test_the_year_cap_carries_across_quarters() -> None:
    caps = Caps(positive=True, quarter=D(6), year=D(10))
    assert quarter_counts([D(8), D(8), D(8), D(0)], caps) == [D(6), D(4), D(0), D(0)]


def test_a_deduction_cap_bounds_from_below() -> None:
    caps = Caps(positive=False, quarter=D(10))
    lines = [Line("lapse", date(2026, 4, d), D(-5), caps) for d in (1, 2, 3)]
    assert counted(lines) == [D(-5), D(-5), D(0)]


def test_a_reversal_frees_room_under_the_cap() -> None:
    caps = Caps(positive=True, quarter=D(4))
    lines = [Line("x", date(2026, 7, d), p, caps) for d, p in ((1, D(3)), (2, D(3)), (3, D(-3)))]
    assert counted(lines) == [D(3), D(1), D(-1)]
    assert sum(counted(lines)) == clamp(D(3), D(4), True)


def test_a_new_version_gives_no_fresh_cap() -> None:
    """Caps are kept per code: version 2's item shares the quarter with version 1's,
    under the newer item's cap."""
    old, new = Caps(positive=True, quarter=D(2)), Caps(positive=True, quarter=D(3))
    lines = quarter_caps(
        [
            (Line("GJ-02", date(2026, 5, 1), D(2), old), 1),
            (Line("GJ-02", date(2026, 5, 9), D(2), new), 2),
            (Line("GJ-02", date(2026, 8, 9), D(2), old), 1),  # another quarter, its own caps
        ]
    )
    assert counted(lines) == [D(2), D(1), D(2)]


def test_base_score_and_ranks() -> None:
    assert score(D(-7), D(100)) == D(93)
    assert score(D(5), None) == D(5)
    assert competition_ranks([D(9), D(7), D(7), D(3)]) == [1, 2, 2, 4]


def test_periods() -> None:
    assert quarter_of(date(2026, 11, 24)) == quarter(2026, 4)
    assert quarter(2026, 4).end == date(2026, 12, 31)
    assert half(2026, 1).end == date(2026, 6, 30)
    assert [q.key for q in half(2026, 2).quarters()] == ["2026Q3", "2026Q4"]
    assert quarter(2026, 1).previous() == quarter(2025, 4)
    assert parse_quarter("2026Q9", quarter(2026, 1)) == quarter(2026, 1)
    assert parse_half("2026H2") == half(2026, 2) and parse_half("x") is None


points = st.decimals(min_value=-20, max_value=20, places=1).filter(lambda p: p != 0)
caps = st.one_of(st.none(), st.decimals(min_value=1, max_value=40, places=1))


@given(
    st.lists(st.tuples(st.integers(1, 365), points), max_size=40),
    st.booleans(),
    caps,
    caps,
)
def test_event_shares_add_up_to_the_quarter_figures(
    events: list[tuple[int, Decimal]],
    positive: bool,
    q_cap: Decimal | None,
    y_cap: Decimal | None,
) -> None:
    """What the member's page shows per event sums to what the ranking counts per
    quarter (tally.quarter_counts, the rule standings.py computes in SQL)."""
    item = Caps(positive=positive, quarter=q_cap, year=y_cap)
    ordered = sorted(events)
    sign = 1 if positive else -1
    start = date(2026, 1, 1).toordinal() - 1
    lines = [Line("item", date.fromordinal(start + day), sign * abs(p), item) for day, p in ordered]
    shares = counted(lines)
    quarter_index = [(ln.occurred_on.month - 1) // 3 for ln in lines]
    sums = [
        sum((ln.points for ln, i in zip(lines, quarter_index, strict=True) if i == q), D(0))
        for q in range(4)
    ]
    by_quarter = [
        sum((s for s, i in zip(shares, quarter_index, strict=True) if i == q), D(0))
        for q in range(4)
    ]
    assert by_quarter == quarter_counts(sums, item)
    if y_cap is not None:
        assert abs(sum(shares, D(0))) <= y_cap
    if q_cap is not None:
        assert all(abs(v) <= q_cap for v in by_quarter)


@given(
    st.lists(st.tuples(st.integers(1, 365), points, st.booleans()), max_size=30),
    st.booleans(),
    caps,
    caps,
)
def test_reversals_keep_the_shares_and_the_quarter_figures_together(
    events: list[tuple[int, Decimal, bool]],
    positive: bool,
    q_cap: Decimal | None,
    y_cap: Decimal | None,
) -> None:
    """A reversal is an event of the opposite sign on the original's date: the shares
    still sum to the quarter figures, and a reversed event's room is freed."""
    item = Caps(positive=positive, quarter=q_cap, year=y_cap)
    sign = 1 if positive else -1
    start = date(2026, 1, 1).toordinal() - 1
    lines: list[Line] = []
    for day, p, reversed_ in sorted(events):
        original = Line("item", date.fromordinal(start + day), sign * abs(p), item)
        lines.append(original)
        if reversed_:
            lines.append(Line("item", original.occurred_on, -original.points, item))
    shares = counted(lines)
    quarter_index = [(ln.occurred_on.month - 1) // 3 for ln in lines]
    sums = [
        sum((ln.points for ln, i in zip(lines, quarter_index, strict=True) if i == q), D(0))
        for q in range(4)
    ]
    by_quarter = [
        sum((s for s, i in zip(shares, quarter_index, strict=True) if i == q), D(0))
        for q in range(4)
    ]
    assert by_quarter == quarter_counts(sums, item)
    kept = [p for day, p, reversed_ in events if not reversed_]
    if q_cap is None and y_cap is None:
        assert sum(shares, D(0)) == sign * sum((abs(p) for p in kept), D(0))


def test_the_quarter_picker_goes_back_to_the_quarter_the_rules_began() -> None:
    today = date(2026, 12, 6)
    assert recent_quarters(today, since=date(2026, 5, 1)) == [
        quarter(2026, 4), quarter(2026, 3), quarter(2026, 2),
    ]  # fmt: skip
    assert recent_quarters(today, since=date(2026, 10, 1)) == [quarter(2026, 4)]
    assert recent_quarters(today, since=date(2027, 1, 1)) == [quarter(2026, 4)]
    assert len(recent_quarters(today, since=date(2020, 1, 1))) == 8
    assert len(recent_quarters(today)) == 8
