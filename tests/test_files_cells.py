"""CSV/JSON rows are built column by column; each value still reads as ``cell`` says."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd

from kakeai_ops.outputs import files
from kakeai_ops.outputs.neutralise import csv_field


def _cell_by_cell(frame: pd.DataFrame) -> list[list[object]]:
    return [[files.cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _mixed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": pd.Series(["a", "=1+1", None, "-x", "", "\tq", "山田"], dtype=str),
            "mixed": pd.Series(
                [None, np.int64(3), 2.5, float("nan"), pd.Timestamp("2026-01-01"), "x", True],
                dtype=object,
            ),
            "category": pd.Categorical(["held", None, "held", "scheduled", "held", None, "+"]),
            "flag": [True, False, True, False, True, False, True],
            "count": np.arange(7, dtype=np.int64),
            "nullable": pd.array([1, None, 3, 4, None, 6, 7], dtype="Int64"),
            "share": [0.123456, float("nan"), 1.0, 2.5, 1 / 3, -0.0, 1e-9],
            "at": pd.to_datetime(
                [
                    "2026-01-01",
                    None,
                    "2026-01-01 10:05",
                    "2026-02-03 00:00:30",
                    "2025-12-31 23:59",
                    None,
                    "2026-03-01",
                ],
                format="mixed",
            ),
            "day": pd.to_datetime(["2026-01-01"] * 7).astype("datetime64[us]"),
            "empty": pd.Series([None] * 7, dtype=object),
            "small": np.arange(7, dtype=np.uint8),
            "single": np.array([0.5, 1.25, np.nan, 3, 4, 5, 6], dtype=np.float32),
            "string": pd.Series(["1", None, "3", "4", "5", "6", "7"], dtype="string"),
        }
    )


def test_records_are_cell_by_cell() -> None:
    frame = _mixed_frame()
    assert files.records(frame) == _cell_by_cell(frame)
    assert files.records(frame.iloc[:0]) == []


def test_csv_and_json_text_match_cell_by_cell() -> None:
    frame = _mixed_frame()
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(list(frame.columns))
    writer.writerows([csv_field(v) for v in row] for row in _cell_by_cell(frame))
    assert files.csv_text(frame, line_end="\r\n") == expected.getvalue()
    assert "'=1+1" in files.csv_text(frame)  # formula-like text still neutralised
    rows = [dict(zip(frame.columns, row, strict=True)) for row in _cell_by_cell(frame)]
    assert files.json_text(frame) == json.dumps(rows, ensure_ascii=False, indent=2)
