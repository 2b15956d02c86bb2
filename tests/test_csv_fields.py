"""csv_text builds fields column by column with vectorised string operations; every
byte must equal what csv.writer writes for ``cell`` of each value, guarded."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from kakeai_ops.outputs import files
from kakeai_ops.outputs.neutralise import csv_field


def _plain_rule(frame: pd.DataFrame, line_end: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([csv_field(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([csv_field(files.cell(v)) for v in row])
    return buffer.getvalue()


TRICKY = [
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\ronly",
    "crlf\r\nend",
    "=SUM(A1)",
    "-1",
    "@x",
    "\t=1",
    "",
    "山田, 太郎",
    '"',
    ",",
    " lead",
    "+81 3",
    "plain",
    "\r=1",
    "a\tb",
    "",
    "x",
    "=",
    "z",
    "q",
    "r",
    "s",
    "t",
]


def _tricky_frame() -> pd.DataFrame:
    n = len(TRICKY)
    return pd.DataFrame(
        {
            "text": pd.Series(TRICKY, dtype=str),
            "with_missing": pd.Series([None if i % 3 == 0 else t for i, t in enumerate(TRICKY)]),
            "python_string": pd.Series(TRICKY, dtype="string[python]"),
            "category": pd.Categorical([TRICKY[(i * 5) % n] if i % 4 else None for i in range(n)]),
            "object": pd.Series([TRICKY[i] if i % 2 else i - 3 for i in range(n)], dtype=object),
            "negative": np.arange(-8, n - 8, dtype=np.int64),
            "unsigned": np.arange(n, dtype=np.uint64) * 10**12,
            "share": (
                [
                    0.0,
                    -0.0,
                    float("nan"),
                    1 / 3,
                    2 / 3,
                    0.5,
                    1.0,
                    1e-9,
                    12345.678949,
                    -2.5,
                    float("inf"),
                    0.1 + 0.2,
                    1.00005,
                    7.0,
                    0.25,
                    0.75,
                ]
                * 2
            )[:n],
            "flag": [i % 2 == 0 for i in range(n)],
            "nullable": pd.array([None if i % 5 == 0 else i - 2 for i in range(n)], dtype="Int64"),
            "at": pd.to_datetime(
                [
                    None
                    if i % 6 == 0
                    else f"{2026 - 60 * (i % 4 == 1)}-0{1 + i % 9}-1{i % 10} {i % 3:02d}:0{i % 2}:30"
                    for i in range(n)
                ]
            ),
            "midnights": pd.to_datetime(
                (["2026-01-05", "1969-12-31", "2026-01-05 00:00:59", None, "1969-12-31 23:59"] * n)[
                    :n
                ],
                format="mixed",
            ),
            "nanoseconds": pd.Series(pd.to_datetime(["2026-01-01 00:00:00.000000001"] * n)),
        }
    )


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_csv_text_equals_the_plain_rule_on_tricky_values(line_end: str) -> None:
    frame = _tricky_frame()
    assert files.csv_text(frame, line_end=line_end) == _plain_rule(frame, line_end)
    for column in frame.columns:  # one column alone: a blank field is written ""
        alone = frame[[column]]
        assert files.csv_text(alone, line_end=line_end) == _plain_rule(alone, line_end)


def test_csv_text_of_no_rows_and_no_columns() -> None:
    frame = _tricky_frame()
    assert files.csv_text(frame.iloc[:0]) == _plain_rule(frame.iloc[:0], "\n")
    assert files.csv_text(pd.DataFrame(index=range(3))) == "\n"  # no columns: no lines


def test_csv_text_of_a_sliced_frame() -> None:
    # Filtered lists (e.g. --stuck-point) are slices: Arrow arrays with an offset.
    frame = _tricky_frame()
    part = frame.iloc[5:11]
    assert files.csv_text(part) == _plain_rule(part, "\n")
