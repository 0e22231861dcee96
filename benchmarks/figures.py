"""What several benchmarks compute the same way: percentiles of timings, a target's verdict,
and made-up but valid ISBN-13s."""

from __future__ import annotations

import math

from stdnum import ean


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 for the p95); NaN for no values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def verdict(seconds: float, target: float) -> str:
    """``(target ≤ 10 s: met)`` or ``… NOT MET)``."""
    return f"(target ≤ {target:g} s: {'met' if seconds <= target else 'NOT MET'})"


def isbn13(number: int) -> str:
    """A valid ISBN-13 of the Chinese group (978-7-5…), one per ``number`` below 10,000,000."""
    body = f"97875{number:07d}"
    return body + ean.calc_check_digit(body)
