"""Membership and position of text ids by Arrow's hash lookup.

pandas' ``isin`` on Arrow-backed text turns each value of the set into an Arrow scalar
in Python (0.9 s for two lookups of 64k user ids), and ``get_indexer`` first builds a
hash table of the index; Arrow's ``is_in``/``index_in`` do both in C++.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .buffers import TEXT


def _text_values(values: Iterable[object]) -> pa.Array | None:
    """The set as Arrow text, or None when it holds anything but text."""
    if isinstance(values, pd.Index | pd.Series):
        if not isinstance(values.dtype, pd.StringDtype):
            return None
        return _large(pa.array(values.array))
    items = list(values)
    if not all(type(item) is str for item in items):
        return None
    return pa.array(items, TEXT)


def _large(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return array.cast(TEXT) if array.type != TEXT else array


def is_in(column: pd.Series, values: Iterable[object]) -> pd.Series:
    """``column.isin(values)`` (a missing value is in no set)."""
    keys = _text_values(values) if isinstance(column.dtype, pd.StringDtype) else None
    if keys is None:
        plain = pd.Series(column.to_numpy(dtype=object), index=column.index, dtype=object)
        return plain.isin(list(values))
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    found = pc.is_in(_large(pa.array(column.array)), value_set=keys, skip_nulls=True)
    mask = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return pd.Series(np.asarray(mask, dtype=bool), index=column.index)


def positions_in(index: pd.Index, values: pd.Index | pd.Series) -> np.ndarray:
    """``index.get_indexer(values)``: the position of each value in ``index``, -1 where
    absent; for text by Arrow's hash lookup, a third of the time of pandas'."""
    if not (isinstance(index.dtype, pd.StringDtype) and isinstance(values.dtype, pd.StringDtype)):
        return index.get_indexer(pd.Index(values))
    keys = pa.array(index)
    if pc.count_distinct(keys, mode="all").as_py() != len(keys):
        return index.get_indexer(pd.Index(values))  # refuses an index with repeated ids, as before
    found = pc.index_in(pa.array(values), value_set=keys)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.intp)
