"""Arrow arrays' buffers as NumPy views and back: the offset arithmetic, in one place.

An Arrow string array keeps its characters back to back in one data buffer and, per
row, where each row starts in an offsets buffer (one more offset than rows; int32 for
``string``, int64 for ``large_string``). A fixed-width array (integers, times) keeps its
values in one data buffer, booleans as bits, and any array whether each value is present
in a validity bitmap (bits, the first row in the lowest bit). A sliced array shares its
parent's buffers and starts ``array.offset`` rows into them. Reading millions of cells as
a matrix of bytes, searching a whole column's bytes at once, or reading a column as NumPy
without pyarrow's conversions needs exactly that arithmetic.

pyarrow's own conversions (``pa.array``, ``pa.scalar``, ``Array.to_numpy``, a Python
value handed to a compute function) first import pandas, to check for its types: a third
of a second that a command listing from Arrow alone (``segment --list``, ``campaign
eligible`` as CSV) would pay for nothing. ``numbers``, ``texts``, ``text`` and the
``to_*`` readers below build and read the buffers directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:  # joined_text serves a command that never loads pandas
    import pandas as pd

TEXT = pa.large_string()


def arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """The column's text as Arrow strings, without copying an Arrow-backed column."""
    converted = pa.array(column.astype("str").array)
    if isinstance(converted, pa.ChunkedArray):
        return converted
    return pa.chunked_array([converted])


def text_series(values: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Arrow strings as a pandas text column (the same dtype text columns have after reading)."""
    import pandas as pd

    return pd.Series(values.to_pandas(), dtype="str").set_axis(index)


@dataclass(frozen=True)
class StringBuffers:
    """One Arrow string array's cells: row i is ``data[offsets[i]:offsets[i + 1]]``.

    ``offsets`` has one entry more than rows and holds positions in ``data`` (int64,
    whatever the array's offset width); ``data`` is the whole data buffer (empty when the
    array has no characters). Null rows read as empty: callers check ``null_count``.
    """

    offsets: np.ndarray
    data: np.ndarray

    @classmethod
    def of(cls, array: pa.Array) -> StringBuffers:
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            raise TypeError(f"not an Arrow string array: {array.type}")
        _, offsets_buffer, data_buffer = array.buffers()
        width = np.int64 if pa.types.is_large_string(array.type) else np.int32
        if offsets_buffer is None:  # an empty array may have no buffers at all
            offsets = np.zeros(len(array) + 1, dtype=np.int64)
        else:
            offsets = np.frombuffer(offsets_buffer, dtype=width)[
                array.offset : array.offset + len(array) + 1
            ].astype(np.int64, copy=False)
        data = (
            np.zeros(0, dtype=np.uint8)
            if data_buffer is None
            else np.frombuffer(data_buffer, dtype=np.uint8)
        )
        return cls(offsets, data)

    @property
    def widths(self) -> np.ndarray:
        """Bytes per row."""
        return np.diff(self.offsets)

    def joined(self) -> np.ndarray:
        """Every row's bytes back to back (a view, no copy)."""
        return self.data[self.offsets[0] : self.offsets[-1]]

    def first_bytes(self) -> np.ndarray:
        """Each row's first byte, 0 for an empty row."""
        first = np.zeros(len(self.offsets) - 1, dtype=np.uint8)
        filled = self.widths > 0
        first[filled] = self.data[self.offsets[:-1][filled]]
        return first

    def matrix(self, rows: np.ndarray, width: int, zero_past_end: bool = True) -> np.ndarray:
        """The first ``width`` bytes of the given rows, one row per line (rows × width).
        Past a row's end: 0, or with ``zero_past_end=False`` whatever follows it (the
        next rows' bytes, then 0), for a caller that checks each row's width itself."""
        if len(rows) == 0:
            return np.zeros((0, width), dtype=np.uint8)
        first = self.offsets[0]
        # The rows' bytes with ``width`` zeros after them, seen as overlapping windows of
        # ``width`` bytes: taking a row's window copies its bytes in one piece.
        padded = np.concatenate([self.joined(), np.zeros(width, dtype=np.uint8)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, width)
        starts = self.offsets[rows] - first
        cells = windows[starts]
        if zero_past_end:
            lengths = self.offsets[rows + 1] - self.offsets[rows]
            cells[np.arange(width) >= lengths[:, None]] = 0
        return cells


def chunks(text: pa.ChunkedArray) -> Iterator[pa.Array]:
    """The non-empty chunks of a chunked array."""
    return (chunk for chunk in text.chunks if len(chunk))


def text_bytes(column: pd.Series) -> list[np.ndarray]:
    """The UTF-8 bytes of the column's text, one NumPy view per Arrow chunk (no copy)."""
    return [StringBuffers.of(chunk).joined() for chunk in chunks(arrow_text(column))]


def first_bytes(column: pd.Series) -> np.ndarray:
    """The first UTF-8 byte of each row's text (0 where the text is empty)."""
    firsts = [StringBuffers.of(chunk).first_bytes() for chunk in chunks(arrow_text(column))]
    return np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.uint8)


def joined_text(array: pa.Array) -> str:
    """All the cells of a string array without nulls, back to back, as one str
    (one copy of the characters, not one per cell)."""
    return str(StringBuffers.of(array).joined().data, "utf-8")


# --- fixed-width arrays, validity, and arrays built from NumPy and Python values ---


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
