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


def numbers(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A NumPy array of numbers, booleans or datetime64 as an Arrow array; null where
    ``valid`` (if given) is False."""
    values = np.ascontiguousarray(values)
    # Arrow keeps booleans and validity as bits, the first value in the lowest bit.
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    nulls = 0 if valid is None else int(len(valid) - np.count_nonzero(valid))
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, data], nulls)
    if values.dtype.kind == "M":
        unit = np.datetime_data(values.dtype)[0]
        kind: pa.DataType = pa.timestamp(unit)
        values = values.view(np.int64)
    else:
        kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(values)], nulls)


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
    """A fixed-width Arrow array (integers, timestamps: a timestamp as the count of its
    unit) as NumPy integers, ``missing`` where a value is null: int64 where there are
    nulls, else the array's own width, read in place from its buffer (not writable)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [to_numbers(chunk, missing) for chunk in values.chunks]
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    kind = values.type
    if pa.types.is_timestamp(kind):
        dtype = np.dtype(np.int64)
    elif pa.types.is_integer(kind):
        sign = "u" if pa.types.is_unsigned_integer(kind) else "i"
        dtype = np.dtype(f"{sign}{kind.bit_width // 8}")
    else:
        raise TypeError(f"not an array of fixed-width numbers: {kind}")
    if not len(values):
        return np.zeros(0, dtype=dtype)
    validity, data = values.buffers()[:2]
    start, stop = values.offset, values.offset + len(values)
    out = np.frombuffer(data, dtype=dtype, count=stop)[start:]
    if validity is not None and values.null_count:
        out = out.astype(np.int64)
        out[~_bits(validity, start, len(values))] = missing
    return out


def present(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per value: not null (Arrow's validity bits)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [present(chunk) for chunk in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    if not values.null_count:
        return np.ones(len(values), dtype=bool)
    return _bits(values.buffers()[0], values.offset, len(values))


def to_flags(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as NumPy booleans (a null is False)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [to_flags(chunk) for chunk in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    if not pa.types.is_boolean(values.type):
        raise TypeError(f"not a boolean array: {values.type}")
    if not len(values):
        return np.zeros(0, dtype=bool)
    return _bits(values.buffers()[1], values.offset, len(values)) & present(values)


def to_floats(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A float64 Arrow array as NumPy (a null is NaN)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [to_floats(chunk) for chunk in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0)
    if not pa.types.is_float64(values.type):
        raise TypeError(f"not a float64 array: {values.type}")
    if not len(values):
        return np.zeros(0)
    data = values.buffers()[1]
    out = np.frombuffer(data, dtype=np.float64, count=values.offset + len(values))
    out = out[values.offset :].copy()
    out[~present(values)] = np.nan
    return out


def _bits(buffer: pa.Buffer, offset: int, length: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset : offset + length].astype(bool)
