"""Hostile seminar survey free text: what a terminal or Excel cannot hold is refused, formulas neutralised, names never an example."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace
from test_entries_hostile import _refused_unchanged
from test_neutralise import assert_csv_neutralised, assert_xlsx_neutralised


def _survey(tmp_path: Path, texts: list[str]) -> Path:
    frame = pd.read_csv(
        SAMPLE / "seminar" / "month1-survey.csv", dtype=str, keep_default_na=False, encoding="cp932"
    )
    column = frame.columns[-1]
    frame[column] = [texts[i] if i < len(texts) else t for i, t in enumerate(frame[column])]
    target = tmp_path / "survey.csv"
    frame.to_csv(target, index=False, encoding="utf-8-sig")
    return target


@pytest.mark.parametrize(
    "text, what",
    [
        ("頻度\x00について", "control character U+0000"),
        ("\x1b[31m頻度\x1b[0m", "control character U+001B"),
        ("頻度\x07", "control character U+0007"),
        ("頻" * 32768, "longer than 32,767 characters"),
    ],
    ids=["NUL", "ESC", "BEL", "long"],
)
def test_survey_text_a_terminal_or_excel_cannot_hold_is_refused(
    seminar_copy: Workspace, tmp_path: Path, text: str, what: str
) -> None:
    path = _survey(tmp_path, ["改行は\r\nそのまま", "タブも\tそのまま", text])
    stderr = _refused_unchanged(seminar_copy, "seminar", "survey", "month1", str(path))
    # Line 5 of the file: the first answer's line break takes two lines.
    assert f"survey.csv:5: 今、知りたいこと: {what}" in stderr


def test_survey_line_breaks_tabs_and_formulas_are_kept_and_neutralised(
    seminar_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(seminar_copy)
    # Five in その他 (its examples show at min_group): the sample's 「特になし」 answers nothing.
    texts = ["=1+1", "[/bold]", "改行は\r\nそのまま", "タブも\tそのまま", "よろしくお願いします"]
    texts += [f'=HYPERLINK("x") 頻度について{i}' for i in range(6)]
    cli("seminar", "survey", "month1", str(_survey(tmp_path, texts)))
    themes = cli("seminar", "themes", "--format", "csv").stdout
    assert_csv_neutralised(themes)
    cli("seminar", "summary", "month1", "--out", str(tmp_path / "s.xlsx"))
    assert_xlsx_neutralised(tmp_path / "s.xlsx")
    assert "[/bold]" in cli("seminar", "summary", "month1").stdout


def test_answers_naming_a_user_are_never_an_example(
    seminar_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(seminar_copy)
    names = [
        r["name"]
        for r in csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv").stdout))
    ]
    texts = [f"{n}さんとの1on1の頻度を知りたい" for n in names[:8]]
    cli("seminar", "survey", "month1", str(_survey(tmp_path, texts)))
    shown = cli("seminar", "themes", "--format", "json").stdout
    shown += cli("seminar", "summary", "month1", "--format", "json").stdout
    shown += cli("seminar", "summary", "month1").stdout
    for name in names[:8]:
        for part in name.split():
            assert part not in shown
