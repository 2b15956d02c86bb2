"""The division report as one list of cells: every figure it publishes, and why.

The workbook, ``--format json`` and the privacy audit all read this list, so
what a file shows and what the audit checked cannot differ. A cell keeps its
true value (``raw``) for the audit; only ``value`` and ``shown`` ever leave kops.

Published precision is part of privacy: a share shown as 41.17647% or an
average of 2.0588 gives away its denominator (7/17, 35/17), so shares are
stored as whole percents and averages and rates to one decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from ..numbers import rounded
from .rules import COMPLEMENT, below, is_small

NO_TREND = "－"
PRIMARY = "primary"
SECONDARY = "complement"
# A count no report publishes on its own (the days one period has and another has
# not): a variable of the attacker's programme only, never a cell of a file.
UNPUBLISHED = "unpublished"
ARROWS = {1: "↑", -1: "↓", 0: "→"}

# Units whose company figure is the sum of its divisions' (and so on down).
COUNT_UNITS = ("people", "meetings")
# How finely each unit is published (decimal places of the stored value).
PLACES = {"share": 2, "average": 1, "rate": 1}


@dataclass(eq=False)
class Cell:
    """One published figure. ``division`` None is the company (or, in an advisor's
    report, the advisor's whole scope); ``department`` None the whole division."""

    table: str
    period: str
    division: str | None
    department: str | None
    metric: str
    unit: str  # people, meetings, share, average, rate, trend
    raw: float | None
    size: int  # the people behind the figure: what min_group is compared with
    threshold: int
    topic: str | None = None
    response: str | None = None
    additive: bool = False
    # What an attacker knows from the label alone: a count of the people themselves
    # (value == size) or of their 1on1s (value ≥ size).
    at_least_size: bool = False
    at_most_size: bool = False
    depends: tuple[int, ...] = ()  # cells this figure is computed from (same report)
    denominator: tuple[int, ...] = ()  # a share of the sum of these count cells
    numerator: int | None = None
    state: str = ""  # "", PRIMARY or SECONDARY
    # Across the reports of one publication set: which figure this is, whoever
    # publishes it (the same people, period and measure: one node for the attacker).
    node: tuple[Any, ...] | None = None
    # In a publication set's joint list: the cells this count is the sum of, where
    # the names do not say it (an advisor's part of a 事業部); such a cell takes no
    # part in the 全社 → 事業部 → 部署 naming (``named`` False).
    parts: tuple[int, ...] | None = None
    named: bool = True
    # In a publication set over time: the same figure of the periods this one's
    # period is made of (a quarter's meetings are the sum of its months').
    time_parts: tuple[int, ...] | None = None
    # Further sums this count is, in a publication set: a figure of some of its people
    # (an advisor's part of a 事業部) plus the rest of them (an unpublished count).
    also: tuple[tuple[int, ...], ...] = ()
    # Sums this count is within its own report, where the names do not say it: a topic
    # (or 対応) table's 計 is the sum of its rows.
    sums: tuple[tuple[int, ...], ...] = ()
    # Already published as shown (an earlier run): known, so never hidden again.
    released: bool = False
    # A trend's size beside its arrow, as the two published figures differ: 「-2pt」.
    change_text: str = ""

    @property
    def hidden(self) -> bool:
        return self.state != ""

    def changed(self, **changes: Any) -> Cell:
        """A copy with ``changes``: what ``dataclasses.replace`` gives, without running
        ``__init__`` again (a publication set copies thousands of cells per audit, and
        ``replace`` was a tenth of building one)."""
        unknown = changes.keys() - CELL_FIELDS
        if unknown:
            raise TypeError(f"Cell has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(Cell)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        """Cells with the same key add up along the 全社 → 事業部 → 部署 hierarchy."""
        return (self.period, self.metric, self.topic, self.response)

    @property
    def value(self) -> float | int | None:
        """The figure as published (rounded), None when hidden."""
        if self.hidden or self.raw is None or _missing(self.raw):
            return None
        if self.unit == "trend":
            return int(self.raw)
        if self.unit in COUNT_UNITS:
            return int(self.raw)
        return _round_half_up(float(self.raw), PLACES.get(self.unit, 1))

    @property
    def shown(self) -> str:
        """What the workbook shows in this cell."""
        if self.unit == "trend":
            if self.hidden or self.value is None:
                return NO_TREND
            return f"{ARROWS[int(self.value)]} {self.change_text}".strip()
        if self.state == PRIMARY:
            return below(self.threshold)
        if self.state == SECONDARY:
            return COMPLEMENT
        value = self.value
        if value is None:
            return ""
        if self.unit in COUNT_UNITS:
            return f"{int(value):,}"
        if self.unit == "share":
            return f"{round(value * 100):d}%"
        return f"{value:.1f}"

    @property
    def published(self) -> Any:
        """The workbook's cell value: the number, or the label when hidden."""
        if self.unit == "trend":
            return self.shown
        return self.shown if self.hidden else self.value

    def record(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "period": self.period,
            "division": self.division,
            "department": self.department,
            "metric": self.metric,
            "unit": self.unit,
            "topic": self.topic,
            "response": self.response,
            "value": self.value,
            "shown": self.shown,
            "additive": self.additive,
        }


CELL_FIELDS = frozenset(field.name for field in fields(Cell))


def published_change(unit: str, now: float, before: float) -> tuple[int, str]:
    """The change between two figures as each is published (a share in whole percents,
    a rate or an average to one decimal): its direction (1, -1, 0) and its size as the
    deck says it, 「+3pt」「-0.2」「±0pt」. The arrow follows the size shown, so no arrow
    points up beside a change of 0."""
    if unit == "share":
        whole = round(
            _round_half_up(now, PLACES["share"]) * 100
            - _round_half_up(before, PLACES["share"]) * 100
        )
        return (whole > 0) - (whole < 0), "±0pt" if whole == 0 else f"{whole:+d}pt"
    places = PLACES.get(unit, 1)
    tenths = round((_round_half_up(now, places) - _round_half_up(before, places)) * 10**places)
    size = tenths / 10**places
    return (tenths > 0) - (tenths < 0), f"±{0:.{places}f}" if tenths == 0 else f"{size:+.{places}f}"


def _missing(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _round_half_up(value: float, places: int) -> float:
    """As Excel shows the figure (numbers.rounded: 15 significant digits, a tie away from
    zero): 57 of 200 is stored as 0.28499999999999998, and published as 29% as the
    terminal and the deck say it, not 28%."""
    return float(rounded(value, places))


def half_step(unit: str) -> float:
    """How far a published value of ``unit`` can be from the true one."""
    return 0.5 / 10 ** PLACES.get(unit, 1)


# ---- views: the tables of the workbook, read back from the cells ----------


def rows_of(
    cells: list[Cell], table: str, division: str | object | None, by: str, label: str
) -> list[dict[str, Any]]:
    """One dict per row of ``table`` (cells of ``division`` unless it is ``ANY``):
    ``by`` ('division', 'department', 'topic', 'response', 'period') names the row,
    missing row names (the company) read ``label``; metrics become columns."""
    rows: dict[Any, dict[str, Any]] = {}
    for cell in cells:
        if cell.table != table or (division is not ANY and cell.division != division):
            continue
        name = getattr(cell, by)
        row = rows.setdefault(
            (cell.division, name), {"division": cell.division, by: label if name is None else name}
        )
        row[cell.metric] = cell.published
    return list(rows.values())


ANY = object()


def mark_small(cells: list[Cell]) -> int:
    """Hide, as ``<5`` / ``<10``, every cell of too few people or with nothing to
    show (no one rated: it reads as a small group too); returns how many."""
    for cell in cells:
        if is_small(cell.size, cell.threshold) or cell.raw is None:
            cell.state = PRIMARY
    return sum(c.hidden for c in cells)
