"""`kops mail status RUN` on what a hostile or broken server, or an old ledger, stored:
errors with terminal escapes, Rich markup and formulas, names that are formulas, a
message without an error. The terminal, the --out workbook and CSV, and --format
show each as written, never run it, and never stop with an internal error."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import Cli
from kakeai_ops.cli.mail_words import error_words
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT
from workbooks import label

# (state, name, stored error) written over the first rows of a real run's ledger.
HOSTILE = [
    ("perm_failed", "=cmd|' /C calc'!A0", "550 \x1b[2J\x1b]0;pwn\x07 [red]no[/red] (RCPT TO)"),
    ("temp_failed", "+1+1", "451 4.3.0 busy (RCPT TO)"),
    ("sending", "@SUM(A1)", "unknown: connection lost after the message was sent: timed out"),
    ("sending", "-2+3", None),  # an old ledger: unknown, with no error stored
    ("perm_failed", "[bold]太郎[/bold]", '=HYPERLINK("http://x")'),
]


@pytest.fixture(scope="module")
def _hostile_ledger(sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The sample with a real run in its ledger (sent to the outbox) whose first rows
    hold HOSTILE: built once for the file, copied for each test."""
    root = tmp_path_factory.mktemp("hostile-ledger") / "ws"
    shutil.copytree(sample_ws.root, root)
    ws = Workspace(root)
    Cli(ws)("mail", "send", *SEGMENT, "--yes")  # to the outbox: a real run in the ledger
    db = sqlite3.connect(ws.root / "state" / "kops.db")
    with closing(db), db:  # committed and closed before the copies are made
        items = [
            item
            for (item,) in db.execute(
                "SELECT item FROM mail_ledger WHERE run_id = ? ORDER BY item", (RUN,)
            )
        ]
        for item, (state, name, error) in zip(items, HOSTILE, strict=False):
            db.execute(
                "UPDATE mail_ledger SET state = ?, name = ?, error = ?, attempts = 2 "
                "WHERE run_id = ? AND item = ?",
                (state, name, error, RUN, item),
            )
    return ws


@pytest.fixture
def hostile_run(_hostile_ledger: Workspace, tmp_path: Path) -> Cli:
    target = tmp_path / "ws"
    shutil.copytree(_hostile_ledger.root, target)
    return Cli(Workspace(target))


def test_the_terminal_shows_hostile_errors_as_written(hostile_run: Cli) -> None:
    shown = hostile_run("mail", "status", RUN, env={"KOPS_LANG": "ja", "COLUMNS": "400"}).stdout
    assert "\x1b" not in shown and "\x07" not in shown
    assert "550 ␛[2J␛]0;pwn␇ [red]no[/red]（宛先の指定）" in shown
    assert "[bold]太郎[/bold]" in shown and "=cmd|' /C calc'!A0" in shown
    assert "nan" not in shown  # an unknown without an error: a blank cell


def test_the_out_workbook_holds_hostile_errors_as_text(
    hostile_run: Cli, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    path = tmp_path / "status.xlsx"
    hostile_run("mail", "status", RUN, "--out", str(path))
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    header = [None if c.value is None else label(c.value) for c in rows[0]]
    name, error = header.index("氏名"), header.index("エラー")
    by_name = {row[name].value: row for row in rows[1:]}
    formula = by_name["=cmd|' /C calc'!A0"]
    assert formula[name].data_type == "s"  # text, never run
    # Control characters as their visible pictures: Excel cannot hold them.
    assert formula[error].value == "550 ␛[2J␛]0;pwn␇ [red]no[/red]（宛先の指定）"
    hyperlink = by_name["[bold]太郎[/bold]"][error]
    assert hyperlink.value == '=HYPERLINK("http://x")' and hyperlink.data_type == "s"
    assert by_name["-2+3"][error].value is None


def test_the_out_csv_neutralises_formulas(hostile_run: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "status.csv"
    hostile_run("mail", "status", RUN, "--out", str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    names = {r["氏名"] for r in rows}
    assert {"'=cmd|' /C calc'!A0", "'+1+1", "'@SUM(A1)", "'-2+3"} <= names
    assert '\'=HYPERLINK("http://x")' in {r["エラー"] for r in rows}


@pytest.mark.parametrize(
    "stored, said",
    [
        (None, ""),
        (float("nan"), ""),
        ("unknown: " * 5000 + "timed out", "timed out"),
        (
            "unknown: unknown: connection lost after the message was sent: x",
            "メールを渡した後に接続が切れました: x",
        ),
        ("unknown:", "unknown:"),  # not the pattern: as stored
        ("x (RCPT TO) y", "x (RCPT TO) y"),
        ("suppression list: " + "a" * 100_000, "配信停止リスト: " + "a" * 100_000),
    ],
)
def test_error_words_never_fail(stored: object, said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")
    assert error_words(stored) == said


def test_the_out_file_names_templates_and_leaves_out_what_it_repeats(
    hostile_run: Cli, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Each row's template by its name (as the review deck names the run), not its key;
    no 宛先・項目 column repeating the 社員番号; times as date-times Excel reads, in the
    workbook (date cells) and in the CSV (2026-11-24 10:00, not ISO text with an offset)."""
    path = tmp_path / "status.xlsx"
    hostile_run("mail", "status", RUN, "--out", str(path))
    sheet = load_workbook(path).worksheets[0]
    header = [label(c.value) for c in sheet[1]]
    assert "宛先・項目" not in header and header[0] == "社員番号"
    templates = {
        r[header.index("テンプレート")] for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert templates == {"事前準備なし・部下向け"}
    updated = sheet.cell(row=2, column=header.index("更新日時") + 1)
    assert updated.is_date and updated.number_format == "yyyy-mm-dd hh:mm"
    text = tmp_path / "status.csv"
    hostile_run("mail", "status", RUN, "--out", str(text))
    rows = list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8-sig"))))
    assert "宛先・項目" not in rows[0] and {r["テンプレート"] for r in rows} == {
        "事前準備なし・部下向け"
    }
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["更新日時"]) for r in rows)
    # --format csv keeps the ledger as stored, for scripts.
    stored = hostile_run("mail", "status", RUN, "--format", "csv").stdout
    assert stored.startswith("item,user_id,") and ",no_prep.member," in stored


def test_the_error_column_is_never_folded_away(hostile_run: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The ledger is too wide for A4 at 8 pt, so details (the address, Message-ID) fold
    into Excel's outline; why a mail was not sent stays in view and in print."""
    path = tmp_path / "status.xlsx"
    hostile_run("mail", "status", RUN, "--out", str(path))
    sheet = load_workbook(path).worksheets[0]
    header = [label(c.value) for c in sheet[1]]
    shown = {
        h: not sheet.column_dimensions[c.column_letter].hidden
        for h, c in zip(header, sheet[1], strict=True)
    }
    assert shown["エラー"] and shown["状態"] and shown["社員番号"]
    assert not shown["Message-ID"]  # a detail: folded
