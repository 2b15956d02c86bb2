"""A figure as people read it: rounded as Excel and PowerPoint round it.

A share of 3 in 24 is 12.5 %. Python's own formatting rounds a tie to the even
digit (``f"{0.125:.0%}"`` is 12%), Excel and PowerPoint away from zero (a cell or
chart label formatted ``0%`` shows 13%). A deck whose sentence said 12% under a chart
that says 13%, or a terminal that disagreed with the workbook it wrote, would state
one figure two ways. Every figure kops writes as text goes through here; numbers in
workbooks and charts stay numbers, for Excel to round the same way.

Like Excel, the value is first taken to 15 significant digits: 0.285 is stored as
0.28499999999999998 and shown as 29%, not 28%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rounded(value: float | Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimals, a tie away from zero (as Excel shows it)."""
    exact = value if isinstance(value, Decimal) else Decimal(f"{float(value):.15g}")
    return exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def fixed(value: float, places: int = 1) -> str:
    """「3.5」: a number with ``places`` decimals."""
    return f"{rounded(value, places):f}"


def percent(value: float, places: int = 0) -> str:
    """「13%」: a share (0–1) as a percent with ``places`` decimals."""
    return f"{rounded(Decimal(f'{float(value):.15g}') * 100, places):f}%"


def grouped(value: float) -> str:
    """「1,235」: a whole number with thousands separators."""
    return f"{rounded(value, 0):,f}"


def signed(value: float, places: int = 0) -> str:
    """「+9.3」「−9.3」「±0.0」: a change with its sign, a minus sign (−) for a fall, and
    ±0 when it rounds to nothing (「+0.0」 would say it rose)."""
    shown = rounded(value, places)
    if shown == 0:
        return f"±{abs(shown):f}"
    return f"{'+' if shown > 0 else '−'}{abs(shown):f}"
