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

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from .audit import audit, protect, settle
from .cells import COUNT_UNITS, PRIMARY, SECONDARY, UNPUBLISHED, Cell
from .lp import additive_relations, parents
from .rules import is_label, is_small

ROUNDS = 8  # each round only hides more; in practice two settle it


def protect_set(reports: Sequence[list[Cell]], companies: int = 1) -> int:
    """Hide across ``reports`` (the first ``companies`` are company reports, one per
    period) until no combination of them narrows a hidden cell; returns how many
    joint nodes were hidden on top."""
    added = 0
    # Reports that protect() left as they were, untouched since: protecting one again
    # would find what it found then (the same cells, the same answer), nothing to hide.
    settled = [False] * len(reports)
    for _ in range(ROUNDS):
        joint, where = joint_cells(reports, companies)
        before = sum(c.hidden for c in joint)
        protect(joint)
        hidden = _hidden_in_reports(reports, joint, where)
        changed = sum(hidden)
        for number, cells in enumerate(reports):
            if settled[number] and not hidden[number]:
                continue
            more = protect(cells)
            settled[number] = not more
            changed += more
        added += sum(c.hidden for c in joint) - before
        if not changed:
            break
    return added


def settle_set(reports: Sequence[list[Cell]], companies: int = 1) -> int:
    """The set's fallback (``audit.settle``) where its complements left something to work out."""
    joint, where = joint_cells(reports, companies)
    hidden = settle(joint)
    if hidden:
        _hide_in_reports(reports, joint, where)
        for cells in reports:
            settle(cells)
    return hidden


def audit_set(reports: Sequence[list[Cell]], companies: int = 1) -> list[Any]:
    """The findings of the attacker who holds every report of the set."""
    joint, _ = joint_cells(reports, companies)
    return audit(joint)


def joint_cells(
    reports: Sequence[list[Cell]], companies: int = 1
) -> tuple[list[Cell], list[list[int]]]:
    """One list of every distinct figure of the set, and where each report's cells are
    in it; time is split into the pieces the set's periods are made of (``_split_time``).

    The audit asks for the joint list of the same reports again and again (each round
    of ``protect_set``, then settling, auditing, giving back), and between two asks
    only the cells' states, thresholds and ``released`` change: what a joint cell is
    (its node, unit, parts, relations) follows from what the reports' cells are,
    which a report keeps once built. So the list of the same cells (the same objects)
    is built once, and asked again its cells only take those three fields anew, as
    a new build would give them (``_refresh``): the same list, the same positions, and
    ``lp.remembered`` knows what follows from it."""
    key = (companies, tuple(tuple(map(id, cells)) for cells in reports))
    if _last_joint and _last_joint[0] == key:
        _key, _held, joint, where, models = _last_joint
        _refresh(reports, joint, where, models)
        return joint, where
    joint, where, models = _joint_cells(reports, companies)
    # The cells are held with the list, so the identities that name it stay theirs.
    held = tuple(tuple(cells) for cells in reports)
    _last_joint[:] = [key, held, joint, where, models]
    return joint, where


_last_joint: list[Any] = []


def _refresh(
    reports: Sequence[list[Cell]],
    joint: list[Cell],
    where: list[list[int]],
    models: Mapping[int, int],
) -> None:
    """The joint cells' state, threshold and ``released`` as ``_joint_cells`` makes
    them from the reports as they are now: a report's figure from its first holder,
    merged with the others' as there; an unpublished count as its model."""
    seen: set[int] = set()
    for cells, positions in zip(reports, where, strict=True):
        for cell, position in zip(cells, positions, strict=True):
            shared = joint[position]
            if position not in seen:
                seen.add(position)
                shared.state, shared.threshold = cell.state, cell.threshold
                shared.released = cell.released
            elif cell.released and not cell.hidden:
                shared.state, shared.released = "", True
            elif cell.hidden and not shared.hidden and not shared.released:
                _hidden_as(shared, cell)
    for position in range(len(seen), len(joint)):
        unpublished = joint[position]
        # A small rest (``_small_left``) stays a figure to protect; the others are unknowns.
        unpublished.state = PRIMARY if unpublished.raw is not None else UNPUBLISHED
        unpublished.released = False
        unpublished.threshold = joint[models[position]].threshold


