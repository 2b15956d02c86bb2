"""HiGHS, held for one group's programme and solved for many objectives and bounds.

The audit solves each group's programme many times over (a witness per push, both
ends of each open cell, whole-number checks) and only the objective and the bounds
change between them. The model is handed to HiGHS once; each solve changes what
differs and starts cold, so an answer never depends on what was solved before it
(the same report hides the same cells whatever else the process audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np


class Outcome(Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time limit"
    FAILED = "failed"


# The longest one solve may take. The audit's programmes are small (the sample's take a
# millisecond, a 50,000-person tenant's well under a second); a whole-number programme
# that branches past this is answered by an error that says so, not by a command that
# never ends. Not an answer: what was unproven is not taken as safe or as unsafe.
SOLVE_SECONDS = 60.0


@dataclass(frozen=True)
class Solution:
    outcome: Outcome
    message: str
    value: float | None = None  # the objective at the optimum
    x: np.ndarray | None = None  # the variables at the optimum
    row_duals: np.ndarray | None = None  # one per row, in the order given (LP only)


class Solver:
    """``lower_rows ≤ matrix @ x ≤ upper_rows``, minimised for an objective within
    column bounds, as a linear programme or in whole numbers."""

    def __init__(self, matrix: np.ndarray, lower_rows: np.ndarray, upper_rows: np.ndarray) -> None:
        # Imported here: a report with no hidden count has no programme to solve.
        import highspy

        self._highspy = highspy
        rows, columns = matrix.shape
        self.columns = columns
        self._all = np.arange(columns, dtype=np.int32)
        # The plain binding (highspy.Highs adds interrupt handling and prints a banner on
        # standard output, where a command's CSV may be going); exported, not typed.
        self._highs: Any = highspy._Highs()  # type: ignore[attr-defined]
        # One thread: the programmes are small, and HiGHS' worker threads cost more CPU
        # in waiting for work than they save (measured: half the CPU of a whole-number
        # solve); kops' own processes are what uses the cores.
        # Feasibility jump, a search for a first whole-number solution, takes more than
        # half of each of these small solves and finds nothing branching would not
        # (measured: the same outcomes and optima on the sample's programmes).
        settings = (
            ("output_flag", False),
            ("presolve", "on"),
            ("threads", 1),
            ("mip_heuristic_run_feasibility_jump", False),
            ("time_limit", SOLVE_SECONDS),
        )
        for option, value in settings:
            self._check(self._highs.setOptionValue(option, value), f"option {option}")
        # The dual simplex, as scipy's linprog(method="highs") asks for.
        self._check(self._highs.setOptionValue("simplex_strategy", 1), "option simplex_strategy")
        lp = highspy.HighsLp()
        lp.num_col_ = columns
        lp.num_row_ = rows
        lp.col_cost_ = np.zeros(columns)
        lp.col_lower_ = np.zeros(columns)
        lp.col_upper_ = np.full(columns, np.inf)
        lp.row_lower_ = np.asarray(lower_rows, dtype=float)
        lp.row_upper_ = np.asarray(upper_rows, dtype=float)
        by_column = matrix.T
        where = [np.flatnonzero(column) for column in by_column]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = columns
        lp.a_matrix_.num_row_ = rows
        lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum([len(w) for w in where]))).astype(
            np.int32
        )
        lp.a_matrix_.index_ = (
            np.concatenate(where).astype(np.int32) if where else np.zeros(0, np.int32)
        )
        lp.a_matrix_.value_ = (
            np.concatenate([c[w] for c, w in zip(by_column, where, strict=True)])
            if where
            else np.zeros(0)
        )
        self._check(self._highs.passModel(lp), "passing the model")
        self._whole: bool | None = None

    def solve(
        self, objective: np.ndarray, lower: np.ndarray, upper: np.ndarray, whole: bool = False
    ) -> Solution:
        highs, highspy = self._highs, self._highspy
        n = self.columns
        if n:
            highs.changeColsCost(n, self._all, np.asarray(objective, dtype=float))
            highs.changeColsBounds(n, self._all, lower, upper)
            if whole != self._whole:
                kind = highspy.HighsVarType.kInteger if whole else highspy.HighsVarType.kContinuous
                highs.changeColsIntegrality(n, self._all, np.full(n, kind))
                self._whole = whole
        highs.clearSolver()  # start cold: the answer depends on this programme alone
        highs.run()
        status = highs.getModelStatus()
        message = highs.modelStatusToString(status)
        statuses = highspy.HighsModelStatus
        if status == statuses.kOptimal:
            solution = highs.getSolution()
            duals = None if whole else np.asarray(solution.row_dual)
            value = float(highs.getInfo().objective_function_value)
            return Solution(Outcome.OPTIMAL, message, value, np.asarray(solution.col_value), duals)
        if status == statuses.kInfeasible:
            return Solution(Outcome.INFEASIBLE, message)
        if status in (statuses.kUnbounded, statuses.kUnboundedOrInfeasible):
            return Solution(Outcome.UNBOUNDED, message)
        if status == statuses.kTimeLimit:
            return Solution(Outcome.TIME_LIMIT, message)
        return Solution(Outcome.FAILED, message)

    def _check(self, status: Any, what: str) -> None:
        if status == self._highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS refused {what}")
