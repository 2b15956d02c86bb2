"""A hostile user of campaign entries/draw, seminar survey text and the review deck.

Bad input is refused whole (file:row: column: what (value), exit 1, workspace
unchanged); what is shown or written says what the data says, and no more than
the division report and the seminar summary publish.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from conftest import SAMPLE, Cli, tree_digest, write_csv, write_xlsx
from kakeai_ops.workspace import Workspace
from test_cli_draw import CAMPAIGN, SEED, _eligible, _entries_file
from test_output_neutralised import assert_csv_neutralised, assert_xlsx_neutralised
from workbooks import sheet_records

ENTRY_HEADER = ["応募日時", "ユーザーID"]


def _refused_unchanged(ws: Workspace, *args: str) -> str:
    before = tree_digest(ws.root)
    result = Cli(ws)(*args, ok=False)
    assert result.exit_code == 1, result.stderr
    assert "Internal error" not in result.stderr
    assert tree_digest(ws.root) == before
    return str(result.stderr)


# --- campaign entries -------------------------------------------------------------


def test_entries_with_a_repeated_id_column_are_refused(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    ids = [r["user_id"] for r in _eligible(Cli(sample_copy))]
    path = write_csv(
        tmp_path / "e.csv", [*ENTRY_HEADER, "ユーザーＩＤ"], [["2026/10/01 10:00", ids[0], ids[1]]]
    )
    stderr = _refused_unchanged(sample_copy, "campaign", "entries", CAMPAIGN, str(path))
    assert "e.csv:1: ユーザーID: column appears more than once (columns 2 and 3)" in stderr


@pytest.mark.parametrize(
    "when, what",
    [
        ("2030/01/01 10:00", "later than now (2026-11-24 10:00 JST)"),
        ("1900/02/28 10:00", "before 2000-01-01"),
    ],
)
def test_entries_dated_in_the_future_or_by_an_excel_mishap_are_refused(
    sample_copy: Workspace, tmp_path: Path, when: str, what: str
) -> None:
    ids = [r["user_id"] for r in _eligible(Cli(sample_copy))]
    rows = [["2026/10/01 10:00", ids[0]], [when, ids[1]]]
    path = write_csv(tmp_path / "e.csv", ENTRY_HEADER, rows, encoding="cp932")
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)(
        "campaign", "entries", CAMPAIGN, str(path), env={"KOPS_NOW": "2026-11-24T10:00"}, ok=False
    )
    assert result.exit_code == 1, result.stderr
    assert f"e.csv:3: 応募日時: {what}" in result.stderr and f"('{when}')" in result.stderr
    assert tree_digest(sample_copy.root) == before


def test_entries_file_name_is_printed_as_written(sample_copy: Workspace, tmp_path: Path) -> None:
    ids = [r["user_id"] for r in _eligible(Cli(sample_copy))]
    path = _entries_file(tmp_path, ids[:2], name="[red]応募.csv")
    result = Cli(sample_copy)("campaign", "entries", CAMPAIGN, str(path))
    assert "[red]応募.csv: 2 new entries" in result.stderr


def test_entries_after_the_draw_are_refused(sample_copy: Workspace, tmp_path: Path) -> None:
    """A late import would be recorded as an entry the draw judged "not eligible"."""
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids[:5])))
    cli("campaign", "draw", CAMPAIGN, "--winners", "1", "--seed", SEED)
    late = _entries_file(tmp_path, ids[5:7], name="late.csv")
    stderr = _refused_unchanged(sample_copy, "campaign", "entries", CAMPAIGN, str(late))
    assert f"campaign '{CAMPAIGN}' has been drawn already (draw 1)" in stderr
    explained = cli("campaign", "explain", CAMPAIGN, ids[5]).stdout
    assert "抽選 1" not in explained


def test_hostile_entry_rows_are_refused_by_row_or_normalised(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)]
    emails = {
        r["user_id"]: r["email"]
        for r in csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv").stdout))
    }
    full_width = ids[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        ["2026/10/01 10:00", '=HYPERLINK("https://x.invalid","x")'],  # 2: not a user
        ["2026/10/01 10:00", ids[0] + "\x00"],  # 3: NUL makes no new id
        ["2026/10/01 10:00", ids[1]],  # 4
        ["2026/10/01 10:00", full_width],  # 5: the same person as row 4
        ["2026/10/01 10:00", emails[ids[2]].upper()],  # 6
        ["2026/10/01 10:00", emails[ids[2]]],  # 7: the same person as row 6
    ]
    path = write_csv(tmp_path / "e.csv", ENTRY_HEADER, rows, encoding="cp932")
    result = cli("campaign", "entries", CAMPAIGN, str(path))
    assert "e.csv:2: ユーザーID: is not in users" in result.stderr
    assert "e.csv:3: ユーザーID: is not in users ('" in result.stderr
    assert f"e.csv:5: ユーザーID: duplicate entry (first on row 4) ('{ids[1]}')" in result.stderr
    assert "e.csv:7: ユーザーID: duplicate entry (first on row 6)" in result.stderr
    assert "2 new entries" in result.stderr
    pool = cli("campaign", "draw", CAMPAIGN, "--entrants", "--format", "csv").stdout
    assert sorted(r["user_id"] for r in csv.DictReader(io.StringIO(pool))) == sorted(ids[1:3])


def _kops(ws: Workspace, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KOPS_WORKSPACE": str(ws.root), "KOPS_QUIET": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kakeai_ops", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_draws_at_once_draw_once(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids[:10])))
    draws = [
        _kops(sample_copy, "campaign", "draw", CAMPAIGN, "-n", "2", "--seed", seed)
        for seed in ("one", "two")
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in draws]
    assert sorted(code for code, _ in results) == [0, 1]
    refused = next(stderr for code, stderr in results if code == 1)
    assert f"campaign '{CAMPAIGN}' has been drawn already (draw 1)" in refused
    assert "Internal error" not in refused
    cli("campaign", "draw", CAMPAIGN, "--verify")


# --- seminar survey free text -------------------------------------------------------


def _seminar(ws: Workspace) -> Cli:
    config = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    config["seminars"]["month1"].update(
        date="2026-10-28T12:15:00", url="https://meet.example/m1", recording_url="https://v/m1"
    )
    ws.config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    cli = Cli(ws)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    cli("seminar", "attendance", "month1", str(SAMPLE / "seminar" / "month1-attendance.csv"))
    return cli


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
    sample_copy: Workspace, tmp_path: Path, text: str, what: str
) -> None:
    _seminar(sample_copy)
    path = _survey(tmp_path, ["改行は\r\nそのまま", "タブも\tそのまま", text])
    stderr = _refused_unchanged(sample_copy, "seminar", "survey", "month1", str(path))
    # Line 5 of the file: the first answer's line break takes two lines.
    assert f"survey.csv:5: 今、知りたいこと: {what}" in stderr


def test_survey_line_breaks_tabs_and_formulas_are_kept_and_neutralised(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = _seminar(sample_copy)
    texts = ["=1+1", "[/bold]", "改行は\r\nそのまま", "タブも\tそのまま"]
    texts += [f'=HYPERLINK("x") 頻度について{i}' for i in range(6)]
    cli("seminar", "survey", "month1", str(_survey(tmp_path, texts)))
    themes = cli("seminar", "themes", "--format", "csv").stdout
    assert_csv_neutralised(themes)
    cli("seminar", "summary", "month1", "--out", str(tmp_path / "s.xlsx"))
    assert_xlsx_neutralised(tmp_path / "s.xlsx")
    assert "[/bold]" in cli("seminar", "summary", "month1").stdout


def test_answers_naming_a_user_are_never_an_example(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = _seminar(sample_copy)
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


# --- review ---------------------------------------------------------------------------


def test_review_out_that_is_a_directory_is_refused(sample_copy: Workspace, tmp_path: Path) -> None:
    (tmp_path / "deck.pptx").mkdir()
    (tmp_path / "figures.xlsx").mkdir()
    for args in (
        ["--out", str(tmp_path / "deck.pptx")],
        ["--out", str(tmp_path / "d.pptx"), "--xlsx", str(tmp_path / "figures.xlsx")],
    ):
        stderr = _refused_unchanged(sample_copy, "review", *args)
        assert "is a directory" in stderr
    assert not (tmp_path / "d.pptx").exists()


def test_review_paths_are_printed_as_written(sample_copy: Workspace, tmp_path: Path) -> None:
    (tmp_path / "[").mkdir()
    deck, figures = tmp_path / "[/bold]deck.pptx", tmp_path / "[red]figures.xlsx"
    result = Cli(sample_copy)("review", "--out", str(deck), "--xlsx", str(figures))
    assert f"Wrote the review deck to {deck}" in result.stderr
    assert f"Wrote every figure to {figures}" in result.stderr
    assert deck.is_file() and figures.is_file()


def test_review_of_a_workspace_with_one_snapshot(ws: Workspace, tmp_path: Path) -> None:
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-10").iterdir())))
    cli("review", "--out", str(tmp_path / "d.pptx"), "--xlsx", str(tmp_path / "f.xlsx"))
    book = load_workbook(tmp_path / "f.xlsx")
    first = sheet_records(book, book.sheetnames[0])
    assert all(r["before"] is None for r in first) and all(r["now"] is not None for r in first)


def _published(ws: Workspace) -> dict[str, str]:
    rows = json.loads(Cli(ws)("report", "divisions", "--period", "30d", "--format", "json").stdout)
    return {
        r["division"]: r["shown"]
        for r in rows
        if r["table"] == "overview" and r["metric"] == "headcount" and r["division"]
    }


def test_review_divisions_reveal_nothing_the_report_hides(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    Cli(sample_copy)(
        "review", "--out", str(tmp_path / "d.pptx"), "--xlsx", str(tmp_path / "f.xlsx")
    )
    published = _published(sample_copy)
    # The sample's small 事業部 is merged, not hidden (hidden rows: test_review.py).
    assert any("経営企画室" in d for d in published) and "経営企画室" not in published
    book = load_workbook(tmp_path / "f.xlsx")
    sheet = next(s for s in book.worksheets if "事業部" in s.title)
    for record in sheet_records(book, sheet.title):
        row = list(record.values())
        if record["division"] in published:
            assert str(record["headcount"]) == published[str(record["division"])]
            if not published[str(record["division"])].isdigit():
                hidden = [v for v in row if isinstance(v, int | float)]
                assert not hidden, f"{record['division']}: a figure next to a hidden one"


def test_review_seminar_groups_are_the_summary_counts(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = _seminar(sample_copy)
    texts = [f"1on1の頻度はどのくらいが良いか{i}" for i in range(7)]
    cli("seminar", "survey", "month1", str(_survey(tmp_path, texts)))
    summary = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    groups = {g["group"]: g["answers"] for g in summary["自由記述"]}
    assert any(isinstance(n, int) for n in groups.values())
    assert any(isinstance(n, str) for n in groups.values()), "nothing hidden: a weak test"
    cli("review", "--out", str(tmp_path / "d.pptx"), "--xlsx", str(tmp_path / "f.xlsx"))
    book = load_workbook(tmp_path / "f.xlsx")
    sheet = next(s for s in book.worksheets if "month1" in s.title)
    shown = {
        str(r["label"]).removeprefix("知りたいテーマ："): r["value"]
        for r in sheet_records(book, sheet.title)
        if str(r["label"]).startswith("知りたいテーマ：")
    }
    assert shown
    for group, value in shown.items():
        assert groups[group] == value, (group, value, groups)


def test_entries_whose_ids_excel_turned_into_numbers_are_refused_with_a_hint(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    ids = [r["user_id"] for r in _eligible(Cli(sample_copy))]
    rows = [["2026/10/01 10:00", int(ids[0])], ["2026/10/02 10:00", ids[1]]]
    path = write_xlsx(tmp_path / "e.xlsx", ENTRY_HEADER, rows)  # a number cell: zeros gone
    stderr = _refused_unchanged(sample_copy, "campaign", "entries", CAMPAIGN, str(path))
    assert (
        f"e.xlsx:2: ユーザーID: is not in users; leading zeros lost? (maybe '{ids[0]}'); "
        f"re-export with the column formatted as text ('{int(ids[0])}')"
    ) in stderr
    scientific = write_csv(tmp_path / "s.csv", ENTRY_HEADER, [["2026/10/01 10:00", "1.23E+05"]])
    stderr = _refused_unchanged(sample_copy, "campaign", "entries", CAMPAIGN, str(scientific))
    assert "s.csv:2: ユーザーID: a number in Excel's scientific notation" in stderr
