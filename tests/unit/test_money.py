"""Amounts in yuan as people type them: digits with at most two decimals, more than 0,
under a million; everything else is refused with a message that says what to fix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.forms import FieldError
from app.core.money import optional_yuan, yuan, yuan_text


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("500", "500.00"), ("1300.5", "1300.50"), ("0.01", "0.01"), ("1,300.00", "1300.00"),
     ("８００元", "800.00"), (" 999999.99 ", "999999.99")],
)  # fmt: skip
def test_amounts_people_type(typed: str, amount: str) -> None:
    assert yuan(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "An amount cannot be negative."),
        ("12.345", "Please give the amount to the fen: at most two decimals."),
        ("abc", "Please enter the amount in digits, for example 500 or 1300.50."),
        ("5e3", "Please enter the amount in digits, for example 500 or 1300.50."),
        ("NaN", "Please enter the amount in digits, for example 500 or 1300.50."),
        ("0", "The amount must be more than 0 yuan."),
        ("0.00", "The amount must be more than 0 yuan."),
        ("1000000", "The amount must be under 1,000,000 yuan."),
        ("", "Please enter an amount in yuan."),
    ],
)
def test_bad_amounts_are_refused(typed: str, message: str) -> None:
    with pytest.raises(FieldError) as refused:
        yuan(typed)
    assert refused.value.message == message


def test_an_optional_amount_may_be_left_empty() -> None:
    assert optional_yuan("  ") is None
    assert optional_yuan("20") == Decimal("20.00")


def test_amounts_are_shown_with_thousands_and_two_decimals() -> None:
    assert yuan_text(Decimal("1300")) == "1,300.00 元"
    assert yuan_text(None) == "0.00 元"
