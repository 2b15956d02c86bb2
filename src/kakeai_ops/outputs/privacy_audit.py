"""The privacy audit: can anything the report publishes give away a hidden cell?

Pure (cells in, findings or more hidden cells out). It plays the attacker who
holds every published figure of one report:

- **Sums.** The company's people and 1on1 counts are the sums of its
  divisions', a division's the sums of its departments', per period, metric,
  topic and 対応. With the visible figures as constants, each hidden count is a
  variable bounded by what its label says (``<10`` → 0…9; ``(秘匿)`` → at least
  the threshold, since it was not small), and linear programming (HiGHS) gives
  the attacker's best interval for every hidden cell.
- **Shares.** A visible share, published to a whole percent, ties its count to
  its table's total within ±0.5 %; those inequalities join the programme.
- **Ratios.** A share, average or rate is hidden with any count it is computed
  from (``depends``); among the children of a visible parent ratio, never
  exactly one is hidden (parent × total minus the others would give it back).

A primary-suppressed count (``<k``) passes when the attacker's interval still
covers 0…k−1, i.e. the publication told them nothing beyond the label. Where
it does not, :func:`protect` hides the smallest visible count in a relation
with it (``(秘匿)``) and tries again. Relations form a hierarchy (each count
sums into one parent), whose constraint matrix is totally unimodular: the LP
bounds, rounded inward, are the integer bounds. The share inequalities break
that property, so with them the LP bounds may be wider than an integer search
would find; they are documented as the relaxation they are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..errors import KopsError
from .report_cells import COUNT_UNITS, PRIMARY, SECONDARY, Cell, half_step

RATIO_UNITS = ("share", "average", "rate")
TOLERANCE = 1e-6


class PrivacyAuditError(KopsError):
    """A report would publish something from which a hidden figure can be worked out."""


@dataclass(frozen=True)
class Finding:
    cell: int
    reason: str
    low: float | None = None
    high: float | None = None
    frees: tuple[int, ...] = ()  # visible counts in the relations that pin it


@dataclass
class _Row:
    coefficients: dict[int, float]
    low: float  # -inf for ≤ rows
    high: float  # +inf for ≥ rows
    frees: tuple[int, ...] = ()  # the visible counts whose hiding would loosen it


def audit(cells: Sequence[Cell]) -> list[Finding]:
    """Every way the published cells give away more than their labels allow."""
    findings = [
        Finding(i, f"shown although {c.size} people < {c.threshold}")
        for i, c in enumerate(cells)
        if not c.hidden and c.unit != "trend" and c.size < c.threshold
    ]
    findings += [
        Finding(i, f"shown although it is computed from hidden cell {d}")
        for i, c in enumerate(cells)
        if not c.hidden
        for d in c.depends
        if cells[d].hidden
    ]
    findings += [
        Finding(lone, "the only hidden child of a shown ratio") for lone in _lone_ratios(cells)
    ]
    for component, rows in _components(cells):
        findings += _check(cells, component, rows)
    return findings


def check(cells: Sequence[Cell]) -> None:
    """Raise unless the audit finds nothing: called before any report is written."""
    findings = audit(cells)
    if findings:
        first = findings[0]
        cell = cells[first.cell]
        where = "/".join(p for p in (cell.division, cell.department) if p) or "全社"
        raise PrivacyAuditError(
            f"privacy audit: {len(findings)} cell(s) could be worked out, e.g. {cell.table} "
            f"{where} {cell.metric} {cell.topic or ''} {cell.response or ''} "
            f"({first.reason}); nothing was written",
            hint="this is a bug in kops' suppression; please report it with the command line",
        )


def protect(cells: list[Cell]) -> int:
    """Hide more cells until the audit passes; returns how many it hid."""
    before = sum(c.hidden for c in cells)
    _propagate(cells)
    settled: set[frozenset[int]] = set()
    # Hiding more only ever widens what an attacker can conclude (a constant
    # becomes a variable whose range includes it, a share constraint goes), so a
    # cell that passed once keeps passing: it is not solved again.
    passed: set[int] = set()
    while True:
        failing: list[tuple[list[Finding], list[int]]] = []
        for component, rows in _components(cells):
            if frozenset(component) in settled:
                continue
            found = _check(cells, component, rows, first=True, passed=passed)
            if found:
                failing.append((found, component))
            else:
                settled.add(frozenset(component))
        if not failing:
            break
        relations = _additive_relations(cells)
        choices = set()
        for found, component in failing:
            # One complement per group and round: the programme is solved again
            # before the next, so no more is hidden than needed.
            for finding in found:
                choice = _cheapest(cells, finding.frees, relations)
                if choice is None:
                    choice = _cheapest_complement(cells, [finding.cell], relations)
                if choice is None:
                    choice = _cheapest_complement(cells, component, relations)
                if choice is not None:
                    choices.add(choice)
                    break
        if not choices:
            break  # nothing left to hide: check() will refuse the report
        for choice in choices:
            cells[choice].state = SECONDARY
        _propagate(cells)
    while choices := _ratio_complements(cells):
        for choice in choices:
            cells[choice].state = SECONDARY
        _propagate(cells)
    return sum(c.hidden for c in cells) - before


def _propagate(cells: list[Cell]) -> None:
    """A figure computed from a hidden one is hidden too, with its label."""
    changed = True
    while changed:
        changed = False
        for cell in cells:
            if cell.hidden or not cell.depends:
                continue
            hidden = [cells[d] for d in cell.depends if cells[d].hidden]
            if hidden:
                primary = [d for d in hidden if d.state == PRIMARY]
                if primary:
                    cell.state = PRIMARY
                    cell.threshold = max(d.threshold for d in primary)
                else:
                    cell.state = SECONDARY
                changed = True


# ---- the hierarchy ---------------------------------------------------------


def _parents(
    cells: Sequence[Cell], units: Iterable[str], additive: bool = False
) -> dict[int, list[int]]:
    """Parent index → children indexes, for cells of ``units`` in the hierarchy
    (only the additive ones with ``additive``)."""
    wanted = set(units)

    def member(c: Cell) -> bool:
        return c.unit in wanted and (c.additive or not additive)

    where: dict[tuple, int] = {}
    for i, c in enumerate(cells):
        if member(c):
            where[(c.key, c.unit, c.division, c.department)] = i
    children: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cells):
        if not member(c) or c.division is None:
            continue
        # A department sums into its division, a division into the company.
        above = c.division if c.department is not None else None
        parent = where.get((c.key, c.unit, above, None))
        if parent is not None and parent != i:
            children[parent].append(i)
    return children


def _additive_relations(cells: Sequence[Cell]) -> dict[int, list[int]]:
    return _parents(cells, COUNT_UNITS, additive=True)


def _lone_ratios(cells: Sequence[Cell]) -> list[int]:
    return [hidden for hidden, _ in _lone_families(cells)]


def _lone_families(cells: Sequence[Cell]) -> list[tuple[int, list[int]]]:
    """Ratios hidden alone under a shown parent ratio: (the hidden one, parent + siblings)."""
    lone = []
    for parent, kids in _parents(cells, RATIO_UNITS).items():
        if cells[parent].hidden:
            continue
        hidden = [k for k in kids if cells[k].hidden]
        if len(hidden) == 1:
            lone.append((hidden[0], [parent, *kids]))
    return lone


def _ratio_complements(cells: Sequence[Cell]) -> set[int]:
    """For each lone hidden ratio, the sibling with the fewest people (or, when it
    has none, the parent: an only child equals its parent)."""
    choices = set()
    for _, (parent, *kids) in _lone_families(cells):
        visible = [k for k in kids if not cells[k].hidden]
        choices.add(min(visible, key=lambda k: (cells[k].size, k)) if visible else parent)
    return choices


# ---- the linear programme -------------------------------------------------


def _rows(cells: Sequence[Cell]) -> list[_Row]:
    rows: list[_Row] = []
    for parent, kids in _additive_relations(cells).items():
        row = _Row({}, 0.0, 0.0)
        constant = 0.0
        for index, sign in [(parent, -1.0), *((k, 1.0) for k in kids)]:
            if cells[index].hidden:
                row.coefficients[index] = row.coefficients.get(index, 0.0) + sign
            else:
                constant += sign * float(cells[index].raw or 0)
        if row.coefficients:
            frees = tuple(i for i in (parent, *kids) if not cells[i].hidden)
            rows.append(_Row(row.coefficients, -constant, -constant, frees))
    for cell in cells:
        if cell.hidden or cell.unit != "share" or cell.numerator is None or not cell.denominator:
            continue
        share, step = float(cell.value or 0), half_step("share")
        for bound, sign in ((share - step, 1.0), (share + step, -1.0)):
            # numerator − bound × Σ denominator  ≥ 0 (lower) or ≤ 0 (upper)
            terms: dict[int, float] = defaultdict(float)
            terms[cell.numerator] += 1.0
            for d in cell.denominator:
                terms[d] -= bound
            coefficients, constant = {}, 0.0
            for index, weight in terms.items():
                if cells[index].hidden:
                    coefficients[index] = weight
                else:
                    constant += weight * float(cells[index].raw or 0)
            if not coefficients:
                continue
            frees = tuple(i for i in terms if not cells[i].hidden)
            if sign > 0:
                rows.append(_Row(coefficients, -constant - TOLERANCE, math.inf, frees))
            else:
                rows.append(_Row(coefficients, -math.inf, -constant + TOLERANCE, frees))
    return rows


def _components(cells: Sequence[Cell]) -> list[tuple[list[int], list[_Row]]]:
    """Groups of hidden counts tied by some relation, with their relations
    (each group is solved on its own: small programmes instead of one large one)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = _rows(cells)
    for row in rows:
        first, *rest = row.coefficients
        for other in rest:
            parent[find(other)] = find(first)
        find(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    tied: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        tied[find(next(iter(row.coefficients)))].append(row)
    return [(sorted(g), tied[root]) for root, g in groups.items()]


def _prior(cell: Cell) -> tuple[float, float]:
    """What the label alone tells the attacker about a hidden count."""
    if cell.state == PRIMARY:
        return 0.0, float(cell.threshold - 1) if cell.at_most_size else math.inf
    return float(cell.threshold) if cell.at_least_size else 0.0, math.inf


def _check(
    cells: Sequence[Cell],
    component: list[int],
    rows: list[_Row],
    first: bool = False,
    passed: set[int] | None = None,
) -> list[Finding]:
    """Primary cells of the component whose best interval is narrower than 0…k−1
    (only the first with ``first``; cells in ``passed`` are skipped, and cells
    that pass are added to it)."""
    done = passed if passed is not None else set()
    targets = [i for i in component if cells[i].state == PRIMARY and i not in done]
    if not targets:
        return []
    variables = {index: n for n, index in enumerate(component)}
    eq = [r for r in rows if r.low == r.high]
    ub = [r for r in rows if r.low != r.high]
    a_eq, b_eq = _matrix(eq, variables), np.array([r.low for r in eq])
    a_ub_rows, b_ub, ub_source = [], [], []
    for row in ub:
        vector = _vector(row, variables)
        if math.isfinite(row.high):
            a_ub_rows.append(vector)
            b_ub.append(row.high)
            ub_source.append(row)
        if math.isfinite(row.low):
            a_ub_rows.append(-vector)
            b_ub.append(-row.low)
            ub_source.append(row)
    a_ub = np.array(a_ub_rows) if a_ub_rows else None
    bounds: list[tuple[float, float | None]] = [
        (low, None if math.isinf(high) else high)
        for low, high in map(_prior, (cells[i] for i in component))
    ]
    findings = []
    for index in targets:
        objective = np.zeros(len(component))
        objective[variables[index]] = 1.0
        low_fit = _solve(objective, a_ub, b_ub, a_eq, b_eq, bounds)
        high_fit = _solve(-objective, a_ub, b_ub, a_eq, b_eq, bounds)
        high = -float(high_fit.fun) if high_fit is not None else math.inf
        low = math.ceil(float(low_fit.fun) - TOLERANCE) if low_fit is not None else 0.0
        high = math.floor(high + TOLERANCE) if math.isfinite(high) else math.inf
        if low > 0 or high < cells[index].threshold - 1:
            fit = low_fit if low > 0 else high_fit
            # The relations that bind at the attacker's optimum (non-zero duals)
            # are the ones a complement has to loosen.
            binding = [] if fit is None else _binding(fit, eq, ub_source)
            frees = tuple(dict.fromkeys(i for row in binding for i in row.frees))
            findings.append(
                Finding(index, f"an attacker can narrow it to {low}…{high}", low, high, frees)
            )
            if first:
                break
        else:
            done.add(index)
    return findings


def _vector(row: _Row, variables: dict[int, int]) -> np.ndarray:
    vector = np.zeros(len(variables))
    for index, weight in row.coefficients.items():
        vector[variables[index]] = weight
    return vector


def _matrix(rows: list[_Row], variables: dict[int, int]) -> np.ndarray | None:
    return np.array([_vector(r, variables) for r in rows]) if rows else None


def _binding(fit: Any, eq: list[_Row], ub: list[_Row]) -> list[_Row]:
    rows = []
    if eq and fit.eqlin is not None:
        rows += [r for r, m in zip(eq, fit.eqlin.marginals, strict=True) if abs(m) > TOLERANCE]
    if ub and fit.ineqlin is not None:
        rows += [r for r, m in zip(ub, fit.ineqlin.marginals, strict=True) if abs(m) > TOLERANCE]
    return rows


def _solve(objective, a_ub, b_ub, a_eq, b_eq, bounds) -> Any:  # type: ignore[no-untyped-def]
    result = linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.array(b_ub) if a_ub is not None else None,
        A_eq=a_eq,
        b_eq=b_eq if a_eq is not None else None,
        bounds=bounds,
        method="highs",
    )
    if result.status == 3:  # unbounded
        return None
    if result.status != 0:
        raise PrivacyAuditError(f"privacy audit: the linear programme failed ({result.message})")
    return result


