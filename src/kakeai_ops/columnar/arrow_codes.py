"""A snapshot's columns as Arrow reads them, without pandas: a command that only lists
(``campaign eligible --format csv``) works on them directly and never loads pandas.

Snapshots store ids and statuses dictionary-encoded (pandas categories): each distinct
value is looked up once and the answer spread over the rows by their codes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrow_values import TEXT, texts, to_numbers


def dictionary_codes(column: pa.ChunkedArray) -> tuple[list[str | None], np.ndarray]:
    """The column's distinct values and, per row, the position of its value among them
    (-1 for a missing value)."""
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    # The chunks of one column may each have a dictionary of their own.
    unified = column.unify_dictionaries()
    if not unified.num_chunks:
        return [], np.zeros(0, dtype=np.int64)
    dictionary = unified.chunk(0).dictionary.to_pylist()
    codes = [to_numbers(chunk.indices, missing=-1) for chunk in unified.chunks]
    return dictionary, np.concatenate(codes)


def id_positions(
    ids: pa.Array, column: pa.ChunkedArray, rows: np.ndarray, missing: int
) -> np.ndarray:
    """For the ``rows`` (a boolean mask) of ``column``: the position of each row's id in
    ``ids`` (text, all different), ``missing`` where it is none of them."""
    dictionary, codes = dictionary_codes(column)
    present = [value for value in dictionary if value is not None]
    found = to_numbers(pc.index_in(texts(present), value_set=ids.cast(TEXT)), missing=missing)
    positions = np.full(len(dictionary) + 1, missing, dtype=np.int64)  # the last: code -1
    positions[[i for i, value in enumerate(dictionary) if value is not None]] = found
    return positions[codes[rows]]


def all_different(ids: pa.Array) -> bool:
    return bool(pc.count_distinct(ids, mode="all").as_py() == len(ids))
