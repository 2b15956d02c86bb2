"""A string array's buffers as NumPy views: slices, both offset widths, nulls, empties."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kakeai_ops.columnar.buffers import (
    StringBuffers,
    first_bytes,
    joined_text,
    numbers,
    text,
    text_bytes,
    texts,
    to_numbers,
)

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


def test_numbers_and_flags_are_what_pa_array_makes() -> None:
    rng = np.random.default_rng(7)
    for values in (
        rng.integers(-5, 5, 37),
        rng.integers(0, 2**40, 9, dtype=np.int64),
        rng.random(11),
        rng.random(13) < 0.5,  # bits: 13 is not a whole byte
        np.zeros(0, dtype=bool),
        np.arange(10)[::3],  # not contiguous
    ):
        assert numbers(values).equals(pa.array(values)), values


def test_texts_are_what_pa_array_makes() -> None:
    values = ["", "a", "髙橋 大輔", "=1+2", 'a "b"\nc', "😀"]
    assert texts(values).equals(pa.array(values, pa.large_string()))
    assert texts([]).equals(pa.array([], pa.large_string()))
    assert text("同じ").equals(pa.scalar("同じ", pa.large_string()))


def test_to_numbers_reads_nulls_slices_and_chunks() -> None:
    missing = -99
    for kind in (pa.int8(), pa.int16(), pa.uint32(), pa.int64(), pa.timestamp("us")):
        whole = pa.array([1, None, 3, 4, None, 6, 7, 8, 9, None], kind)
        for array in (whole, whole.slice(3), whole.slice(1, 4), whole.slice(5, 0)):
            expected = [missing if v is None else v for v in array.cast(pa.int64()).to_pylist()]
            assert to_numbers(array, missing).tolist() == expected, (kind, array)
        chunked = pa.chunked_array([whole.slice(0, 4), whole.slice(4)])
        assert to_numbers(chunked, missing).tolist() == to_numbers(whole, missing).tolist()


def test_no_pandas_is_imported() -> None:
    code = (
        "import sys, numpy as np\n"
        "from kakeai_ops.columnar.buffers import numbers, text, texts, to_numbers\n"
        "numbers(np.arange(3)).take(numbers(np.array([0])))\n"
        "texts(['a']); text('b'); to_numbers(numbers(np.arange(3)), -1)\n"
        "assert 'pandas' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
