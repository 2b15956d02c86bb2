"""Arrow hash lookups give what pandas' isin/get_indexer give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kakeai_ops.columnar.lookup import is_in, positions_in

IDS = ["0001", "0002", "０００３", "", "u-9", "0001", "山田"]


@pytest.mark.parametrize(
    "values",
    [
        pd.Index(["0001", "山田", "zz"], dtype="str"),
        pd.Series(["0002", "u-9"], dtype="str"),
        {"0001", ""},
        ["nothing"],
        [],
        [1, "0001"],  # not all text: pandas' own way
    ],
)
def test_is_in_matches_pandas_isin(values: object) -> None:
    column = pd.Series(IDS, dtype="str", index=range(10, 17))
    expected = pd.Series(column.to_numpy(dtype=object), index=column.index).isin(list(values))
    got = is_in(column, values)
    assert got.index.equals(column.index)
    assert got.tolist() == expected.tolist()


def test_is_in_missing_value_is_in_no_set() -> None:
    column = pd.Series(["a", None], dtype="str")
    assert is_in(column, {"a", "b"}).tolist() == [True, False]


def test_positions_in_matches_get_indexer() -> None:
    index = pd.Index(["0001", "0002", "山田", ""], dtype="str")
    ids = pd.Series(["山田", "x", "0001", "", "0002"], dtype="str")
    assert positions_in(index, ids).tolist() == index.get_indexer(ids).tolist()
    repeated = pd.Index(["a", "a"], dtype="str")
    with pytest.raises(Exception, match="unique"):
        positions_in(repeated, ids)  # refuses repeated ids, as pandas does
    assert positions_in(pd.Index([1, 2]), pd.Index([2, 3])).tolist() == [1, -1]
    assert np.asarray(positions_in(index, ids)).dtype == np.intp
