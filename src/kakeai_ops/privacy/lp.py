"""The attacker's linear programme behind the privacy audit (``privacy/audit.py``).

Variables are the hidden counts; constraints are the sums of the 全社 → 事業部 →
部署 hierarchy and the ±0.5 % of every shown share, with the visible figures as
constants; bounds are what a hidden cell's label says. HiGHS (privacy/highs.py)
gives each hidden cell's narrowest interval. The programme splits into groups
of counts tied by some relation, each solved on its own.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import numpy as np

from ..errors import KopsError
from ..i18n import _
from . import highs
from .cells import COUNT_UNITS, PRIMARY, Cell, half_step
from .highs import Outcome, Solution, Solver

TOLERANCE = 1e-6
T = TypeVar("T")


class SolverError(KopsError):
    """HiGHS could not solve the attacker's programme (it always has a solution:
    the true values)."""


class AuditTooLong(KopsError):
    """One of the attacker's programmes took longer than HiGHS is given
    (``highs.SOLVE_SECONDS``): what it would have shown is unknown, so nothing is
    published. Not a ``SolverError``: the publication is not tried again without the
    other snapshots' reports, which would only wait as long once more."""


@dataclass(frozen=True)
class Finding:
    cell: int
    reason: str
    low: float | None = None
    high: float | None = None
    frees: tuple[int, ...] = ()  # visible counts in the relations that pin it


@dataclass
class Row:
    coefficients: dict[int, float]
    low: float  # -inf for ≤ rows
    high: float  # +inf for ≥ rows
    frees: tuple[int, ...] = ()  # the visible counts whose hiding would loosen it


# ---- the hierarchy ---------------------------------------------------------


def parents(
    cells: Sequence[Cell], units: Iterable[str], additive: bool = False
) -> dict[int, list[int]]:
    """Parent index → children indexes, for cells of ``units`` in the hierarchy
    (only the additive ones with ``additive``)."""
    wanted = set(units)

    def member(c: Cell) -> bool:
        return c.named and c.unit in wanted and (c.additive or not additive)

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
    if additive:  # sums stated outright (a publication set's parts of a 事業部)
        for i, c in enumerate(cells):
            if c.parts and c.unit in wanted and c.additive:
                children[i] = list(c.parts)
    return children


Relations = list[tuple[int, list[int]]]


def additive_relations(cells: Sequence[Cell]) -> Relations:
    """Every "this count is the sum of those": the organisation's (a count may be a
    parent once there) and time's (a quarter is the sum of its months)."""
    return remembered("sums", cells, _additive_relations)


def _additive_relations(cells: Sequence[Cell]) -> Relations:
    relations = list(parents(cells, COUNT_UNITS, additive=True).items())
    relations += [(i, list(c.time_parts)) for i, c in enumerate(cells) if c.time_parts]
    relations += [(i, list(parts)) for i, c in enumerate(cells) for parts in c.also]
    relations += [(i, list(parts)) for i, c in enumerate(cells) for parts in c.sums]
    return relations


_structure: dict[tuple[str, tuple[int, ...]], tuple[tuple[Cell, ...], Any]] = {}
REMEMBERED_LISTS = 128  # a family of periods: 15 reports and the joint list, several kinds each


def remembered(kind: str, cells: Sequence[Cell], compute: Callable[[Sequence[Cell]], T]) -> T:
    """What follows from what the cells are (names, units, parts), computed once per
    list: the audit asks it again in every round, where only the states change. A
    list's cells keep what they are once it is built (a publication set's joint list
    is complete when ``joint_cells`` returns); the cells are held with the answer,
    so the identities that name it stay theirs. The answer is shared: read only."""
    key = (kind, tuple(map(id, cells)))
    known = _structure.get(key)
    if known is not None:
        return cast(T, known[1])
    value = compute(cells)
    _structure[key] = (tuple(cells), value)
    while len(_structure) > REMEMBERED_LISTS:
        del _structure[next(iter(_structure))]
    return value


# ---- the linear programme -------------------------------------------------


