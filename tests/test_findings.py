"""Problems and notes gathered while reading exports: what one reader found, absorbed by
another, is what that one would have found itself."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kakeai_ops.errors import Problem
from kakeai_ops.exports.findings import Findings

# (file, column, kind, how many rows) for a batch of rows, or (file, None, kind, 0) for
# one problem without a row; a note between them.
Event = tuple[str, str | None, str, int]
events = st.lists(
    st.tuples(
        st.sampled_from(["users.csv", "meetings.csv"]),
        st.sampled_from(["実施日時", "ステータス", None]),
        st.sampled_from(["date", "status"]),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=12,
)


def _replay(findings: Findings, happened: list[Event], start: int) -> None:
    for number, (file, column, kind, rows) in enumerate(happened, start):
        if column is None:
            findings.problem(Problem(file, None, None, f"{kind} {number}"), kind=kind)
            continue
        mask = pd.Series([True] * rows + [False] * 3)
        values = pd.Series([f"v{number}-{row}" for row in range(rows + 3)])
        findings.rows(file, mask, 2, column, kind, values, kind=kind)
        findings.note(f"note {number}")


@given(events, events, events, st.sampled_from([None, 1, 20]))
def test_absorbed_findings_are_those_found_in_turn(
    first: list[Event], second: list[Event], third: list[Event], cap: int | None
) -> None:
    in_turn = Findings(examples_per_kind=cap)
    for offset, part in enumerate((first, second, third)):
        _replay(in_turn, part, offset * 100)
    absorbed = Findings(examples_per_kind=cap)
    _replay(absorbed, first, 0)
    for offset, part in enumerate((second, third), 1):
        alone = Findings(examples_per_kind=cap)
        _replay(alone, part, offset * 100)
        absorbed.absorb(alone)
    assert absorbed.problems == in_turn.problems
    assert absorbed.sorted_problems() == in_turn.sorted_problems()
    assert absorbed.total == in_turn.total
    assert absorbed.notes == in_turn.notes
    assert all(absorbed.count_of(kind) == in_turn.count_of(kind) for kind in ("date", "status"))
