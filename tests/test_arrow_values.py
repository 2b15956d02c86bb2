"""Arrow arrays from NumPy and Python values and back by their buffers (no pandas):
the same values pyarrow's own conversions give, nulls, slices and chunks included."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa

from kakeai_ops.columnar.arrow_values import numbers, text, texts, to_numbers


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
        "from kakeai_ops.columnar.arrow_values import numbers, text, texts, to_numbers\n"
        "numbers(np.arange(3)).take(numbers(np.array([0])))\n"
        "texts(['a']); text('b'); to_numbers(numbers(np.arange(3)), -1)\n"
        "assert 'pandas' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
