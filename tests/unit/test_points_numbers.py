"""One way of writing a number of points, wherever points are shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.points.numbers import points_text
from app.web.templates import points as points_filter

D = Decimal


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (D("1.0"), False, "1"),
        (D("3.00"), False, "3"),
        (D("-1.00"), False, "-1"),
        (D("-1.00"), True, "-1"),
        (D("5"), True, "+5"),
        (D("2.50"), False, "2.5"),
        (D("0.75"), True, "+0.75"),
        (D("10"), False, "10"),
        (D("100.0"), False, "100"),
        (D("1E+1"), False, "10"),
        (D("-0.00"), True, "0"),
        (D(0), True, "0"),
        (D(1) / D(3), False, "0.33"),
        (D("2.005"), False, "2.01"),  # rounded half up, as people round
        (3, False, "3"),
        (2.5, False, "2.5"),
        ("4.0", False, "4"),
        (None, False, ""),
    ],
)
def test_points_are_written_without_trailing_zeros(value: object, signed: bool, text: str) -> None:
    assert points_text(value, signed) == text  # type: ignore[arg-type]


@given(st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False))
def test_at_most_two_decimals_and_never_a_trailing_zero(value: Decimal) -> None:
    text = points_text(value)
    whole, _, fraction = text.lstrip("-").partition(".")
    assert whole.isdigit() and len(fraction) <= 2 and not fraction.endswith("0")
    assert D(text) == value


def test_the_template_filter_is_the_same_formatter() -> None:
    assert points_filter(D("-1.00")) == "-1"
    assert points_filter(D("5.0"), signed=True) == "+5"
    assert points_filter(None) == "0"
