"""Every date form ingest reads from the bytes gives what the general parser gives.

One test per form: a column of that form (times spread over years, every month end,
midnights and the last second of a day) is read on the fast path entirely, and each
value equals the general parser's (pandas' ISO 8601 parser, then the regular
expression and Excel's serial numbers) with the fast path switched off. A property
test then mixes well-formed and broken cells of every form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.exports import normalise as nz
from kakeai_ops.exports.fast_dates import fast_datetimes


def _moments() -> list[pd.Timestamp]:
    rng = np.random.default_rng(5)
    spread = pd.Timestamp("1900-01-01") + pd.to_timedelta(
        rng.integers(0, 300 * 365 * 86400, 400), unit="s"
    )
    ends = pd.date_range("2023-01-31", periods=30, freq="ME")  # every month end, 2024-02-29
    edges = [pd.Timestamp("2026-11-24 00:00:00"), pd.Timestamp("2026-11-24 23:59:59")]
    return [*spread, *ends, *(e + pd.Timedelta(hours=9, minutes=5) for e in ends), *edges]


def _unpadded(moment: pd.Timestamp, separator: str, clock: str) -> str:
    date = f"{moment.year}{separator}{moment.month}{separator}{moment.day}"
    if clock == "":
        return date
    seconds = f":{moment.second}" if clock == "hms" else ""
    return f"{date} {moment.hour}:{moment.minute:02d}{seconds}"


# form → (cell of a moment, what of the moment it keeps: s, min or D)
FORMS = {
    "usual 2026-11-24 09:05:00": (lambda m: m.strftime("%Y-%m-%d %H:%M:%S"), "s"),
    "ISO 2026-11-24T09:05:00": (lambda m: m.strftime("%Y-%m-%dT%H:%M:%S"), "s"),
    "ISO without seconds 2026-11-24 09:05": (lambda m: m.strftime("%Y-%m-%d %H:%M"), "min"),
    "ISO date 2026-11-24": (lambda m: m.strftime("%Y-%m-%d"), "D"),
    "Excel 2026/9/28 9:05": (lambda m: _unpadded(m, "/", "hm"), "min"),
    "Excel 2026/9/28": (lambda m: _unpadded(m, "/", ""), "D"),
    "Excel padded 2026/09/28 09:05:00": (lambda m: m.strftime("%Y/%m/%d %H:%M:%S"), "s"),
    "unpadded with seconds 2026-9-28 9:05:07": (lambda m: _unpadded(m, "-", "hms"), "s"),
    "dotted 2026.9.28": (lambda m: _unpadded(m, ".", ""), "D"),
    "Excel long date 2026年9月28日": (lambda m: f"{m.year}年{m.month}月{m.day}日", "D"),
}


def _general(column: pd.Series, monkeypatch: pytest.MonkeyPatch) -> tuple[pd.Series, pd.Series]:
    """parse_datetimes with the fast path switched off."""
    with monkeypatch.context() as patch:
        patch.setattr(nz, "fast_datetimes", _nothing)
        patch.setattr(nz, "_serial_numbers", lambda text, rows, values: np.zeros(len(text), bool))
        return nz.parse_datetimes(column)


def _nothing(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return np.full(len(text), np.datetime64("NaT"), "datetime64[us]"), np.zeros(len(text), bool)


@pytest.mark.parametrize("form", list(FORMS))
def test_each_form_is_read_on_the_fast_path_as_the_general_parser_reads_it(
    form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    moments = _moments()
    write, keeps = FORMS[form]
    column = pd.Series([write(m) for m in moments], dtype="str")
    _, converted = fast_datetimes(column)
    assert converted.all(), column[~converted].tolist()[:5]
    values, bad = nz.parse_datetimes(column)
    general, general_bad = _general(column, monkeypatch)
    pd.testing.assert_series_equal(values, general)
    pd.testing.assert_series_equal(bad, general_bad)
    assert not bad.any()
    assert values.tolist() == [m.floor(keeps) for m in moments]


def test_excel_serial_numbers_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = ["46293.375", "46293", "20000", "110000.5", "19999", "45000.123456789", "46293.0"]
    column = pd.Series(cells * 50, dtype="str")
    values = np.full(len(column), np.datetime64("NaT"), "datetime64[us]")
    read = nz._serial_numbers(column, np.ones(len(column), bool), values)
    # The implausible ones (before 1954 or after 2201) are left to the general parser,
    # which refuses them.
    assert read.tolist() == [True, True, True, False, False, True, True] * 50
    fast = nz.parse_datetimes(column)
    general = _general(column, monkeypatch)
    pd.testing.assert_series_equal(fast[0], general[0])
    pd.testing.assert_series_equal(fast[1], general[1])
    assert fast[0][0] == pd.Timestamp("2026-09-28 09:00:00")


# Cells close to the fast forms: fields of every width, impossible values, separators
# of every kind (alike or not), characters where a digit belongs, and trailing text.
_piece = st.sampled_from(["", "0", "1", "9", "00", "01", "09", "10", "12", "13", "23", "24"])
_more = st.sampled_from(["28", "29", "30", "31", "32", "59", "60", "99", "٣", "x", "123"])
_field = st.one_of(_piece, _more)
_year = st.sampled_from(["2026", "2024", "1900", "1899", "2200", "2201", "0000", "202", "20266"])
_date_sep = st.sampled_from(["-", "/", ".", "年", "月", " ", ":", ""])
_between = st.sampled_from(["", " ", "T", "  ", "t", "_"])
_tail = st.sampled_from(["", "日", "Z", "+09:00", ".5", " ", "秒", "x"])


@st.composite
def _cells(draw: st.DrawFn) -> str:
    cell = draw(_year) + draw(_date_sep) + draw(_field) + draw(_date_sep) + draw(_field)
    between = draw(_between)
    if between:
        cell += between + draw(_field) + draw(st.sampled_from([":", "時", ""])) + draw(_field)
        if draw(st.booleans()):
            cell += draw(st.sampled_from([":", "分"])) + draw(_field)
    return cell + draw(_tail)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cells(), min_size=1, max_size=40))
def test_any_near_miss_is_read_as_the_general_parser_reads_it(cells: list[str]) -> None:
    column = pd.Series(cells, dtype="str")
    fast = nz.parse_datetimes(column)
    with pytest.MonkeyPatch.context() as patch:
        general = _general(column, patch)
    pd.testing.assert_series_equal(fast[0], general[0])
    pd.testing.assert_series_equal(fast[1], general[1])
