"""Small groups in the shared deck: a seminar's satisfaction average of fewer than
min_group answers is not published (1.5 from 2 people tells each one's score)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from pptx import Presentation

from conftest import SAMPLE
from kakeai_ops.workspace import Workspace
from test_hostile_new_features import _seminar


def _deck_text(path: Path) -> str:
    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
    return "\n".join(parts)


def test_a_satisfaction_average_of_two_answers_is_not_in_the_deck(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = _seminar(sample_copy)
    survey = pd.read_csv(
        SAMPLE / "seminar" / "month1-survey.csv", dtype=str, keep_default_na=False, encoding="cp932"
    ).head(2)
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False, encoding="utf-8-sig")
    cli("seminar", "survey", "month1", str(path))
    deck, figures = tmp_path / "deck.pptx", tmp_path / "figures.xlsx"
    cli("review", "--out", str(deck), "--xlsx", str(figures))
    text = _deck_text(deck)
    assert "満足度（平均） 非表示（回答が少ないため）（回答 2件）" in text
    book = load_workbook(figures)
    values = [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if "satisfaction_avg" in row or "満足度の平均（1〜5）" in row
    ]
    assert values and all(row[-1] in (None, "") for row in values), values
