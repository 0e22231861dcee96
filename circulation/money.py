"""Money in yuan (CNY): always ``Decimal`` with two places, never a float, and one way to write
it (¥12.50) on pages, receipts and lists."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The most one charge may be (a whole class set lost stays far below it).
CHARGE_MAX = Decimal("99999.99")


def money(value) -> Decimal:
    """A value as yuan with two places, rounded half up (a float is refused: it cannot hold
    money exactly)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_parse(text: str) -> Decimal | None:
    """What a person typed (25.8, ¥25.80, 25，80 not accepted) as yuan, or None when it is not
    an amount of more than zero with at most two places."""
    text = (text or "").strip().replace("¥", "").replace("￥", "").replace(",", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > CHARGE_MAX or value != value.quantize(CENT):
        return None
    return money(value)


def yuan(value) -> str:
    """¥12.50 (an empty text for None)."""
    if value is None or value == "":
        return ""
    return f"¥{money(value)}"
