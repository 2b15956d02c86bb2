"""User positions by Arrow's index_in agree with pandas' get_indexer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kakeai_ops.analyses.definitions import user_positions
from test_exports_fast_paths import _arrow_backed


@pytest.mark.parametrize("index_dtype", ["str", "string[python]", "string[pyarrow]"])
@pytest.mark.parametrize("ids_dtype", ["str", "string[python]", "string[pyarrow]"])
def test_user_positions_match_get_indexer(index_dtype: str, ids_dtype: str) -> None:
    index = pd.Index(["u1", "ｕ1", "U1", "", "u2", "ｕ２"], dtype=index_dtype)
    ids = pd.Series(["u2", "ｕ1", "", "x", "u1", "u2", "ｕ２", "u１"], dtype=ids_dtype)
    expected = index.get_indexer(ids)
    assert user_positions(index, ids).tolist() == expected.tolist()
    rows = np.array([True, False, True, True, False, True, True, False])
    assert user_positions(index, ids, rows, missing=99).tolist() == [
        99 if p < 0 else p for p in expected[rows]
    ]


def test_user_positions_over_arrow_chunks_and_categories() -> None:
    index = pd.Index(_arrow_backed([["a", "b"], ["c"]]))
    ids = _arrow_backed([["c"], ["a", "q", "b"]])
    assert user_positions(index, ids).tolist() == [2, 0, -1, 1]
    codes = pd.Series(
        pd.Categorical(["q", "b", "q", "a"], categories=pd.Index(["z", "q", "b", "a"], dtype="str"))
    )
    assert user_positions(index, codes).tolist() == [-1, 1, -1, 0]
