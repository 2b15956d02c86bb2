"""A text column's Arrow buffers as NumPy views: the offset arithmetic, in one place.

An Arrow string array keeps its characters back to back in one data buffer and, per
row, where each row starts in an offsets buffer (one more offset than rows; int32 for
``string``, int64 for ``large_string``). A sliced array shares its parent's buffers
and starts ``array.offset`` rows into them. Reading millions of cells as a matrix of
bytes, or searching a whole column's bytes at once, needs exactly that arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator
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