def rows_of_cells(cells: Sequence[Cell]) -> list[Row]:
    hidden = [c.state != "" for c in cells]
    rows: list[Row] = []
    for members, signed in remembered("sum terms", cells, _sum_terms):
        if not any(hidden[i] for i in members):
            continue  # every count of it shown: the row would have no unknown
        row = Row({}, 0.0, 0.0)
        constant = 0.0
        for index, sign in signed:
            if hidden[index]:
                row.coefficients[index] = row.coefficients.get(index, 0.0) + sign
            else:
                constant += sign * float(cells[index].raw or 0)
        if row.coefficients:
            frees = tuple(i for i in members if not hidden[i])
            rows.append(Row(row.coefficients, -constant, -constant, frees))
    # A shown share publishes what its raw figure rounds to, whatever else is hidden
    # (a cell's raw and unit do not change once its list is built): worked out once.
    published = remembered("share values", cells, _no_values)
    for position in remembered("shares", cells, _shares):
        cell = cells[position]
        if hidden[position]:
            continue
        assert cell.numerator is not None  # see _shares
        if not hidden[cell.numerator] and not any(hidden[d] for d in cell.denominator):
            continue  # every count of it shown: both rows would have no unknown
        share = published.get(position)
        if share is None:
            share = published[position] = float(cell.value or 0)
        step = half_step("share")
        for bound, sign in ((share - step, 1.0), (share + step, -1.0)):
            # numerator − bound × Σ denominator  ≥ 0 (lower) or ≤ 0 (upper)
            terms: dict[int, float] = defaultdict(float)
            terms[cell.numerator] += 1.0
            for d in cell.denominator:
                terms[d] -= bound
            coefficients, constant = {}, 0.0
            for index, weight in terms.items():
                if hidden[index]:
                    coefficients[index] = weight
                else:
                    constant += weight * float(cells[index].raw or 0)
            if not coefficients:
                continue
            frees = tuple(i for i in terms if not hidden[i])
            if sign > 0:
                rows.append(Row(coefficients, -constant - TOLERANCE, math.inf, frees))
            else:
                rows.append(Row(coefficients, -math.inf, -constant + TOLERANCE, frees))
    return rows


def _sum_terms(cells: Sequence[Cell]) -> list[tuple[tuple[int, ...], list[tuple[int, float]]]]:
    """Each sum as its counts (the parent first) and their signs in its row."""
    return [
        ((parent, *kids), [(parent, -1.0), *((k, 1.0) for k in kids)])
        for parent, kids in additive_relations(cells)
    ]


def _no_values(_cells: Sequence[Cell]) -> dict[int, float]:
    return {}


def _shares(cells: Sequence[Cell]) -> list[int]:
    """The shares that tie a count to its table's total (while shown)."""
    return [
        i
        for i, c in enumerate(cells)
        if c.unit == "share" and c.numerator is not None and c.denominator
    ]


def components(cells: Sequence[Cell]) -> list[tuple[list[int], list[Row]]]:
    """Groups of hidden counts tied by some relation, with their relations
    (each group is solved on its own: small programmes instead of one large one).

    Read only: the answer is shared. Of a list (``remembered``: what its cells are
    does not change), the relations follow from which of its cells are hidden, as
    the rest is fixed once the list is built (a cell's ``raw``, hence what a shown
    one publishes): the audit asks again with the same cells hidden (a report
    protected once more in its set's round, audited, checked), and is answered from
    the last few asks of that list."""
    hidden = bytes(c.state != "" for c in cells)
    known = remembered("components", cells, _no_components)
    found = known.get(hidden)
    if found is None:
        found = _components(cells)
        known[hidden] = found
        while len(known) > REMEMBERED_STATES:
            del known[next(iter(known))]
    return found


REMEMBERED_STATES = 4


def _no_components(_cells: Sequence[Cell]) -> dict[bytes, list[tuple[list[int], list[Row]]]]:
    return {}


