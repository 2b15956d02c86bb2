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