def _hidden_as(shared: Cell, cell: Cell) -> None:
    """A figure shown in one report and hidden in another is hidden in both, under the
    hiding report's label: 「<16」 published under a minimum of 16 tells 0…15, not the
    0…4 of today's 「<5」 (a true 13 would contradict it)."""
    shared.state = cell.state
    if cell.state == PRIMARY:
        shared.threshold = cell.threshold


def _joint_cells(
    reports: Sequence[list[Cell]], companies: int
) -> tuple[list[Cell], list[list[int]], dict[int, int]]:
    """``joint_cells`` built anew; also each unpublished count's model (position)."""
    joint: list[Cell] = []
    seen: dict[Any, int] = {}
    where: list[list[int]] = []
    for number, cells in enumerate(reports):
        positions: list[int] = []
        new: list[int] = []
        for i, cell in enumerate(cells):
            key = node_key(cell.node) if cell.node is not None else (number, i)
            if key in seen:
                position = seen[key]
                shared = joint[position]
                if cell.released and not cell.hidden:
                    # Out already (an earlier run): known, whatever this run would hide.
                    shared.state, shared.released = "", True
                elif cell.hidden and not shared.hidden and not shared.released:
                    _hidden_as(shared, cell)
            else:
                position = len(joint)
                seen[key] = position
                # Company reports keep their names (each period its own); the
                # others' own figures are tied by their stated parts only.
                joint.append(
                    cell.changed(named=number < companies, parts=None, time_parts=None, also=())
                )
                new.append(i)
            positions.append(position)
        for i in new:
            cell, copy = cells[i], joint[positions[i]]
            copy.depends = tuple(positions[d] for d in cell.depends)
            copy.denominator = tuple(positions[d] for d in cell.denominator)
            copy.numerator = None if cell.numerator is None else positions[cell.numerator]
            copy.sums = tuple(tuple(positions[k] for k in parts) for parts in cell.sums)
        if number >= companies:
            own = {positions[i] for i in new}
            for parent, kids in additive_relations(cells):
                if positions[parent] in own:
                    joint[positions[parent]].parts = tuple(positions[k] for k in kids)
        where.append(positions)
    models: dict[int, int] = {}
    _nest(joint, models)
    _split_time(joint, models)
    return joint, where, models


PEOPLE_IN_NODE = (6, 7)  # a node's people: its 事業部's 部署 and, for a 部署 row, its own


def _people(key: Any) -> frozenset[Any]:
    division, department = key[PEOPLE_IN_NODE[0]], key[PEOPLE_IN_NODE[1]]
    return frozenset(department if department is not None else division or ())


def _nest(joint: list[Cell], models: dict[int, int]) -> None:
    """A figure only an advisor's report publishes (their part of a 事業部, their whole
    scope) counts some of the people of a company figure of the same measure: the
    company figure is the advisor's plus the rest (an unpublished count, 0 or more).
    Tied to the smallest such company figure; the company hierarchy does the rest."""
    company: dict[tuple[Any, ...], list[tuple[frozenset[Any], int]]] = defaultdict(list)
    own: list[tuple[tuple[Any, ...], frozenset[Any], int]] = []
    for position, cell in enumerate(list(joint)):
        if cell.unit not in COUNT_UNITS or not cell.additive or cell.node is None:
            continue
        key = node_key(cell.node)
        measure = key[: PEOPLE_IN_NODE[0]]
        people = _people(key)
        (
            company[measure].append((people, position))
            if cell.named
            else own.append((measure, people, position))
        )
    for measure, people, position in own:
        _tie_inside(joint, models, position, company.get(measure, []))
        around = [(len(p), at) for p, at in company.get(measure, []) if people < p]
        if not around:
            continue
        _, whole = min(around)
        part = joint[position]
        rest = len(joint)
        key = node_key(joint[whole].node)
        models[rest] = position
        joint.append(
            _unpublished(
                part,
                node=(*key[: PEOPLE_IN_NODE[0]], ("rest", tuple(sorted(people))), _people(key)),
                named=False,
                **_small_left(joint[whole], [part]),
            )
        )
        joint[whole].also = (*joint[whole].also, (position, rest))


