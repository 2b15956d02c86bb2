"""A string array's buffers as NumPy views: slices, both offset widths, nulls, empties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kakeai_ops.columnar.buffers import StringBuffers, first_bytes, joined_text, text_bytes

CELLS = ["2026-11-24", "", "日本", "x", "", "abc"]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@pytest.mark.parametrize("start", [0, 1, 2, 5])
def test_cells_of_a_sliced_array(kind: pa.DataType, start: int) -> None:
    array = pa.array(CELLS, kind).slice(start)
    cells = StringBuffers.of(array)
    expected = [c.encode() for c in CELLS[start:]]
    assert cells.widths.tolist() == [len(c) for c in expected]
    assert cells.joined().tobytes() == b"".join(expected)
    assert joined_text(array) == "".join(CELLS[start:])
    assert cells.first_bytes().tolist() == [c[0] if c else 0 for c in expected]
    rows = np.arange(len(expected))
    matrix = cells.matrix(rows, 4)
    assert [bytes(line) for line in matrix] == [c[:4].ljust(4, b"\0") for c in expected]
    loose = cells.matrix(rows, 4, zero_past_end=False)
    for line, cell in zip(loose, expected, strict=True):
        assert bytes(line[: len(cell[:4])]) == cell[:4]  # past the end: anything


def test_empty_and_all_blank_arrays() -> None:
    for array in (pa.array([], pa.string()), pa.array(["", ""], pa.large_string())):
        cells = StringBuffers.of(array)
        assert cells.joined().tobytes() == b""
        assert cells.matrix(np.arange(len(array)), 3).tolist() == [[0, 0, 0]] * len(array)
    with pytest.raises(TypeError):
        StringBuffers.of(pa.array([1, 2]))


def test_column_helpers_span_chunks() -> None:
    chunks = pa.chunked_array([pa.array(["ab", ""]), pa.array([], pa.string()), pa.array(["c"])])
    column = pd.Series(pd.arrays.ArrowStringArray(chunks.cast(pa.large_string())))
    assert b"".join(view.tobytes() for view in text_bytes(column)) == b"abc"
    assert first_bytes(column).tolist() == [ord("a"), 0, ord("c")]
