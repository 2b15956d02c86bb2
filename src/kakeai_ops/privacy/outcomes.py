"""What a step of the audit decided, remembered by everything it read.

Protecting, settling, giving back and checking read nothing but the cells (every
field of every cell: ``fingerprint``) and their own arguments, and decide the same
way for the same cells: HiGHS solves the same programme to the same answer. So a
step asked again of cells equal field for field takes what it decided then: the
fields it changed, set again, and what it returned. A month's commands ask again
within one process: the review builds the reports its slides and its record
share, and ``kops demo`` runs the division report, the review and the advisors'
reports of one publication set. A step that raised is not remembered.

Bounded by the cells held: a large tenant's publication set is tens of thousands
of cells, each remembered with every field.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar, cast

from .cells import Cell

T = TypeVar("T")

FIELD_NAMES = tuple(f.name for f in fields(Cell))
_FIELDS = attrgetter(*FIELD_NAMES)

Fingerprint = tuple[tuple[object, ...], ...]


def fingerprint(cells: Sequence[Cell]) -> Fingerprint:
    """Everything the audit reads of each cell: every field of it."""
    return tuple(_FIELDS(c) for c in cells)


# The cells of one list a step changed, with the fields it changed: index → {name: value}.
Changes = list[tuple[int, dict[str, Any]]]


class Outcomes:
    """The last outcomes of one step, by what it read (at most ``kept_cells`` cells)."""

    def __init__(self, kept_cells: int) -> None:
        self.kept_cells = kept_cells
        self._known: OrderedDict[Hashable, tuple[list[Changes], Any, int]] = OrderedDict()
        self._held = 0

    def decide(self, lists: Sequence[Sequence[Cell]], how: Hashable, step: Callable[[], T]) -> T:
        """``step()`` (which may change the cells of ``lists``), or what it decided for
        cells equal to these, field for field, and the same ``how``."""
        before = tuple(fingerprint(cells) for cells in lists)
        key = (how, before)
        known = self._known.get(key)
        if known is not None:
            self._known.move_to_end(key)
            changes, value, _size = known
            for cells, changed in zip(lists, changes, strict=True):
                for index, values in changed:
                    cells[index].__dict__.update(values)
            return cast(T, value)
        value = step()
        changes = [_changes(cells, prints) for cells, prints in zip(lists, before, strict=True)]
        size = sum(len(prints) for prints in before)
        self._known[key] = (changes, value, size)
        self._held += size
        while self._held > self.kept_cells and len(self._known) > 1:
            *_known, dropped = self._known.popitem(last=False)[1]
            self._held -= dropped
        return value

    def forget(self) -> None:
        self._known.clear()
        self._held = 0


def _changes(cells: Sequence[Cell], prints: Fingerprint) -> Changes:
    out: Changes = []
    for index, (cell, was) in enumerate(zip(cells, prints, strict=True)):
        now = _FIELDS(cell)
        if now != was:
            out.append(
                (
                    index,
                    {
                        name: new
                        for name, old, new in zip(FIELD_NAMES, was, now, strict=True)
                        if new is not old and new != old
                    },
                )
            )
    return out


# About five hundred bytes a cell remembered: some tens of megabytes at most, twenty
# publication sets of the sample tenant, two or three of a large one.
KEPT_CELLS = 100_000
OUTCOMES = Outcomes(KEPT_CELLS)
