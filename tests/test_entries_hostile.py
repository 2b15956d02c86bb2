"""A hostile user of campaign entries: repeated columns, future or mangled dates, entries after the draw, bad rows, ids Excel turned into numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import Cli, tree_digest, write_csv, write_xlsx
from kakeai_ops.workspace import Workspace
from test_campaign_draw import CAMPAIGN, SEED, _eligible, _entries_file

ENTRY_HEADER = ["応募日時", "ユーザーID"]


def _refused_unchanged(ws: Workspace, *args: str) -> str:
    before = tree_digest(ws.root)
    result = Cli(ws)(*args, ok=False)
    assert result.exit_code == 1, result.stderr
    assert "Internal error" not in result.stderr
    assert tree_digest(ws.root) == before
    return str(result.stderr)


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
    # As the secretariat reads it (KOPS_LANG=ja): the same rows, no English left.
    shown = cli("campaign", "entries", CAMPAIGN, str(path), env={"KOPS_LANG": "ja"}).stderr
    assert (
        f"e.csv:5: ユーザーID: 同じ人の 2 回目以降の応募です（最初は 4 行目） ('{ids[1]}')" in shown
    )
    assert "duplicate entry" not in shown
    pool = cli("campaign", "draw", CAMPAIGN, "--entrants", "--format", "csv").stdout
    assert sorted(r["user_id"] for r in csv.DictReader(io.StringIO(pool))) == sorted(ids[1:3])


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
    # In Japanese the whole line is Japanese, as for the exports.
    ja = Cli(sample_copy)(
        "campaign", "entries", CAMPAIGN, str(path), env={"KOPS_LANG": "ja"}, ok=False
    ).stderr
    assert (
        f"e.xlsx:2: ユーザーID: ユーザー一覧にありません。先頭の 0 が落ちたようです"
        f"（'{ids[0]}' のことですか）。列を文字列の書式にして出力し直してください"
    ) in ja
    assert "leading zeros" not in ja
