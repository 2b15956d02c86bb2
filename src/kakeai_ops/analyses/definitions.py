"""Helpers every analysis shares: who counts, what 'held' and 'prepared' mean."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..columnar.lookup import positions_in


def day_end(as_of: dt.date) -> pd.Timestamp:
    """The first instant after the as-of day: held_at < day_end ⇔ held on or before as-of."""
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def current_users(users: pd.DataFrame) -> pd.DataFrame:
    """Everyone but 退職: retired users are left out of everything."""
    return users[users["employment_status"] != "retired"]


def held_meetings(meetings: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Status 実施済 with held_at on or before the as-of date."""
    return meetings[held_mask(meetings, as_of)]


def held_mask(meetings: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """Which rows ``held_meetings`` keeps, as a boolean array: an analysis that needs a
    few columns of them takes those, instead of copying every column of 2.5M rows."""
    status = (meetings["status"] == "held").to_numpy(dtype=bool)
    held_at = meetings["held_at"]
    if not _naive_times(held_at):
        return np.asarray(status & (held_at < day_end(as_of)))
    # In numpy, with the day's end in the column's unit: pandas would first convert
    # 2.5M times to the Timestamp's unit.
    times = held_at.to_numpy()
    return status & (times < day_end(as_of).to_datetime64().astype(times.dtype))


def is_prepared(meetings: pd.DataFrame) -> pd.Series:
    """prepared_at set, not after held_at, and a topic chosen."""
    prepared_at, held_at = meetings["prepared_at"], meetings["held_at"]
    topic = meetings["topic"].notna()
    if not (_naive_times(prepared_at) and _naive_times(held_at)):
        return prepared_at.notna() & (prepared_at <= held_at) & topic
    prepared, held = prepared_at.to_numpy(), held_at.to_numpy()  # NaT compares False
    ready = ~np.isnat(prepared) & (prepared <= held) & topic.to_numpy(dtype=bool)
    return pd.Series(ready, index=meetings.index)


def _naive_times(column: pd.Series) -> bool:
    return isinstance(column.dtype, np.dtype) and column.dtype.kind == "M"


def formed_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs whose invitation was accepted."""
    return pairs[pairs["accepted_at"].notna()]


def user_positions(
    index: pd.Index,
    ids: pd.Series,
    rows: np.ndarray | None = None,
    missing: int = -1,
    dtype: type[np.signedinteger] = np.int64,
) -> np.ndarray:
    """Position of each id in ``index`` (``missing`` for ids of no user there); with
    ``rows`` (positions in ``ids``, or a boolean mask), of those rows only.

    Snapshots store 1on1 ids as categories: each distinct id is looked up once
    and spread by the category codes, instead of hashing millions of strings.
    """
    if isinstance(ids.dtype, pd.CategoricalDtype):
        positions = np.append(positions_in(index, ids.cat.categories), -1)
        positions[positions < 0] = missing
        codes = ids.cat.codes.to_numpy()
        return positions.astype(dtype)[codes if rows is None else codes[rows]]
    chosen = ids if rows is None else ids.iloc[rows]
    positions = np.asarray(positions_in(index, chosen), dtype=dtype)
    positions[positions < 0] = missing
    return positions
