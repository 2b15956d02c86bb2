"""Value normalisation: dates, ids, vocabularies (properties over many inputs)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.exports import normalise as nz
from kakeai_ops.exports.findings import visible

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


@given(st.lists(st.integers(min_value=1, max_value=999_999), min_size=3, max_size=40))
def test_zero_padded_ids_are_never_taken_for_lost_zeros(numbers: list[int]) -> None:
    ids = pd.Series([f"{n:06d}" for n in numbers])
    assert not nz.lost_leading_zeros(ids)[0].any()


@given(st.lists(st.integers(min_value=1, max_value=999_999), min_size=1, max_size=40))
def test_unpadded_numeric_ids_of_any_width_are_fine(numbers: list[int]) -> None:
    assert not nz.lost_leading_zeros(pd.Series([str(n) for n in numbers]))[0].any()


def test_an_id_shorter_than_its_padded_neighbours_lost_its_zeros() -> None:
    ids = pd.Series(["000101", "000102", "103", "000104", "A-7", ""])
    mask, width = nz.lost_leading_zeros(ids)
    assert width == 6 and mask.tolist() == [False, False, True, False, False, False]


def test_excel_scientific_notation_is_recognised_and_look_alikes_are_not() -> None:
    ids = pd.Series(["1.23457E+11", "1E+05", "4.5e-03", "2023E001", "E+05", "12345", "M1"])
    assert nz.excel_scientific(ids).tolist() == [True, True, True, False, False, False, False]


def test_control_characters_are_found_and_spelled_out() -> None:
    values = pd.Series(["山田\r\n太郎", "a\x00", "b\x85", "c\x7f", "髙橋　一郎", "d\t"])
    assert nz.has_control(values).tolist() == [True, True, True, True, False, True]
    shown = [visible(v) for v in values]
    assert shown[:4] == ["山田\\r\\n太郎", "a\\x00", "b\\x85", "c\\x7f"]
    assert shown[4] == "髙橋　一郎" and shown[5] == "d\\t"


def test_email_problems_give_the_reason_and_accept_one_address() -> None:
    reasons = nz.email_problems(pd.Series(["a@example.jp", "", "a@example.jp,b@example.jp"]))
    assert reasons.isna().tolist() == [True, True, False]
    # Two addresses, said as the installed email-validator words it: the characters
    # after the @ (a comma, a second @), or, as 2.1 says it, that there must be one @.
    assert reasons[2] in (
        "characters that cannot be in an address after the @: ',', '@'",
        "there must be exactly one @",
    )


def _one_by_one(value: str) -> str | None:
    """email-validator on one value (a blank is no address, not a bad one): the oracle
    of the column-wide fast path (its reason in the words tests/test_email_words.py checks)."""
    from email_validator import EmailNotValidError, validate_email

    from kakeai_ops.exports.email_words import reason_words

    if value == "":
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        return reason_words(str(error))
    return None


NEAR_ADDRESSES = [
    "a@example.jp",
    "a.b@example.jp",
    "a..b@example.jp",
    ".a@example.jp",
    "a.@example.jp",
    "a@@example.jp",
    "a@b@example.jp",
    "a b@example.jp",
    "山田@example.jp",
    "a@例え.jp",
    "a@example",
    "a@-example.jp",
    "a@example..jp",
    "a@",
    "@example.jp",
    "x" * 64 + "@example.jp",
    "x" * 65 + "@example.jp",
    "a@" + "b" * 63 + ".jp",
    "a@" + ".".join(["b" * 60] * 4) + ".jp",
    "x" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 60 + ".jp",  # 256: too long
    "a\n@example.jp",
    "o'brien+tag@example.jp",
    "a{b}|c~@example.jp",
    "a@example.jp\n",
    "ａ@example.jp",
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(NEAR_ADDRESSES) | st.text(alphabet='ab.@-_ +"例', max_size=8)))
def test_email_problems_agree_with_email_validator_one_by_one(values: list[str]) -> None:
    reasons = nz.email_problems(pd.Series(["", *NEAR_ADDRESSES, *values], dtype="str"))
    expected = [None] + [_one_by_one(v) for v in [*NEAR_ADDRESSES, *values]]
    assert [None if pd.isna(r) else r for r in reasons] == expected


def _tricky_datetimes() -> list[str]:
    """Cells of the fixed export width, valid and not: impossible days, hours, leap years."""
    values = [
        f"{y}-{m}-{d} {hms}"
        for y in ["1899", "1900", "2024", "2026", "2100", "2200", "2201", "0000"]
        for m in ["00", "01", "02", "12", "13"]
        for d in ["00", "01", "28", "29", "30", "31", "32"]
        for hms in ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60"]
    ]
    return [
        *values,
        "2026-10-01T05:08:00",
        "2026/10/01 05:08:00",
        "2026-10-01 5:08:00",
        "２０２６-10-01 05:08:00",
        "2026-10-01 05:08:0a",
        "2026-1-01 05:08:000",
        "",
    ]


def test_fixed_width_dates_read_from_bytes_agree_with_pandas() -> None:
    from kakeai_ops.exports.fast_dates import fast_datetimes

    cells = pd.Series(_tricky_datetimes(), dtype="str")
    values, converted = fast_datetimes(cells)
    expected = pd.to_datetime(cells, format="ISO8601", errors="coerce")
    assert converted.sum() > 50  # the valid ones take the fast path
    for cell, got, want, fast in zip(cells, values, expected, converted, strict=True):
        if fast:
            assert got == want.to_datetime64(), cell
        else:  # left to the general parser
            assert pd.isna(got), cell


def test_parse_datetimes_gives_what_the_general_parser_alone_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cells = [*_tricky_datetimes(), "2026年11月24日", "45000", "2026-11-24T09:05:00+00:00", " - "]
    # Mixed widths, and only full-width cells and blanks (their bytes lie back to back).
    columns = [
        pd.Series(cells * 3, dtype="str"),
        pd.Series([c for c in cells if len(c) in (0, 19)] * 3 + [""], dtype="str"),
    ]
    fast = [nz.parse_datetimes(column) for column in columns]

    def nothing_converted(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        return np.full(len(text), np.datetime64("NaT"), "datetime64[us]"), np.zeros(len(text), bool)

    monkeypatch.setattr(nz, "fast_datetimes", nothing_converted)
    for column, (values, bad) in zip(columns, fast, strict=True):
        general, general_bad = nz.parse_datetimes(column)
        pd.testing.assert_series_equal(values, general)
        pd.testing.assert_series_equal(bad, general_bad)
        assert int(values.notna().sum()) > 50


def test_control_check_over_many_clean_rows_finds_the_one_c1_character() -> None:
    clean = ["0000123", "髙橋　一郎", "café", "a\xa0b"] * 1000  # \xa0 shares C1's lead byte
    assert not nz.has_control(pd.Series(clean, dtype="str")).any()
    found = nz.has_control(pd.Series([*clean, "x\x9b[2J"], dtype="str"))
    assert found.tolist() == [False] * len(clean) + [True]
    assert not nz.excel_scientific(pd.Series(["0000123", "M1"] * 1000, dtype="str")).any()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="0129M-٣", max_size=5), min_size=1, max_size=30))
def test_lost_zeros_skip_for_ids_not_starting_with_a_digit_changes_nothing(
    ids: list[str],
) -> None:
    column = pd.Series(ids, dtype="str")
    quick = nz.lost_leading_zeros(column)
    with pytest.MonkeyPatch.context() as patch:  # every id "starts with a digit": no skip
        patch.setattr(nz, "first_bytes", lambda c: np.full(len(c), ord("0"), np.uint8))
        full = nz.lost_leading_zeros(column)
    assert quick[1] == full[1]
    assert quick[0].tolist() == full[0].tolist()


def test_day_numbers_of_every_date_from_1900_to_2200_match_numpy() -> None:
    from kakeai_ops.exports.fast_dates import _days_since_epoch

    days = np.arange(np.datetime64("1900-01-01"), np.datetime64("2201-01-01"))
    dates = pd.DatetimeIndex(days)
    got = _days_since_epoch(
        np.asarray(dates.year, np.int32), np.asarray(dates.month, np.int32), np.asarray(dates.day)
    )
    assert (got == days.astype(np.int64)).all()


@pytest.mark.parametrize(
    "written",
    [
        "2026-10-02 99:99",
        "2026-10-02 10:75",
        "2026-10-02 24:00",
        "2026-10-02 25:00",
        "2026/10/31 30:00",
        "2026/10/2 9:05:60",
        "２０２６/10/02 25:00",  # full width: the general parser's path after NFKC
        "2026年10月2日 24時00分",
    ],
)
def test_an_impossible_time_of_day_is_refused_not_carried_into_the_next_day(
    written: str,
) -> None:
    """pandas adds hours and minutes past the day's end as durations: 「2026-10-02 99:99」
    became 2026-10-06 04:39, a 1on1 moved into another week without a word."""
    values, bad = nz.parse_datetimes(pd.Series([written, "2026-10-02 23:59:59"]))
    assert bad.tolist() == [True, False]
    assert pd.isna(values.iloc[0])
    assert values.iloc[1] == pd.Timestamp("2026-10-02 23:59:59")
