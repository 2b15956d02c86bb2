"""Figures written as text round as Excel and PowerPoint show the same number."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kakeai_ops.numbers import fixed, grouped, percent


def _as_excel_shows(text: str, scale: int, places: int) -> str:
    """An independent recount: the decimal as typed, a tie away from zero."""
    exact = Fraction(text) * scale * 10**places
    whole = int(abs(exact) + Fraction(1, 2)) * (1 if exact >= 0 else -1)
    sign, digits = ("-" if whole < 0 else ""), str(abs(whole)).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


@pytest.mark.parametrize(
    "text", ["0.125", "0.375", "0.285", "0.005", "0.995", "0.5", "0.1", "0.0005", "-0.125", "1"]
)
def test_a_share_rounds_as_a_cell_formatted_0_percent(text: str) -> None:
    # 3 of 24 is 12.5 %: Python's own format says 12%, a 0% cell in Excel 13%.
    assert percent(float(text)) == _as_excel_shows(text, 100, 0) + "%"
    assert percent(float(text), 1) == _as_excel_shows(text, 100, 1) + "%"


@pytest.mark.parametrize("text", ["3.45", "2.675", "4.05", "3.25", "1.005", "0.15", "4"])
def test_a_mean_rounds_as_a_cell_formatted_0_0(text: str) -> None:
    assert fixed(float(text)) == _as_excel_shows(text, 1, 1)
    assert fixed(float(text), 2) == _as_excel_shows(text, 1, 2)


def test_a_count_has_thousands_separators_and_a_half_rounds_up() -> None:
    assert grouped(1234567) == "1,234,567"
    assert grouped(2.5) == "3"
    assert f"{2.5:,.0f}" == "2"  # what it said before: two ways to show one count


@pytest.mark.usefixtures("japanese")
def test_the_terminal_shows_a_tied_share_as_the_workbook_does(tmp_path) -> None:
    """A table on the terminal and the workbook written from the same frame say the same
    figure: the frame's 0.125 is 13% on the terminal, as in Excel's 0% cell."""
    import pandas as pd
    from openpyxl import load_workbook
    from rich.console import Console

    from kakeai_ops.cli.console import people_table
    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame({"stuck_point": ["no_rating"], "invited": [24], "rate": [3 / 24]})
    console = Console(width=120, record=True)
    console.print(people_table(frame))
    assert "│ スッキリ度未入力 │     24 │    13% │" in console.export_text()
    path = tmp_path / "t.xlsx"
    write_table(frame, path)
    cell = load_workbook(path).worksheets[0]["C2"]
    assert (cell.value, cell.number_format) == (0.125, "0%")  # Excel shows 13%


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), None])
def test_a_figure_that_is_not_a_number_is_a_dash(value: float | None) -> None:
    """A share of nobody (0/0 is NaN, a ratio to 0 infinite) or a missing mean reads as
    the tables' 「-」, never 「NaN%」 or an internal error."""
    assert percent(value) == "-"  # type: ignore[arg-type]
    assert fixed(value) == "-"  # type: ignore[arg-type]
    assert grouped(value) == "-"  # type: ignore[arg-type]


def test_negative_zero_is_zero_and_huge_values_are_written_out() -> None:
    """Excel has no negative zero; a value beyond Decimal's 28 digits still rounds."""
    assert (percent(-0.0), fixed(-0.0), grouped(-0.0)) == ("0%", "0.0", "0")
    assert grouped(1e300) == format(10**300, ",")
    assert fixed(1e30, 2) == "1" + "0" * 30 + ".00"


def test_numpy_and_decimal_values_round_as_floats_do() -> None:
    from decimal import Decimal

    import numpy as np

    assert percent(np.float64(0.125)) == percent(Decimal("0.125")) == "13%"
    assert fixed(np.float32(2.25)) == "2.3" and grouped(np.int64(1234)) == "1,234"


@pytest.mark.parametrize(
    "unit, raw, value, shown",
    [
        ("share", 57 / 200, 0.29, "29%"),  # 0.28499999999999998 as stored; Excel shows 29%
        ("share", 3 / 24, 0.13, "13%"),
        ("average", 1.15, 1.2, "1.2"),  # 1.1499999999999999 as stored
        ("rate", 2.675, 2.7, "2.7"),
    ],
)
def test_a_published_cell_rounds_as_the_terminal_and_excel_do(
    unit: str, raw: float, value: float, shown: str
) -> None:
    """The report workbook's figure (rounded before it is published) and the same figure
    said by the terminal or the deck (numbers.py) are one figure."""
    from kakeai_ops.privacy.cells import Cell

    cell = Cell("t", "2026-11", None, None, "m", unit, raw, size=50, threshold=5)
    assert (cell.value, cell.shown) == (value, shown)
    assert shown == (percent(raw) if unit == "share" else fixed(raw))


def test_the_shortlist_states_each_figure_once(sample_copy) -> None:  # type: ignore[no-untyped-def]
    """A shortlist row's 平均スッキリ度 and 週カバー率 columns (stored, then shown by
    Excel's 0.0 and 0%) say what its reason line says: an average of 4.5454… stored
    as 4.55 showed 4.6 beside 「平均スッキリ度 4.5」."""
    import json
    import re

    from conftest import Cli

    result = Cli(sample_copy)(
        "interview", "shortlist", "--n", "60", "--include-stuck", "--format", "json"
    )
    rows = json.loads(result.stdout)
    checked = 0
    for row in rows:
        said = re.search(r"平均スッキリ度 ([\d.]+)", row["reason"])
        covered = re.search(r"週カバー率 (\d+%)", row["reason"])
        assert said and covered, row["reason"]
        assert fixed(row["sukkiri_avg"]) == said[1], row
        assert percent(row["regularity"]) == covered[1], row
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "value, said",
    [
        (-9.34, "−9.3"),
        (0.04, "±0.0"),
        (-0.04, "±0.0"),
        (0.0, "±0.0"),
        (0.05, "+0.1"),
        (40, "+40.0"),
    ],
)
def test_a_change_has_its_sign_and_none_is_plus_minus_zero(value: float, said: str) -> None:
    from kakeai_ops.numbers import signed

    assert signed(value, 1) == said


@pytest.mark.parametrize(
    "key, value", [("rate", 6248 / 50003), ("rate", 0.124996), ("sukkiri_avg", 3.249996)]
)
def test_a_workbook_cell_is_not_rounded_before_excel_rounds_it(
    key: str, value: float, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A figure written to a cell is the figure, not the figure to 4 decimals: 0.124996
    kept as 0.125 showed 13% in Excel's 0% cell where the terminal said 12%."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame({"stuck_point": ["no_rating"], key: [value]})
    path = tmp_path / "t.xlsx"
    write_table(frame, path)
    cell = load_workbook(path).worksheets[0]["B2"]
    said = percent(value) if cell.number_format == "0%" else fixed(value)
    assert cell.number_format in ("0%", "0.0")
    as_excel_shows = percent(cell.value) if cell.number_format == "0%" else fixed(cell.value)
    assert as_excel_shows == said
