"""How a number of points is written, everywhere points are shown.

People write 3分, 2.5分, -1分: no trailing zeros, and two decimals only where a
fraction needs them (an hour item worth 0.5 for 1.5 hours is 0.75). The database keeps
one or two decimals (3.0, -1.00), so every page, message, export and log entry goes
through `points_text` rather than printing the stored value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def points_text(value: Decimal | float | str | None, signed: bool = False) -> str:
    """3.00 → 3, 2.50 → 2.5, -1.00 → -1; with `signed` a gain reads +5. None → ""."""
    if value is None:
        return ""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if number == 0:
        return "0"  # never -0
    text = f"{number:f}".rstrip("0").rstrip(".")
    return f"+{text}" if signed and number > 0 else text
