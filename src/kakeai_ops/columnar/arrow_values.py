"""Arrow arrays from NumPy and Python values, and NumPy arrays from Arrow, by their buffers.

pyarrow's own conversions (``pa.array``, ``pa.scalar``, ``Array.to_numpy``, a Python
value handed to a compute function) first import pandas, to check for its types: a
third of a second that a command listing from Arrow alone (`campaign eligible --format
csv`) would pay for nothing. These build and read the buffers directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

TEXT = pa.large_string()


def numbers(values: np.ndarray) -> pa.Array:
    """A NumPy array of numbers (or of booleans) as an Arrow array without nulls."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        # Arrow keeps booleans as bits, the first value in the lowest bit.
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def texts(values: Sequence[str]) -> pa.Array:
    """Python strings as an Arrow text array (large_string) without nulls."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(TEXT, len(encoded), [None, pa.py_buffer(offsets), data])


def text(value: str) -> pa.Scalar:
    """One string as an Arrow scalar (large_string)."""
    return texts([value])[0]


def to_numbers(values: pa.Array | pa.ChunkedArray, missing: int) -> np.ndarray:
    """A fixed-width Arrow array (integers, timestamps) as NumPy int64 (a timestamp as
    its count of its unit), ``missing`` where a value is null."""
    if isinstance(values, pa.ChunkedArray):
        parts = [to_numbers(chunk, missing) for chunk in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    kind = values.type
    if pa.types.is_timestamp(kind):
        dtype = np.dtype(np.int64)
    elif pa.types.is_integer(kind):
        sign = "u" if pa.types.is_unsigned_integer(kind) else "i"
        dtype = np.dtype(f"{sign}{kind.bit_width // 8}")
    else:
        raise TypeError(f"not an array of fixed-width numbers: {kind}")
    validity, data = values.buffers()[:2]
    start, stop = values.offset, values.offset + len(values)
    out = np.frombuffer(data, dtype=dtype, count=stop)[start:].astype(np.int64)
    if validity is not None and values.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        out[bits[start:stop] == 0] = missing
    return out
