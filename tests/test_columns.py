"""One export's columns by field, and the problems reported by row: repeated ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kakeai_ops.exports.columns import Context
from kakeai_ops.exports.findings import Findings
from kakeai_ops.exports.reading import RawTable

ids = st.lists(st.sampled_from(["", "M1", "M10", "M2", "m2", "Ｍ3", "M3 ", "髙1"]), max_size=12)


@given(ids, st.booleans())
def test_repeated_ids_are_each_named_with_the_first_row(values: list[str], ordered: bool) -> None:
    """Ids in ascending order (as exports list them) are found unique by comparing
    neighbours; any other order by hashing: the rows named are the same either way."""
    if ordered:
        values = sorted(values, key=lambda v: v.encode())
    column = pd.Series(values, dtype="str")
    raw = RawTable(Path("meetings.csv"), ["1on1ID"], pd.DataFrame({"1on1ID": column}), 2, "")
    findings = Findings(examples_per_kind=None)
    Context(raw, {"meeting_id": "1on1ID"}, findings).duplicates(
        "meeting_id", column, "duplicate 1on1 id"
    )
    first: dict[str, int] = {}
    expected = []
    for row, value in enumerate(values, 2):
        if value in first and value != "":
            expected.append((row, f"'{value}', first at row {first[value]}"))
        first.setdefault(value, row)
    assert [(p.row, p.value) for p in findings.problems] == expected
