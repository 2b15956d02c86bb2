"""Columns as distinct values: the same answers as the rows themselves, in row order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.columnar.distinct import Distinct, distinct_numbers, value_codes
from kakeai_ops.exports.reading import read_table

VALUES = st.lists(st.sampled_from(["0001", "0002", " 0003", "０００４", "", "予定"]), max_size=40)


def _check(column: Distinct, rows: list[str]) -> None:
    codes, uniques = pd.factorize(pd.Series(rows, dtype="str"), use_na_sentinel=False)
    assert column.values.tolist() == list(uniques)  # first-appearance order
    assert column.spread(column.values).tolist() == rows
    assert column.row_counts().tolist() == pd.Series(codes).value_counts(sort=False).tolist()
    for position in range(len(column.values)):
        assert rows[column.first_row(position)] == column.values[position]


@settings(max_examples=80, deadline=None)
@given(VALUES)
def test_encoded_text_gives_the_rows_back_in_first_appearance_order(rows: list[str]) -> None:
    _check(Distinct.of(pd.Series(rows, dtype="str")), rows)


@settings(max_examples=80, deadline=None)
@given(VALUES)
def test_a_categorical_in_any_category_order_gives_the_same(rows: list[str]) -> None:
    # pandas sorts categories: unless the rows happen to be in that order, the
    # categorical's codes are re-encoded so that positions follow the rows.
    column = pd.Series(pd.Categorical(pd.Series(rows, dtype="str")))
    _check(Distinct.of_categorical(column), rows)


def test_repeated_columns_read_as_categoricals_hold_the_same_text(tmp_path: Path) -> None:
    path = tmp_path / "meetings.csv"
    rows = [f"M{i},{'000' + str(i % 7)},{['予定', '実施済'][i % 2]}" for i in range(50)]
    path.write_text("1on1ID,上司ID,ステータス\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plain = read_table(path, lambda headers: headers)
    coded = read_table(path, lambda headers: headers, repeated={"上司ID", "ステータス"})
    assert isinstance(coded.frame["上司ID"].dtype, pd.CategoricalDtype)
    for header in ("上司ID", "ステータス"):
        column = Distinct.of_categorical(coded.frame[header])
        assert column.spread(column.values).tolist() == plain.frame[header].tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), min_size=1, max_size=200))
def test_distinct_numbers_are_what_numpy_unique_gives(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    distinct, positions = distinct_numbers(array)
    expected, inverse = np.unique(array, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert positions.tolist() == inverse.reshape(-1).tolist()
    assert distinct[positions].tolist() == values


def test_value_codes_of_text_and_of_a_categorical_mark_missing_with_minus_one() -> None:
    text = pd.Series(["b", None, "a", "b"], dtype="str")
    codes, values = value_codes(text)
    assert codes.tolist() == [0, -1, 1, 0] and values == ["b", "a"]
    codes, values = value_codes(text.astype("category"))
    assert codes.tolist() == [1, -1, 0, 1] and values == ["a", "b"]
