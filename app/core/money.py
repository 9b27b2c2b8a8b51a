"""Money in yuan: read from a form as a Decimal with two places, shown as people write
it ("1,300.00 元"). Never a float: a bureau's totals must add up to the fen."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from app.core.forms import FieldError
from app.i18n import N_

MAX_YUAN = Decimal("1000000")
"""Amounts stay under a million yuan (numeric(12, 2) holds more; no single gift does)."""
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


def yuan(raw: str) -> Decimal:
    """An amount in yuan: more than 0, at most two decimals, under a million. Full-width
    digits, thousands commas and a trailing 元 are accepted as people type them."""
    text = unicodedata.normalize("NFKC", raw).strip().removesuffix("元").strip()
    text = text.replace(",", "").replace("，", "")
    if not text:
        raise FieldError(N_("Please enter an amount in yuan."))
    if text.startswith("-"):
        raise FieldError(N_("An amount cannot be negative."))
    if not _AMOUNT.fullmatch(text):
        if re.fullmatch(r"\d+\.\d{3,}", text):
            raise FieldError(N_("Please give the amount to the fen: at most two decimals."))
        raise FieldError(N_("Please enter the amount in digits, for example 500 or 1300.50."))
    amount = Decimal(text)
    if amount <= 0:
        raise FieldError(N_("The amount must be more than 0 yuan."))
    if amount >= MAX_YUAN:
        raise FieldError(N_("The amount must be under 1,000,000 yuan."))
    return amount.quantize(Decimal("0.01"))


def optional_yuan(raw: str) -> Decimal | None:
    """An amount in yuan, or None when the field was left empty."""
    return yuan(raw) if raw.strip() else None


def yuan_text(amount: Decimal | int | None) -> str:
    """1300 → "1,300.00 元"."""
    return f"{Decimal(amount or 0):,.2f} 元"
