"""Work done once per distinct value: a column as its distinct values and, per row,
which of them it holds.

An export repeats a few thousand manager ids, three statuses and five ratings
millions of times. Checking and converting each distinct value once, then
spreading the answer over the rows by position, keeps ingest linear in the
number of distinct values rather than in rows of text. The distinct values keep
the order in which they first appear, so "the first row with X" is the first
row holding the first such value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .buffers import TEXT, arrow_text, text_series


def _first_appearance_order(codes: np.ndarray) -> bool:
    """Whether value k first appears before value k+1 for every k (and none is missing):
    each row's code is at most one more than the largest code before it."""
    if codes[0] != 0 or codes.min() < 0:
        return False
    highest = np.maximum.accumulate(codes)
    return bool((codes[1:] <= highest[:-1] + 1).all())


@dataclass(frozen=True)
class Distinct:
    """``values``: the distinct values (index 0…k-1, in order of first appearance);
    ``codes``: per row, the position of its value (``None``: each row is its own value)."""

    values: pd.Series
    codes: np.ndarray | None
    index: pd.Index

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        """Dictionary-encode ``column`` (Arrow's hash keeps first-appearance order)."""
        encoded = pc.dictionary_encode(arrow_text(column)).combine_chunks()
        if len(column) == 0:
            values = pd.Series([], dtype="str")
            return cls(values, np.zeros(0, dtype=np.int32), column.index)
        values = text_series(encoded.dictionary, pd.RangeIndex(len(encoded.dictionary)))
        codes = encoded.indices.to_numpy(zero_copy_only=False)  # int32: half of int64
        return cls(values, codes, column.index)

    @classmethod
    def of_categorical(cls, column: pd.Series) -> Distinct:
        """A categorical column of text as read (``read_table``'s repeated columns)."""
        codes = np.asarray(column.cat.codes)
        categories = column.cat.categories
        if len(codes) and _first_appearance_order(codes) and len(categories):
            used = categories[: int(codes.max()) + 1]
            return cls(pd.Series(used.to_numpy(dtype=object), dtype="str"), codes, column.index)
        # Categories in another order (or missing values): encode the text afresh.
        return cls.of(column.astype(str))

    @classmethod
    def each_row(cls, column: pd.Series) -> Distinct:
        """No encoding: for columns where (almost) every row differs, such as 1on1ID."""
        return cls(column, None, column.index)

    def spread(self, per_value: pd.Series) -> pd.Series:
        """A per-value series as a per-row series (same dtype)."""
        if self.codes is None:
            return per_value
        return pd.Series(per_value.array.take(self.codes), index=self.index, name=per_value.name)

    def rows_with(self, per_value_mask: pd.Series) -> pd.Series:
        """A per-value mask as a per-row boolean mask."""
        mask = per_value_mask.to_numpy(dtype=bool)
        if self.codes is None:
            return pd.Series(mask, index=self.index)
        return pd.Series(mask[self.codes], index=self.index)

    def row_counts(self) -> np.ndarray:
        """How many rows hold each value."""
        if self.codes is None:
            return np.ones(len(self.values), dtype=np.int64)
        return np.bincount(self.codes, minlength=len(self.values))

    def first_row(self, position: int) -> int:
        """The row position where the value at ``position`` first appears."""
        if self.codes is None:
            return position
        return int(np.argmax(self.codes == position))

    def categorical(self, per_value: pd.Series) -> pd.Categorical:
        """Per-row values as a categorical of the values present, sorted (what
        ``astype("category")`` gives), without building the per-row text."""
        if self.codes is None:
            return pd.Categorical(per_value)
        by_value = pd.Categorical(per_value)
        return pd.Categorical.from_codes(by_value.codes[self.codes], categories=by_value.categories)


def distinct_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values, ascending; per element, the position of its value among
    them): what ``np.unique(values, return_inverse=True)`` gives, by a hash table rather
    than a sort of every element. Work on the few distinct values (days, flag
    combinations, a float's bits) is then spread back as ``answers[positions]``.
    ``values``: integers (a float column by its bits, so NaN and -0.0 are values)."""
    positions, distinct = pd.factorize(values, sort=True)
    return np.asarray(distinct), positions


def value_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(per row, the position of its value, -1 where missing; the distinct values as
    text): a categorical's own codes and categories, any other column factorised."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype=np.int64), [str(v) for v in column.cat.categories]
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), [str(v) for v in uniques]


def converted_once(
    column: pd.Series, convert: Callable[[Any], Any]
) -> tuple[np.ndarray, list[Any]]:
    """(per row, the position of its value; ``convert`` of each distinct value): the
    conversion runs once per distinct value, and ``answers[codes]`` spreads it over the
    rows. A missing value is a value of its own."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    # A list first: iterating an Arrow-backed array boxes each value separately (3x slower).
    return codes, [convert(value) for value in _plain_list(uniques)]


def per_distinct(
    column: pd.Series, convert: Callable[[Any], Any], rows: np.ndarray | None = None
) -> pd.Series:
    """``convert`` applied once per distinct value, spread back over the rows.

    Exports repeat a handful of values (statuses, topics, ratings) millions of
    times; converting each distinct value once is what keeps ingest fast. With
    ``rows`` (a boolean mask), only the values those rows hold are converted, and the
    other rows are None: for a check most values pass by a vectorised test.
    """
    if rows is not None:
        chosen = per_distinct(column[rows], convert) if rows.any() else None
        if chosen is not None and chosen.notna().any():
            out = pd.Series(None, index=column.index, dtype=chosen.dtype)
            out[rows] = chosen.to_numpy(dtype=object)
            return out
        return pd.Series(None, index=column.index, dtype=object)
    codes, values = converted_once(column, convert)
    if any(type(v) is str for v in values) and all(v is None or type(v) is str for v in values):
        # Text (and missing): spread by Arrow, not by boxing millions of Python strings
        # into a new column (0.45 s → 0.03 s for 2.5M rows). Same dtype as inferred below.
        spread = pa.array(values, type=TEXT).take(pa.array(codes))
        return pd.Series(spread, index=column.index, dtype="str")
    converted = np.empty(len(values), dtype=object)
    converted[:] = values
    return pd.Series(converted[codes], index=column.index)


def _plain_list(values: object) -> list[Any]:
    """The values as a list of Python objects (missing as None, as iteration gives)."""
    if isinstance(values, pd.api.extensions.ExtensionArray | pd.Index):
        return list(values.tolist())
    return list(np.asarray(values, dtype=object).tolist())
