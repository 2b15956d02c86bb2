"""The audit's solver (privacy/highs.py) against scipy's linprog and milp, which
solve the same programmes through their own copy of HiGHS."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kakeai_ops.privacy import highs
from kakeai_ops.privacy.highs import Outcome, Solver

SCIPY_OUTCOME = {0: Outcome.OPTIMAL, 2: Outcome.INFEASIBLE, 3: Outcome.UNBOUNDED}
SCIPY_SECONDS = 10.0


@st.composite
def programmes(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Small programmes shaped like the audit's: sums with coefficients ±1 (and a
    share's fraction), equations and one-sided rows, some variables capped."""
    columns = draw(st.integers(1, 6))
    rows = draw(st.integers(0, 5))
    weight = st.sampled_from([0.0, 0.0, 1.0, -1.0, 0.3, -0.45])
    matrix = np.array([[draw(weight) for _ in range(columns)] for _ in range(rows)]).reshape(
        rows, columns
    )
    lower, upper = [], []
    for _ in range(rows):
        value = float(draw(st.integers(-6, 12)))
        kind = draw(st.sampled_from(["eq", "le", "ge"]))
        lower.append(value if kind != "le" else -np.inf)
        upper.append(value if kind != "ge" else np.inf)
    objective = np.array([draw(weight) for _ in range(columns)])
    return matrix, np.array(lower), np.array(upper), objective


def _caps(columns: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    lows = generator.integers(0, 3, columns).astype(float)
    highs = np.where(
        generator.random(columns) < 0.5, lows + generator.integers(0, 9, columns), np.inf
    )
    return lows, highs


@settings(max_examples=150, deadline=None)
@given(programmes(), st.integers(0, 2**16), st.booleans())
@example(  # unbounded in whole numbers; scipy's milp reported an incumbent as optimal
    programme=(
        np.array(
            [
                [0.3, 0, 0, 0.3, 0, -1],
                [-1, 0, 0.3, 0, 0, 0],
                [0, 1, 0, -1, 0, 0],
                [0, 0, 0, 0, 0, 0],
                [1, 0, -1, 0, 0, 0],
            ]
        ),
        np.array([0.0, -np.inf, 0, 0, -np.inf]),
        np.zeros(5),
        np.array([0.0, 0, 0, -1, 0, -1]),
    ),
    seed=5181,
    whole=True,
)
@example(
    programme=(
        np.array([[0.0, -0.45, 0, -1, 0, 1], [0, 1, 0, 1, 0, -1]]),
        np.zeros(2),
        np.full(2, np.inf),
        np.array([0.0, 0, 0, 0, 0, -1]),
    ),
    seed=0,
    whole=False,
)
def test_outcome_and_optimum_agree_with_scipy(
    programme: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], seed: int, whole: bool
) -> None:
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp  # only here: slow

    matrix, lower_rows, upper_rows, objective = programme
    lows, highs = _caps(matrix.shape[1], seed)
    constraints = [LinearConstraint(matrix, lower_rows, upper_rows)] if len(matrix) else []

    def relaxation(cost: np.ndarray = objective) -> Any:
        """scipy's linprog of the programme, two-sided rows split into one-sided ones."""
        equal = lower_rows == upper_rows
        at_most = np.vstack(
            [matrix[np.isfinite(upper_rows) & ~equal], -matrix[np.isfinite(lower_rows) & ~equal]]
        )
        limits = np.concatenate(
            [
                upper_rows[np.isfinite(upper_rows) & ~equal],
                -lower_rows[np.isfinite(lower_rows) & ~equal],
            ]
        )
        return linprog(
            cost,
            A_ub=at_most if len(at_most) else None,
            b_ub=limits if len(at_most) else None,
            A_eq=matrix[equal] if equal.any() else None,
            b_eq=lower_rows[equal] if equal.any() else None,
            bounds=[(lo, None if np.isinf(hi) else hi) for lo, hi in zip(lows, highs, strict=True)],
            method="highs",
        )

    if whole:
        theirs = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(objective)),
            bounds=Bounds(lows, highs),
            # A random programme can keep scipy's branch and bound going for good (one
            # held a test run for ten minutes and 3 GB): past the limit, no answer to compare.
            options={"time_limit": SCIPY_SECONDS},
        )
        if theirs.status == 1:  # the time limit: scipy could not tell
            return
        their_outcome = SCIPY_OUTCOME.get(theirs.status)
    else:
        theirs = relaxation()
        their_outcome = SCIPY_OUTCOME.get(theirs.status)
    ours = Solver(matrix, lower_rows, upper_rows).solve(objective, lows, highs, whole)
    if their_outcome is None:  # scipy's "unbounded or infeasible"
        assert ours.outcome in (Outcome.INFEASIBLE, Outcome.UNBOUNDED)
        return
    if {ours.outcome, their_outcome} <= {Outcome.INFEASIBLE, Outcome.UNBOUNDED} and whole:
        return  # a MILP's presolve may tell either first when both could be said
    if {ours.outcome, their_outcome} == {Outcome.INFEASIBLE, Outcome.UNBOUNDED}:
        # scipy's linprog called a feasible, unbounded programme infeasible (x = 0 meets
        # every row): which it is, the same rows with no objective say.
        feasible = SCIPY_OUTCOME.get(relaxation(np.zeros_like(objective)).status)
        assert ours.outcome is (
            Outcome.UNBOUNDED if feasible is Outcome.OPTIMAL else Outcome.INFEASIBLE
        )
        return
    if whole and ours.outcome is Outcome.UNBOUNDED and their_outcome is Outcome.OPTIMAL:
        # scipy's milp can stop at an incumbent of an unbounded programme (-15 where
        # x0 = 21 gives -18). A feasible programme of rational data whose relaxation is
        # unbounded is unbounded in whole numbers too (Meyer 1974): both checked here.
        assert SCIPY_OUTCOME.get(relaxation().status) is Outcome.UNBOUNDED
        rows = matrix @ theirs.x
        assert np.all(rows >= lower_rows - 1e-6) and np.all(rows <= upper_rows + 1e-6)
        return
    assert ours.outcome is their_outcome
    if ours.outcome is Outcome.OPTIMAL:
        assert ours.value == pytest.approx(theirs.fun, abs=1e-6)
        assert ours.x is not None
        assert matrix @ ours.x == pytest.approx(np.clip(matrix @ ours.x, lower_rows, upper_rows))
        if whole:
            assert np.allclose(ours.x, np.round(ours.x), atol=1e-6)


