"""A snapshot's columns as Arrow reads them, without pandas: a command that only lists
(``segment --list``, ``campaign eligible`` as CSV) works on them directly and never
loads pandas.

Snapshots store ids and statuses dictionary-encoded (pandas categories): each distinct
value is looked up once and the answer spread over the rows by their codes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .buffers import TEXT, texts, to_numbers


def dictionary_codes(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The column's distinct values and, per row, the position of its value among them
    (-1 for a missing value)."""
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    # The chunks of one column may each have a dictionary of their own.
    unified = column.unify_dictionaries()
    if not unified.num_chunks:
        return texts([]), np.zeros(0, dtype=np.int64)
    codes = [to_numbers(chunk.indices, missing=-1) for chunk in unified.chunks]
    return unified.chunk(0).dictionary, np.concatenate(codes)


def code_of(dictionary: pa.Array, value: str) -> int:
    """The position of ``value`` among a few distinct values (a status), -2 if none is
    it (-1 is a missing value's code)."""
    listed = dictionary.to_pylist()
    return listed.index(value) if value in listed else -2


def id_positions(
    ids: pa.Array, column: pa.ChunkedArray, rows: np.ndarray, missing: int
) -> np.ndarray:
    """For the ``rows`` (a boolean mask) of ``column``: the position of each row's id in
    ``ids`` (text, all different), ``missing`` where it is none of them."""
    dictionary, codes = dictionary_codes(column)
    found = pc.index_in(dictionary.cast(TEXT), value_set=ids.cast(TEXT))
    positions = np.append(to_numbers(found, missing=missing), missing)  # the last: code -1
    return positions[codes[rows]]


def all_different(ids: pa.Array) -> bool:
    return bool(pc.count_distinct(ids, mode="all").as_py() == len(ids))


def is_text(column: pa.ChunkedArray | pa.Array) -> bool:
    """Text, or text dictionary-encoded: what a snapshot stores ids and statuses as (or,
    for a column of no values at all, null values: an empty table's ids)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or (pa.types.is_null(kind) and column.null_count == len(column))
    )
