"""The publication set: everything kops publishes for one snapshot and period,
audited as one.

People receive several files for the same period: the company report, each
advisor's report, the deck. Each may pass the audit on its own while together
they give a hidden figure back (the company hides 調達部's 1on1s as a
complement, the HRBP's report shows them; subtract, and a 1-person group is
exact). So the attacker's programme is built over all of them at once:

- a figure published by several reports is one node (``Cell.node``: the same
  people, period and measure), hidden in all if hidden in any;
- a figure only one report publishes (an advisor's part of a 事業部, the
  advisor's whole scope) is a node of its own, tied to the nodes it sums by
  ``Cell.parts``, so "事業部 = advisor's part + the rest" is in the equations;
- the joint list is protected (``audit.protect``) and its hidden states go back
  to every report, then each report is protected on its own again (a ratio
  beside a newly hidden count) until nothing changes.

The result does not depend on the order the reports are built in: the set is
always the company report plus every configured advisor's, and which cells are
hidden follows from the joint programme alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .audit import audit, protect, settle
from .cells import PRIMARY, SECONDARY, Cell
from .lp import additive_relations
from .rules import is_label

ROUNDS = 8  # each round only hides more; in practice two settle it


TimeParts = Mapping[str, Sequence[str]]


def protect_set(
    reports: Sequence[list[Cell]], companies: int = 1, time_parts: TimeParts | None = None
) -> int:
    """Hide across ``reports`` (the first ``companies`` are company reports, one per
    period) until no combination of them narrows a hidden cell; returns how many
    joint nodes were hidden on top. ``time_parts``: period label → the labels of
    the periods it is the sum of (2026Q4 → 2026-10, 2026-11)."""
    added = 0
    for _ in range(ROUNDS):
        joint, where = joint_cells(reports, companies, time_parts)
        before = sum(c.hidden for c in joint)
        protect(joint)
        changed = _hide_in_reports(reports, joint, where)
        for cells in reports:
            changed += protect(cells)
        added += sum(c.hidden for c in joint) - before
        if not changed:
            break
    return added


def settle_set(
    reports: Sequence[list[Cell]], companies: int = 1, time_parts: TimeParts | None = None
) -> int:
    """The set's fallback (``audit.settle``) where its complements left something to work out."""
    joint, where = joint_cells(reports, companies, time_parts)
    hidden = settle(joint)
    if hidden:
        _hide_in_reports(reports, joint, where)
        for cells in reports:
            settle(cells)
    return hidden


def audit_set(
    reports: Sequence[list[Cell]], companies: int = 1, time_parts: TimeParts | None = None
) -> list[Any]:
    """The findings of the attacker who holds every report of the set."""
    joint, _ = joint_cells(reports, companies, time_parts)
    return audit(joint)


def joint_cells(
    reports: Sequence[list[Cell]], companies: int = 1, time_parts: TimeParts | None = None
) -> tuple[list[Cell], list[list[int]]]:
    """One list of every distinct figure of the set, and where each report's cells are in it."""
    joint: list[Cell] = []
    seen: dict[Any, int] = {}
    where: list[list[int]] = []
    for number, cells in enumerate(reports):
        positions: list[int] = []
        new: list[int] = []
        for i, cell in enumerate(cells):
            key = cell.node if cell.node is not None else (number, i)
            if key in seen:
                position = seen[key]
                if cell.hidden and not joint[position].hidden:
                    joint[position].state = cell.state
            else:
                position = len(joint)
                seen[key] = position
                # Company reports keep their names (each period its own); the
                # others' own figures are tied by their stated parts only.
                joint.append(replace(cell, named=number < companies, parts=None, time_parts=None))
                new.append(i)
            positions.append(position)
        for i in new:
            cell, copy = cells[i], joint[positions[i]]
            copy.depends = tuple(positions[d] for d in cell.depends)
            copy.denominator = tuple(positions[d] for d in cell.denominator)
            copy.numerator = None if cell.numerator is None else positions[cell.numerator]
        if number >= companies:
            own = {positions[i] for i in new}
            for parent, kids in additive_relations(cells):
                if positions[parent] in own:
                    joint[positions[parent]].parts = tuple(positions[k] for k in kids)
        where.append(positions)
    if time_parts:
        _tie_periods(joint, seen, time_parts)
    return joint, where


PERIOD_IN_NODE = 1  # where a node holds its period (reports.RowUnits.node)


def _tie_periods(joint: list[Cell], seen: Mapping[Any, int], time_parts: TimeParts) -> None:
    """A quarter's count of meetings is the sum of its months' (people are not: the
    same person counts once in the quarter and in each month)."""
    for cell in joint:
        parts = time_parts.get(cell.period)
        if not parts or not cell.additive or cell.unit != "meetings" or cell.node is None:
            continue
        found = []
        for label in parts:
            node = list(cell.node)
            node[PERIOD_IN_NODE] = label
            found.append(seen.get(tuple(node)))
        if all(f is not None for f in found):
            cell.time_parts = tuple(f for f in found if f is not None)


def _hide_in_reports(
    reports: Sequence[list[Cell]], joint: list[Cell], where: list[list[int]]
) -> int:
    """Each report's cells take the joint states; returns how many were hidden."""
    changed = 0
    for cells, positions in zip(reports, where, strict=True):
        for cell, position in zip(cells, positions, strict=True):
            state = joint[position].state
            if state and not cell.hidden and not cell.released:
                cell.state = SECONDARY if state == SECONDARY else PRIMARY
                if state == PRIMARY:
                    cell.threshold = joint[position].threshold
                changed += 1
    return changed


def node_digest(cell: Cell) -> str | None:
    """A stable name of the figure a cell is, across runs (None: no identity)."""
    if cell.node is None:
        return None

    def canonical(value: Any) -> Any:
        if isinstance(value, frozenset | set):
            return sorted((canonical(v) for v in value), key=repr)
        if isinstance(value, tuple | list):
            return [canonical(v) for v in value]
        return value

    text = json.dumps(canonical(cell.node), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def honour_published(reports: Sequence[list[Cell]], published: Mapping[str, list[str]]) -> int:
    """Show, and never hide again, every figure an earlier run already published as
    shown; returns how many that were hidden now."""
    shown = {node for node, labels in published.items() if any(not is_label(x) for x in labels)}
    changed = 0
    for cells in reports:
        for cell in cells:
            if node_digest(cell) in shown:
                cell.released = True
                if cell.hidden:
                    cell.state = ""
                    changed += 1
    return changed