def test_an_answer_does_not_depend_on_what_was_solved_before() -> None:
    # A group of the sample's month: three counts summing to 62, each pushed down and up
    # in turn. Every objective has many optima; a solve that started from the last one's
    # basis would land on another, and the duals (which choose a complement) with it.
    matrix, total = np.array([[1.0, 1.0, 1.0]]), np.array([62.0])
    caps = (np.zeros(3), np.full(3, np.inf))
    objectives = [np.eye(3)[i] * sign for i in (1, 2, 0) for sign in (1.0, -1.0)]
    solver = Solver(matrix, total, total)
    for objective in objectives:
        again = solver.solve(objective, *caps)
        fresh = Solver(matrix, total, total).solve(objective, *caps)
        assert again.x is not None and fresh.x is not None
        assert list(again.x) == list(fresh.x), objective
        assert list(again.row_duals) == list(fresh.row_duals)  # type: ignore[arg-type]


def test_whole_numbers_and_back_to_the_relaxation() -> None:
    # x + 2y = 3 with x = 0: y = 1.5 as a relaxation, nothing in whole numbers.
    solver = Solver(np.array([[1.0, 2.0]]), np.array([3.0]), np.array([3.0]))
    pinned = (np.array([0.0, 0.0]), np.array([0.0, np.inf]))
    assert solver.solve(np.zeros(2), *pinned, whole=True).outcome is Outcome.INFEASIBLE
    relaxed = solver.solve(np.zeros(2), *pinned)
    assert relaxed.outcome is Outcome.OPTIMAL and relaxed.x is not None
    assert relaxed.x[1] == pytest.approx(1.5)


def test_the_binding_row_has_the_dual() -> None:
    # minimise -x with x ≤ 4 (row 0) and x + y = 10 (row 1), y ≥ 3: x = 4 by row 0 alone.
    matrix = np.array([[1.0, 0.0], [1.0, 1.0]])
    solution = Solver(matrix, np.array([-np.inf, 10.0]), np.array([4.0, 10.0])).solve(
        np.array([-1.0, 0.0]), np.array([0.0, 3.0]), np.array([np.inf, np.inf])
    )
    assert solution.value == pytest.approx(-4.0)
    assert solution.row_duals is not None
    assert abs(solution.row_duals[0]) > 0.5 and abs(solution.row_duals[1]) < 1e-9


def test_solving_prints_nothing() -> None:
    # A command may be writing CSV to standard output while the audit runs. In a fresh
    # process: HiGHS says who it is once per process, at the first solver made.
    script = (
        "import numpy as np\n"
        "from kakeai_ops.privacy.highs import Solver\n"
        "solver = Solver(np.array([[1.0, 1.0]]), np.array([2.0]), np.array([2.0]))\n"
        "for whole in (False, True):\n"
        "    solver.solve(np.array([1.0, 0.0]), np.zeros(2), np.full(2, np.inf), whole)\n"
        "print('solved')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout == "solved\n" and result.stderr == ""


def test_no_relation_at_all() -> None:
    solver = Solver(np.zeros((0, 2)), np.zeros(0), np.zeros(0))
    lowest = solver.solve(np.array([1.0, 1.0]), np.array([2.0, 0.0]), np.array([5.0, 3.0]))
    assert lowest.value == pytest.approx(2.0)
    assert solver.solve(np.array([-1.0, 0.0]), np.zeros(2), np.full(2, np.inf)).outcome is (
        Outcome.UNBOUNDED
    )


def test_a_solve_out_of_time_says_so_instead_of_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A programme HiGHS has not finished in ``SOLVE_SECONDS`` is neither optimal nor
    infeasible: the audit must not read safety, or a leak, into it. Three sums of eight
    whole numbers (presolve alone does not answer them)."""
    generator = np.random.default_rng(1)
    matrix = generator.integers(1, 30, (3, 8)).astype(float)
    totals = matrix @ generator.integers(0, 5, 8)
    objective, low, high = np.ones(8), np.zeros(8), np.full(8, 20.0)
    for whole in (False, True):
        solved = Solver(matrix, totals, totals).solve(objective, low, high, whole)
        assert solved.outcome is Outcome.OPTIMAL
    monkeypatch.setattr(highs, "SOLVE_SECONDS", 0.0)
    for whole in (False, True):
        result = Solver(matrix, totals, totals).solve(objective, low, high, whole)
        assert result.outcome is Outcome.TIME_LIMIT, whole
        assert result.x is None and result.value is None
