"""Dates as people type them (one parser) and periods labelled by what they cover."""

from __future__ import annotations

import datetime as dt

import pytest

from kakeai_ops.dates import covered_days, is_partial, parse_date, period_label
from kakeai_ops.errors import KopsError


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20",
        "2026/11/20",
        "20261120",
        " 2026/11/20 ",
        "２０２６／１１／２０",
        "2026年11月20日",
        "2026.11.20",
        "2026-11-20",
    ],
)
def test_one_day_however_typed(text: str) -> None:
    assert parse_date(text, "--as-of") == dt.date(2026, 11, 20)


def test_single_digit_month_and_day() -> None:
    assert parse_date("2026/1/5", "--since") == dt.date(2026, 1, 5)
    assert parse_date("2026-1-5", "--since") == dt.date(2026, 1, 5)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2026-02-30", "2026年2月 has days 1–28"),
        ("2028-02-30", "2028年2月 has days 1–29"),
        ("2026-04-31", "2026年4月 has days 1–30"),
        ("20260230", "2026年2月 has days 1–28"),
        ("2026-13-01", "there is no month 13"),
        ("2026-00-10", "there is no month 0"),
        ("2026-11-00", "has days 1–30"),
        ("11/01", "is not a date"),
        ("November", "is not a date"),
        ("", "is not a date"),
        ("2026-11-20T10:00", "is not a date"),
        ("202611200", "is not a date"),
        ("2026/11/20/1", "is not a date"),
    ],
)
def test_not_a_day_is_refused_clearly(text: str, said: str) -> None:
    with pytest.raises(KopsError) as caught:
        parse_date(text, "--as-of")
    assert caught.value.message.startswith(f"--as-of: '{text}' is not a date")
    assert said in caught.value.message
    assert "2026/11/20" in (caught.value.hint or "")


def test_month_labels_say_where_the_data_stops() -> None:
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_label(*nov) == "2026年11月"
    assert period_label(*nov, dt.date(2026, 11, 20)) == "2026年11月（20日まで）"
    assert period_label(*nov, dt.date(2026, 11, 30)) == "2026年11月"
    assert period_label(*nov, dt.date(2026, 12, 5)) == "2026年11月"
    assert is_partial(*nov, dt.date(2026, 11, 20))
    assert not is_partial(*nov, dt.date(2026, 11, 30))
    assert covered_days(*nov, dt.date(2026, 11, 20)) == 20
    assert covered_days(*nov, dt.date(2026, 12, 20)) == 30
    assert covered_days(*nov, dt.date(2026, 10, 31)) == 0


def test_quarter_and_range_labels() -> None:
    q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_label(*q4) == "2026年10〜12月"
    assert period_label(*q4, dt.date(2026, 11, 20)) == "2026年10〜12月（11月20日まで）"
    assert period_label(dt.date(2026, 10, 22), dt.date(2026, 11, 20)) == "2026年10月22日〜11月20日"
    assert (
        period_label(dt.date(2026, 12, 1), dt.date(2027, 1, 29)) == "2026年12月1日〜2027年1月29日"
    )
    assert period_label(dt.date(2026, 11, 1), dt.date(2027, 1, 31)) == "2026年11月〜2027年1月"