def _tie_inside(
    joint: list[Cell],
    models: dict[int, int],
    position: int,
    company: Sequence[tuple[frozenset[Any], int]],
) -> None:
    """A figure not the company's (an advisor's scope, a row an earlier run published
    when small units were merged otherwise) that holds company figures of the same
    measure is their sum plus the rest: 管理本部・経営企画室 published as 52 last time and
    管理本部 as 49 now leave 経営企画室's 3 people exact. The company figures inside it
    that no other one inside holds are apart (the company's rows nest or are apart)."""
    whole = joint[position]
    people = _people(node_key(whole.node))
    inside = [(p, at) for p, at in company if p < people]
    # One figure per set of people: a 事業部 of one 部署 has its row and the 部署's, the
    # same people twice (summed both, the rest would be below zero).
    tops = list({p: (p, at) for p, at in inside if not any(p < q for q, _at in inside)}.values())
    if not tops:
        return
    parts = tuple(at for _p, at in tops)
    left = people.difference(*(p for p, _at in tops))
    if left:
        rest = len(joint)
        models[rest] = position
        key = node_key(whole.node)
        joint.append(
            _unpublished(
                whole,
                node=(*key[: PEOPLE_IN_NODE[0]], ("outside", tuple(sorted(left))), people),
                named=False,
                **_small_left(whole, [joint[at] for at in parts]),
            )
        )
        parts = (*parts, rest)
    whole.also = (*whole.also, parts)


def _small_left(whole: Cell, parts: Sequence[Cell]) -> dict[str, Any]:
    """What a figure holds besides ``parts`` (apart, inside it), as a figure of its own
    when it is of fewer people than may be shown: the company's 開発本部 less the HRBP's
    製品開発部・品質保証部 is 基盤技術部's, and 14 − 9 = 5 1on1s of 4 people must stay as
    hidden as a published ``<5``. The parts' people are apart (a person is in one 部署),
    so the rest's are the whole's less the parts'."""
    if whole.raw is None or any(part.raw is None for part in parts):
        return {}
    size = whole.size - sum(part.size for part in parts)
    if not is_small(size, whole.threshold):
        return {}
    raw = whole.raw - sum(part.raw or 0 for part in parts)
    return {"raw": raw, "size": size, "state": PRIMARY}


Span = tuple[str, str]  # the first and last day a figure covers, ISO dates


def _split_time(joint: list[Cell], models: dict[int, int]) -> None:
    """Time in the attacker's equations. Every count of 1on1s covers some days; the
    set's periods cut the time line into pieces at each of their ends, and a figure
    is the sum of its pieces (a quarter is the sum of its months, 90 days the sum of
    the 30 days in it and the 60 before, two 30-day windows a day apart share 29
    days). A piece no figure covers on its own is an unpublished count (hidden, 0 or
    more), and its 事業部 and 部署 sum up as the published periods' do. People are
    counted once per as-of date, not per period, so they are one figure already."""
    line = _TimeLine(joint, models)
    if len(line.pieces_of) < 2:
        return
    for rest, members in line.series.items():
        for span, position in members.items():
            parts = line.pieces_of[span]
            if len(parts) > 1:
                joint[position].time_parts = tuple(
                    line.piece(rest, part, position) for part in parts
                )
    line.split_rests()
    line.split_sums()


