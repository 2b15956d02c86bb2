"""Value normalisation: dates, ids, vocabularies (properties over many inputs)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.exports import normalise as nz

FORMATS = ["%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日 %H:%M"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
            st.sampled_from(FORMATS),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_supported_form_parses_back(values: list[tuple[dt.datetime, str]]) -> None:
    stamps = [v.replace(second=0, microsecond=0) for v, _ in values]
    text = pd.Series([s.strftime(f) for s, (_, f) in zip(stamps, values, strict=True)])
    parsed, bad = nz.parse_datetimes(text)
    assert not bad.any()
    assert list(parsed) == [pd.Timestamp(s) for s in stamps]


def test_blank_and_dash_are_missing_and_garbage_is_bad() -> None:
    parsed, bad = nz.parse_datetimes(pd.Series(["", "-", "－", "2026/02/30", "そのうち"]))
    assert parsed.isna().all()
    assert bad.tolist() == [False, False, False, True, True]


@given(st.text(alphabet="0123456789", min_size=1, max_size=8))
def test_full_width_ids_equal_ascii_ids(digits: str) -> None:
    wide = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    out = nz.normalise_id(pd.Series([digits, f" {wide} "]))
    assert out[0] == out[1] == digits


def test_response_spelling_variants_fold() -> None:
    mapping = nz.vocabulary_map(["話を聞いてほしい", "具体的なアドバイスがほしい"], {})
    values, unknown, respelled = nz.map_vocabulary(
        pd.Series(
            [
                "話を聞いて欲しい",
                "話をきいてほしい",
                "具体的なアドバイスが欲しい",
                "話を聞いてほしい",
                "",
                "雑談",
            ]
        ),
        mapping,
    )
    assert values.tolist()[:5] == [
        "話を聞いてほしい",
        "話を聞いてほしい",
        "具体的なアドバイスがほしい",
        "話を聞いてほしい",
        "",
    ]
    assert unknown.tolist() == [False, False, False, False, False, True]
    assert respelled["話を聞いて欲しい"] == "話を聞いてほしい"


def test_bools() -> None:
    values, bad = nz.parse_bools(
        pd.Series(["あり", "なし", "TRUE", "0", "○", "×", "", "たぶん"]),
        ["あり", "true", "1", "○"],
        ["なし", "false", "0", "×"],
    )
    assert values.tolist()[:7] == [True, False, True, False, True, False, False]
    assert bad.tolist() == [False] * 7 + [True]
