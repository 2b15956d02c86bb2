"""Small groups in the shared deck: a seminar's satisfaction average of fewer than
min_group answers is not published (1.5 from 2 people tells each one's score)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from pptx import Presentation

from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace


def _deck_text(path: Path) -> str:
    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
    return "\n".join(parts)


def test_a_satisfaction_average_of_two_answers_is_not_in_the_deck(
    seminar_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(seminar_copy)
    survey = pd.read_csv(
        SAMPLE / "seminar" / "month1-survey.csv", dtype=str, keep_default_na=False, encoding="cp932"
    ).head(2)
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False, encoding="utf-8-sig")
    cli("seminar", "survey", "month1", str(path))
    deck, figures = tmp_path / "deck.pptx", tmp_path / "figures.xlsx"
    cli("review", "--out", str(deck), "--xlsx", str(figures))
    text = _deck_text(deck)
    assert "満足度の平均 非表示（回答が少ないため）（1〜5、回答 2件）" in text
    book = load_workbook(figures)
    values = [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if "satisfaction_avg" in row or "満足度の平均（1〜5）" in row
    ]
    # The figure's value (the cell after its label) is empty, and no number stands in
    # the row (a unit such as 平均 may follow).
    assert values, "the figures workbook has no satisfaction row"
    for row in values:
        label = "satisfaction_avg" if "satisfaction_avg" in row else "満足度の平均（1〜5）"
        assert row[row.index(label) + 1] in (None, ""), row
        assert not any(isinstance(cell, int | float) for cell in row), row


def test_the_secretariats_summary_holds_every_answer_with_names_masked(
    seminar_copy: Workspace, tmp_path: Path
) -> None:
    from kakeai_ops.store import latest_snapshot, load_tables
    from test_survey_text_hostile import _survey

    cli = Cli(seminar_copy)
    users = load_tables(latest_snapshot(seminar_copy)).users  # type: ignore[arg-type]
    family = str(users["name"].iloc[0]).split()[0]
    texts = [
        f"{family[0]}\u200b{family[1:]}さんの雑談術を知りたい",  # a zero-width space inside
        "1on1の頻度はどのくらいが良いか",
    ]
    survey = _survey(tmp_path, texts)
    cli("seminar", "survey", "month1", str(survey))
    out = tmp_path / "summary.xlsx"
    cli("seminar", "summary", "month1", "--out", str(out))
    book = load_workbook(out)
    sheet = book["自由記述_全件"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
    answers = [r[1] for r in rows]
    expected = pd.read_csv(survey, dtype=str, keep_default_na=False).iloc[:, -1]
    # Every answer that says something (the sample's 「特になし」 answers nothing).
    said = {t.strip() for t in expected if t.strip() and t.strip().rstrip("。") != "特になし"}
    assert len(set(answers)) == len(said) and "特になし" not in answers
    assert "○○さんの雑談術を知りたい" in answers
    assert not any(family in a.replace("\u200b", "") for a in answers)
    assert "事務局内限り" in (sheet.oddHeader.right.text or "")
    # The secretariat sees how many answers each group holds, exactly (small ones too),
    # on 自由記述 itself, recounted from the answers listed beside it: never 「<5」 there
    # while the next sheet lists the answers (no second sheet of counts).
    groups = [
        r for r in book["自由記述"].iter_rows(min_row=2, values_only=True) if r[0] is not None
    ]
    # (Under the table: the legend, and the note on when examples are shown.)
    notes = ("<", "回答例は")
    counts = {r[0]: r[1] for r in groups if not str(r[0]).startswith(notes)}
    listed: dict[str, int] = {}
    for group, _ in rows:
        listed[group] = listed.get(group, 0) + 1
    assert {g: n for g, n in counts.items() if n} == listed
    assert all(isinstance(n, int) for n in counts.values())  # no <5 in the secretariat's file
    assert "自由記述_件数" not in book.sheetnames
    assert "事務局内限り" in (book["自由記述"].oddHeader.right.text or "")