class _TimeLine:
    """The set's time series (a figure's measure without its days → its figure of
    each span), the pieces each span is made of, and the unpublished counts made
    for the pieces no figure covers."""

    def __init__(self, joint: list[Cell], models: dict[int, int]) -> None:
        self.joint = joint
        self.models = models
        self.series: dict[tuple[Any, ...], dict[Span, int]] = defaultdict(dict)
        self.located: dict[int, tuple[tuple[Any, ...], Span]] = {}
        for position, cell in enumerate(joint):
            if cell.unit not in TIME_UNITS or not cell.additive or cell.node is None:
                continue
            key = node_key(cell.node)
            span = key[PERIOD_IN_NODE]
            if not is_span(span):
                continue
            rest = key[:PERIOD_IN_NODE] + key[PERIOD_IN_NODE + 1 :]
            self.series[rest][span] = position
            self.located[position] = (rest, span)
        self.pieces_of = _pieces({span for members in self.series.values() for span in members})
        self.made: dict[tuple[tuple[Any, ...], Span], int] = {}

    def piece(self, rest: tuple[Any, ...], span: Span, model: int) -> int:
        """The figure of ``span`` in the series, or an unpublished count made for it
        (shaped like the cell at ``model``)."""
        if span in self.series[rest]:
            return self.series[rest][span]
        if (rest, span) not in self.made:
            self.made[(rest, span)] = len(self.joint)
            self.models[len(self.joint)] = model
            self.joint.append(
                _unpublished(
                    self.joint[model], period=f"{span[0]}〜{span[1]}", node=None, named=False
                )
            )
        return self.made[(rest, span)]

    def split_rests(self) -> None:
        """A company figure is an advisor's part plus the rest in every piece too."""
        joint, located = self.joint, self.located
        for parent, groups in [
            (i, [tuple(g) for g in c.also]) for i, c in enumerate(joint) if c.also and i in located
        ]:
            rest, span = located[parent]
            for part in self.pieces_of[span]:
                for group in groups:
                    if any(
                        k not in located or part not in self.pieces_of[located[k][1]] for k in group
                    ):
                        continue
                    whole = self.piece(rest, part, parent)
                    if whole not in self.made.values():
                        continue  # a published period: its own relation is there already
                    summed = tuple(self.piece(located[k][0], part, k) for k in group)
                    joint[whole].also = (*joint[whole].also, summed)

    def split_sums(self) -> None:
        """The organisation's sums hold in every piece too."""
        joint, located = self.joint, self.located
        for parent, kids in parents(joint, TIME_UNITS, additive=True).items():
            if parent not in located or any(k not in located for k in kids):
                continue
            rest, span = located[parent]
            for part in self.pieces_of[span]:
                own = self.made.get((rest, part))
                if own is None or joint[own].parts is not None:
                    continue
                if all(part in self.pieces_of[located[k][1]] for k in kids):
                    joint[own].parts = tuple(self.piece(located[k][0], part, k) for k in kids)


def _pieces(spans: set[Span]) -> dict[Span, list[Span]]:
    """Each span's pieces: the time line cut at every span's first day and the day
    after its last."""
    days = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in spans]
    cuts = sorted({a for a, _ in days} | {b + dt.timedelta(days=1) for _, b in days})
    elementary = [(a, b - dt.timedelta(days=1)) for a, b in pairwise(cuts)]
    return {
        (a, b): [
            (p.isoformat(), q.isoformat())
            for p, q in elementary
            if dt.date.fromisoformat(a) <= p and q <= dt.date.fromisoformat(b)
        ]
        for a, b in spans
    }


def _unpublished(model: Cell, **changes: Any) -> Cell:
    """A count no report publishes on its own, shaped like ``model``: a variable of
    the attacker's programme only (never shown, never compared with min_group)."""
    fields: dict[str, Any] = {
        "raw": None,
        "state": UNPUBLISHED,
        "size": 0,  # no group of its own
        "at_least_size": False,
        "at_most_size": False,
        "depends": (),
        "denominator": (),
        "numerator": None,
        "parts": None,
        "time_parts": None,
        "released": False,
        "also": (),
        "sums": (),
    }
    return model.changed(**(fields | changes))


TIME_UNITS = ("meetings",)
PERIOD_IN_NODE = 1  # where a node holds its days (reports.RowUnits.when)


