"""A figure as people read it: rounded as Excel and PowerPoint round it.

A share of 3 in 24 is 12.5 %. Python's own formatting rounds a tie to the even
digit (``f"{0.125:.0%}"`` is 12%), Excel and PowerPoint away from zero (a cell or
chart label formatted ``0%`` shows 13%). A deck whose sentence said 12% under a chart
that says 13%, or a terminal that disagreed with the workbook it wrote, would state
one figure two ways. Every figure kops writes as text goes through here; numbers in
workbooks and charts stay numbers, for Excel to round the same way.

Like Excel, the value is first taken to 15 significant digits: 0.285 is stored as
0.28499999999999998 and shown as 29%, not 28%. A value that is no number (None, NaN,
a ratio to nothing) is written 「-」, as the tables mark a missing figure; Excel has no
negative zero, so -0.0 is 0.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

MISSING = "-"


def rounded(value: float | Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimals, a tie away from zero (as Excel shows it)."""
    exact = value if isinstance(value, Decimal) else Decimal(f"{float(value):.15g}")
    if exact.is_zero():
        exact = abs(exact)  # -0.0 is 0
    with localcontext() as context:  # enough digits for any float (1e300 has 301)
        context.prec = max(context.prec, exact.adjusted() + places + 2)
        return exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _number(value: Any) -> Decimal | None:
    """``value`` as a Decimal of its 15 significant digits; None when it is no number."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    number = float(value)
    return Decimal(f"{number:.15g}") if math.isfinite(number) else None


def fixed(value: float, places: int = 1) -> str:
    """「3.5」: a number with ``places`` decimals."""
    number = _number(value)
    return MISSING if number is None else f"{rounded(number, places):f}"


def percent(value: float, places: int = 0) -> str:
    """「13%」: a share (0–1) as a percent with ``places`` decimals."""
    number = _number(value)
    return MISSING if number is None else f"{rounded(number * 100, places):f}%"


def grouped(value: float) -> str:
    """「1,235」: a whole number with thousands separators."""
    number = _number(value)
    return MISSING if number is None else f"{rounded(number, 0):,f}"


def signed(value: float, places: int = 0) -> str:
    """「+9.3」「−9.3」「±0.0」: a change with its sign, a minus sign (−) for a fall, and
    ±0 when it rounds to nothing (「+0.0」 would say it rose)."""
    number = _number(value)
    if number is None:
        return MISSING
    shown = rounded(number, places)
    if shown == 0:
        return f"±{abs(shown):f}"
    return f"{'+' if shown > 0 else '−'}{abs(shown):f}"
