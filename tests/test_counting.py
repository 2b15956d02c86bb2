"""cross_counts gives exactly what pd.crosstab gives, for every kind of column kops counts."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.analyses.counting import cross_counts

VALUES = st.one_of(st.none(), st.sampled_from(["healthy", "no_pair", "lapsed", "営業本部", "a"]))


def _series(values: list[str | None], dtype: str, name: str) -> pd.Series:
    series = pd.Series(values, dtype="str" if dtype == "category" else dtype, name=name)
    if dtype == "category":
        series = series.astype(
            pd.CategoricalDtype(["lapsed", "a", "zz", "healthy", "営業本部", "no_pair"])
        )
    return series


@settings(max_examples=60)
@given(
    st.lists(st.tuples(VALUES, VALUES), max_size=40),
    st.sampled_from(["str", "object", "category"]),
    st.sampled_from(["str", "object"]),
)
def test_the_counts_are_pandas_cross_table(pairs, row_dtype, column_dtype):
    rows = _series([r for r, _c in pairs], row_dtype, "stuck_point")
    columns = _series([c for _r, c in pairs], column_dtype, "role")
    expected = pd.crosstab(rows, columns)
    got = cross_counts(rows, columns)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.index) == list(expected.index)
    assert list(got.columns) == list(expected.columns)


def test_people_are_counted_per_pair_and_missing_values_left_out():
    rows = pd.Series(["a", "a", "b", None, "b", "a"], name="before")
    columns = pd.Series(["x", "y", "x", "x", None, "x"], name="after")
    table = cross_counts(rows, columns)
    assert table.to_dict() == {"x": {"a": 2, "b": 1}, "y": {"a": 1, "b": 0}}
    assert (table.index.name, table.columns.name) == ("before", "after")
    assert table.dtypes.tolist() == ["int64", "int64"]