def _components(cells: Sequence[Cell]) -> list[tuple[list[int], list[Row]]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = rows_of_cells(cells)
    for row in rows:
        first, *rest = row.coefficients
        for other in rest:
            parent[find(other)] = find(first)
        find(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    tied: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        tied[find(next(iter(row.coefficients)))].append(row)
    return [(sorted(g), tied[root]) for root, g in groups.items()]


def _prior(cell: Cell) -> tuple[float, float]:
    """What the label alone tells the attacker about a hidden count."""
    if cell.state == PRIMARY:
        return 0.0, float(cell.threshold - 1) if cell.at_most_size else math.inf
    return float(cell.threshold) if cell.at_least_size else 0.0, math.inf


def narrowed(
    cells: Sequence[Cell],
    component: list[int],
    rows: list[Row],
    first: bool = False,
    passed: set[int] | None = None,
    suspects: Collection[int] = (),
) -> list[Finding]:
    """Primary cells of the component whose best interval is narrower than 0…k−1
    (only the first with ``first``; cells in ``passed`` are skipped, and cells
    that pass are added to it). With ``first``, a first target among ``suspects``
    (a cell narrowed before, or next to what a trial shows) is solved before any
    witness is looked for: it usually is narrowed, and then no witness is needed."""
    done = passed if passed is not None else set()
    targets = [i for i in component if cells[i].state == PRIMARY and i not in done]
    if not targets:
        return []
    key = _group_key(cells, component, rows, targets, first)
    if key in _solved:
        known, passing = _solved[key]
        done.update(passing)
        return list(known)
    before = set(done)
    findings = _narrowed(cells, component, rows, targets, first, done, suspects)
    _solved[key] = (tuple(findings), frozenset(done - before))
    while len(_solved) > REMEMBERED_GROUPS:
        del _solved[next(iter(_solved))]
    return findings


# The groups solved lately, by everything their programme is made of: a report is
# protected on its own and again in its publication set, audited when built and
# again before it is written, and most of its groups are the same each time.
_solved: dict[bytes, tuple[tuple[Finding, ...], frozenset[int]]] = {}
REMEMBERED_GROUPS = 2048


def _group_key(
    cells: Sequence[Cell], component: list[int], rows: list[Row], targets: list[int], first: bool
) -> bytes:
    """A digest of what decides a group's findings: its cells (where they are, what
    their labels say), its relations in order (their order is the programme's, and
    with it which binding relations an optimum reports) and what is to be solved."""
    labels = [
        (cells[i].state, cells[i].threshold, cells[i].at_least_size, cells[i].at_most_size)
        for i in component
    ]
    relations = [(tuple(r.coefficients.items()), r.low, r.high, r.frees) for r in rows]
    text = repr((component, labels, relations, targets, first))
    return hashlib.blake2b(text.encode(), digest_size=20).digest()


def _narrowed(
    cells: Sequence[Cell],
    component: list[int],
    rows: list[Row],
    targets: list[int],
    first: bool,
    done: set[int],
    suspects: Collection[int],
) -> list[Finding]:
    programme = Programme.of(cells, component, rows)
    if first and targets[0] in suspects:
        finding = _verdict(cells, programme, targets[0], (True, True))
        if finding is not None:
            return [finding]
        done.add(targets.pop(0))
    if not targets:
        return []
    # Most cells pass: one solution with many of them at 0 (or at k−1) shows at once
    # that those ends are reachable, so only the rest is solved cell by cell. A
    # target a witness took to both ends keeps its whole label range: it passes.
    open_ends = _unwitnessed(cells, targets, programme)
    done.update(i for i in targets if i not in open_ends)
    findings = []
    for index, ends in open_ends.items():
        finding = _verdict(cells, programme, index, ends)
        if finding is None:
            done.add(index)
            continue
        findings.append(finding)
        if first:
            break
    return findings


@dataclass
class Programme:
    """One group's programme in the form HiGHS takes it: the equations, the
    inequalities (both ends of a share's ±0.5 %) and each variable's label range."""

    variables: dict[int, int]  # cell index → column
    eq: list[Row]
    ub: list[Row]  # the row of each inequality, in order (a share row gives two)
    a_eq: np.ndarray | None
    b_eq: np.ndarray
    a_ub: np.ndarray | None
    b_ub: np.ndarray | None
    bounds: list[tuple[float, float | None]]
    _solver: Solver | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, cells: Sequence[Cell], component: list[int], rows: list[Row]) -> Programme:
        variables = {index: n for n, index in enumerate(component)}
        eq = [r for r in rows if r.low == r.high]
        a_ub_rows, b_ub, ub_source = [], [], []
        for row in rows:
            if row.low == row.high:
                continue
            vector = _vector(row, variables)
            if math.isfinite(row.high):
                a_ub_rows.append(vector)
                b_ub.append(row.high)
                ub_source.append(row)
            if math.isfinite(row.low):
                a_ub_rows.append(-vector)
                b_ub.append(-row.low)
                ub_source.append(row)
        bounds: list[tuple[float, float | None]] = [
            (low, None if math.isinf(high) else high)
            for low, high in map(_prior, (cells[i] for i in component))
        ]
        return cls(
            variables,
            eq,
            ub_source,
            _matrix(eq, variables),
            np.array([r.low for r in eq]),
            np.array(a_ub_rows) if a_ub_rows else None,
            np.array(b_ub) if a_ub_rows else None,
            bounds,
        )

    @property
    def shares(self) -> bool:
        """Whether shares take part: then whole numbers may tell more than the relaxation."""
        return bool(self.ub)

    @property
    def solver(self) -> Solver:
        """HiGHS holding this programme: the inequalities first, then the equations."""
        if self._solver is None:
            width = len(self.variables)
            inequalities = np.zeros((0, width)) if self.a_ub is None else self.a_ub
            equations = np.zeros((0, width)) if self.a_eq is None else self.a_eq
            at_most = np.zeros(0) if self.b_ub is None else self.b_ub
            totals = self.b_eq if self.a_eq is not None else np.zeros(0)
            matrix = np.vstack((inequalities, equations))
            lower = np.concatenate((np.full(len(at_most), -np.inf), totals))
            upper = np.concatenate((at_most, totals))
            self._solver = Solver(matrix, lower, upper)
        return self._solver

    def _solve(self, objective: np.ndarray, bounds: Bounded | None, whole: bool) -> Solution:
        chosen = self.bounds if bounds is None else bounds
        lower = np.array([low for low, _high in chosen], dtype=float)
        upper = np.array([np.inf if high is None else high for _low, high in chosen], dtype=float)
        result = self.solver.solve(objective, lower, upper, whole)
        if result.outcome is Outcome.TIME_LIMIT:
            raise AuditTooLong(
                _(
                    "privacy audit: checking what one group of figures gives away took "
                    "longer than {seconds:.0f} seconds; nothing was written"
                ).format(seconds=highs.SOLVE_SECONDS),
                hint=_(
                    "a report of another period or with fewer advisors' scopes is smaller "
                    "to check; please report this with the command line"
                ),
            )
        return result

    def relaxation(self, objective: np.ndarray, bounds: Bounded | None = None) -> Solution:
        """The linear programme's optimum."""
        return self._solve(objective, bounds, whole=False)

    def whole_numbers(self, objective: np.ndarray, bounds: Bounded) -> Solution:
        """The programme's optimum in whole numbers.

        The relaxation answers first where it can: infeasible, so are whole numbers; an
        optimum in whole numbers is theirs too (no whole-number solution does better
        than the relaxation). Only what is left takes a branch and bound. Measured on the
        suite's reports: nine questions in ten are answered so, each in about half the
        time of a branch and bound (the answers are the same; which optimum a witness is
        may differ, and a witness only ever shows an end is reachable)."""
        relaxed = self._solve(objective, bounds, whole=False)
        if relaxed.outcome is Outcome.INFEASIBLE:
            return relaxed
        if relaxed.outcome is Outcome.OPTIMAL and relaxed.x is not None and _whole(relaxed.x):
            return replace(relaxed, row_duals=None)  # as a whole-number solve gives it
        return self._solve(objective, bounds, whole=True)

    def solve(self, objective: np.ndarray) -> Solution | None:
        """The relaxation's optimum, None when unbounded."""
        result = self.relaxation(objective)
        if result.outcome is Outcome.UNBOUNDED:
            return None
        if result.outcome is not Outcome.OPTIMAL:
            raise SolverError(f"privacy audit: the linear programme failed ({result.message})")
        return result

    def reaches(self, position: int, value: int) -> bool:
        """Whether some whole-number solution gives the variable at ``position`` ``value``."""
        fixed = list(self.bounds)
        fixed[position] = (value, value)
        return self.whole_numbers(np.zeros(len(fixed)), fixed).outcome is Outcome.OPTIMAL

    def binding(self, fit: Solution) -> list[Row]:
        """The relations that bind at an optimum (non-zero duals)."""
        if fit.row_duals is None:
            return []
        duals = fit.row_duals
        # The solver's rows are the inequalities, then the equations (see solver).
        ub_duals, eq_duals = duals[: len(self.ub)], duals[len(self.ub) :]
        rows = [r for r, m in zip(self.eq, eq_duals, strict=True) if abs(m) > TOLERANCE]
        rows += [r for r, m in zip(self.ub, ub_duals, strict=True) if abs(m) > TOLERANCE]
        return rows


Bounded = list[tuple[float, float | None]]


def _verdict(
    cells: Sequence[Cell], programme: Programme, index: int, ends: tuple[bool, bool]
) -> Finding | None:
    """Whether the attacker narrows ``index`` below its label range, solving the ends
    still open (``ends``: low, high; an end a witness reached needs no programme of
    its own, nor, with shares, a whole-number check: witnesses are whole numbers)."""
    low_open, high_open = ends
    objective = np.zeros(len(programme.variables))
    objective[programme.variables[index]] = 1.0
    need = cells[index].threshold - 1
    low_fit = programme.solve(objective) if low_open else None
    high_fit = programme.solve(-objective) if high_open else None
    if high_open:
        high = -float(high_fit.value or 0.0) if high_fit is not None else math.inf
        high = math.floor(high + TOLERANCE) if math.isfinite(high) else math.inf
    else:
        high = need
    low = math.ceil(float(low_fit.value or 0.0) - TOLERANCE) if low_fit is not None else 0.0
    if programme.shares and low <= 0 and high >= need:
        # Shares break total unimodularity: an attacker who also knows the
        # counts are whole numbers may do better than the relaxation. Both
        # ends of the label's range must stay reachable in whole numbers.
        for end in [e for e, still in ((0, low_open), (need, high_open)) if still]:
            if not programme.reaches(programme.variables[index], end):
                low, high = (end + 1, high) if end == 0 else (low, end - 1)
    if low <= 0 and high >= need:
        return None
    fit = low_fit if low > 0 else high_fit
    # The relations that bind at the attacker's optimum (non-zero duals)
    # are the ones a complement has to loosen.
    binding = [] if fit is None else programme.binding(fit)
    frees = tuple(dict.fromkeys(i for row in binding for i in row.frees))
    return Finding(
        cell=index,
        reason=f"an attacker can narrow it to {low}…{high}",
        low=low,
        high=high,
        frees=frees,
    )


WITNESS_ROUNDS = 4


def _unwitnessed(
    cells: Sequence[Cell], targets: list[int], programme: Programme
) -> dict[int, tuple[bool, bool]]:
    """The targets not yet shown to keep their whole label range, after a few
    solutions that push many of them to an end at once: minimising their sum
    reaches 0 for many, maximising it with each capped at k−1 reaches k−1. Every
    solution is a witness for every target it puts at an end. Where shares take
    part, witnesses are whole-number solutions (MILP), so they answer the integer
    question too. What is left is solved cell by cell."""
    variables = programme.variables
    need = {i: float(cells[i].threshold - 1) for i in targets}
    low_open, high_open = set(targets), set(targets)

    def note(solution: np.ndarray) -> None:
        for i in targets:
            x = solution[variables[i]]
            if x <= TOLERANCE:
                low_open.discard(i)
            if abs(x - need[i]) <= TOLERANCE:
                high_open.discard(i)

    tried: dict[bool, frozenset[int]] = {}
    for _round in range(WITNESS_ROUNDS):
        progress = False
        for upper in (False, True):
            pushed = high_open if upper else low_open
            if not pushed or tried.get(upper) == pushed:
                continue  # the same push gives the same solution
            tried[upper] = frozenset(pushed)
            objective = np.zeros(len(variables))
            capped = list(programme.bounds)
            for i in pushed:
                objective[variables[i]] = -1.0 if upper else 1.0
                if upper:
                    low, high = capped[variables[i]]
                    top = need[i] if high is None else min(high, need[i])
                    if top < low:
                        continue
                    capped[variables[i]] = (low, top)
            solution = _witness(programme, objective, capped)
            if solution is None:
                continue
            before = len(low_open) + len(high_open)
            note(solution)
            progress |= len(low_open) + len(high_open) < before
        if not progress or not (low_open or high_open):
            break
    return {i: (i in low_open, i in high_open) for i in targets if i in low_open or i in high_open}


def _witness(programme: Programme, objective: np.ndarray, bounds: Bounded) -> np.ndarray | None:
    """A solution of the programme (in whole numbers where shares take part), or None."""
    if programme.shares:
        result = programme.whole_numbers(objective, bounds)
    else:
        result = programme.relaxation(objective, bounds)
    if result.outcome is not Outcome.OPTIMAL or result.x is None:
        return None
    return result.x


def _whole(values: np.ndarray) -> bool:
    """Whether every value is a whole number, within the solver's tolerance."""
    return bool(np.all(np.abs(values - np.round(values)) <= TOLERANCE))


def _vector(row: Row, variables: dict[int, int]) -> np.ndarray:
    vector = np.zeros(len(variables))
    for index, weight in row.coefficients.items():
        vector[variables[index]] = weight
    return vector


def _matrix(rows: list[Row], variables: dict[int, int]) -> np.ndarray | None:
    return np.array([_vector(r, variables) for r in rows]) if rows else None