def is_span(value: Any) -> bool:
    """A node's time as days (start, end) in ISO form, not a day counted on."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, str) and len(v) == 10 and v[4] == "-" for v in value)
    )


@lru_cache(maxsize=200_000)
def node_key(node: Any) -> Any:
    """A node in one hashable form, the same for a report built now and one read back
    from the published record: sets sorted, dates as ISO text, lists as tuples. A 部署
    row is its own people whatever 事業部 row it is under: an advisor of 第一工場 sees
    製造本部 as 第一工場 alone, the company as all its 部署, and the 第一工場 row of both
    reports is one figure (two names for it let one report hide what the other shows)."""
    key = _canonical(node)
    if (
        isinstance(key, tuple)
        and len(key) == PEOPLE_IN_NODE[1] + 1
        and key[PEOPLE_IN_NODE[1]] is not None
        and not _is_marker(key[PEOPLE_IN_NODE[0]])
    ):
        key = (*key[: PEOPLE_IN_NODE[0]], None, key[PEOPLE_IN_NODE[1]])
    return key


def _is_marker(value: Any) -> bool:
    """The 事業部 place of a made-up count's node: ("rest", …) or ("outside", …)."""
    return isinstance(value, tuple) and bool(value) and isinstance(value[0], str)


def _canonical(value: Any) -> Any:
    if isinstance(value, frozenset):
        return _canonical_set(value)
    if isinstance(value, set):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, tuple | list):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@lru_cache(maxsize=20_000)
def _canonical_set(value: frozenset[Any]) -> tuple[Any, ...]:
    """A node's people (a frozenset of 部署, the same few in thousands of nodes) in
    order, worked out once per set of people."""
    return tuple(sorted((_canonical(v) for v in value), key=repr))


def _hide_in_reports(
    reports: Sequence[list[Cell]], joint: list[Cell], where: list[list[int]]
) -> int:
    """Each report's cells take the joint states; returns how many were hidden."""
    return sum(_hidden_in_reports(reports, joint, where))


def _hidden_in_reports(
    reports: Sequence[list[Cell]], joint: list[Cell], where: list[list[int]]
) -> list[int]:
    """Each report's cells take the joint states; returns how many each report hid."""
    counts = []
    for cells, positions in zip(reports, where, strict=True):
        changed = 0
        for cell, position in zip(cells, positions, strict=True):
            state = joint[position].state
            if state and not cell.hidden and not cell.released:
                cell.state = SECONDARY if state == SECONDARY else PRIMARY
                if state == PRIMARY:
                    cell.threshold = joint[position].threshold
                changed += 1
        counts.append(changed)
    return counts


def node_digest(cell: Cell) -> str | None:
    """A stable name of the figure a cell is, across runs (None: no identity)."""
    if cell.node is None:
        return None
    return _digest(node_key(cell.node))


def node_text(node: Any) -> str:
    """A node as JSON (``node_key``'s lists), as the published record holds it."""
    return _text(node_key(node))


# The nodes of a report are a few hundred, each in every report of its set and in each
# record of it: written out and hashed once each.
@lru_cache(maxsize=200_000)
def _text(key: Any) -> str:
    return json.dumps(key, ensure_ascii=False, default=str)


@lru_cache(maxsize=200_000)
def _digest(key: Any) -> str:
    return hashlib.sha256(_text(key).encode("utf-8")).hexdigest()[:32]


def honour_published(reports: Sequence[list[Cell]], published: Mapping[str, list[str]]) -> int:
    """Show, and never hide again, every figure an earlier run already published as
    shown; returns how many that were hidden now."""
    shown = {node for node, labels in published.items() if any(not is_label(x) for x in labels)}
    changed = 0
    if not shown:
        return changed  # nothing published before: no cell's digest can be among them
    for cells in reports:
        for cell in cells:
            if node_digest(cell) in shown:
                cell.released = True
                if cell.hidden:
                    cell.state = ""
                    changed += 1
    return changed