def _cheapest(
    cells: Sequence[Cell], frees: Sequence[int], relations: dict[int, list[int]]
) -> int | None:
    """Of the visible counts that would loosen what pins a cell, the one that
    costs least: not given straight back by another all-visible sum, then the
    smallest."""
    visible = [i for i in frees if not cells[i].hidden]
    if not visible:
        return None
    pinned = _pinned(cells, relations)
    return min(visible, key=lambda i: (i in pinned, float(cells[i].raw or 0), i))


def _pinned(cells: Sequence[Cell], relations: dict[int, list[int]]) -> set[int]:
    """Visible counts that some sum with every other member visible gives away anyway
    (a 事業部 whose 部署 are all shown): hiding them alone frees nothing."""
    pinned: set[int] = set()
    for parent, kids in relations.items():
        hidden = [i for i in (parent, *kids) if cells[i].hidden]
        if not hidden:
            pinned.update((parent, *kids))
    return pinned


def _cheapest_complement(
    cells: Sequence[Cell], tied: list[int], relations: dict[int, list[int]]
) -> int | None:
    """The visible count in a relation with the ``tied`` hidden cells that costs
    least to hide: one that another all-visible sum would not give straight back
    (a 事業部 whose 部署 are all shown), siblings before parents and children,
    then the smallest."""
    wanted = set(tied)
    groups = [[parent, *kids] for parent, kids in relations.items()]
    member_of: dict[int, list[list[int]]] = defaultdict(list)
    for group in groups:
        for index in group:
            member_of[index].append(group)

    def pinned(other: int, via: list[int] | None) -> int:
        return int(
            any(
                group is not via and all(x == other or not cells[x].hidden for x in group)
                for group in member_of[other]
            )
        )

    candidates: list[tuple[int, int, float, int]] = []
    for group in groups:
        if wanted.isdisjoint(group):
            continue
        parent, kids = group[0], group[1:]
        for other in group:
            if other in wanted or cells[other].hidden:
                continue
            rank = 0 if other in kids and not wanted.isdisjoint(kids) else 1
            candidates.append((pinned(other, group), rank, float(cells[other].raw or 0), other))
    for cell in cells:
        if not wanted.isdisjoint(cell.denominator):
            for other in cell.denominator:
                if other not in wanted and not cells[other].hidden:
                    candidates.append((pinned(other, None), 0, float(cells[other].raw or 0), other))
    return min(candidates)[3] if candidates else None
