"""kops segment end to end on the sample tenant: lists, files read back, explain, movement."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

import sample_recount
from conftest import Cli
from kakeai_ops import glossary
from kakeai_ops.analyses.segmentation import KEYS, LIST_COLUMNS
from kakeai_ops.workspace import Workspace
from workbooks import csv_records, header_labels, sheet_records


def test_sample_has_every_stuck_point_and_role(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)("segment", "--list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["stuck_point"] for r in rows} == set(KEYS)
    assert {r["role"] for r in rows} == {"manager", "member", "both", "none"}


def test_list_csv_columns_are_stable(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)("segment", "--list", "--format", "csv")
    header = result.stdout.splitlines()[0].split(",")
    assert header == LIST_COLUMNS
    assert header[:11] == [
        "user_id",
        "name",
        "email",
        "division",
        "department",
        "job_type",
        "age_band",
        "employment",
        "role",
        "stuck_point",
        "stuck_point_label",
    ]


def test_as_of_is_always_said_on_stderr(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    result = cli("segment", env={"KOPS_QUIET": "0"})
    assert "基準日 2026-11-20（スナップショット 0002 のデータの最終日）" in result.stderr
    result = cli("segment", "--as-of", "2026-11-01", env={"KOPS_QUIET": "0"})
    assert "基準日 2026-11-01（--as-of で指定）" in result.stderr
    bad = cli("segment", "--as-of", "11/01", ok=False, env={"KOPS_LANG": "en"})
    assert bad.exit_code == 1 and "--as-of: '11/01' is not a date" in bad.stderr


def test_filters_and_bad_filter_values(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    rows = json.loads(
        cli(
            "segment",
            "--stuck-point",
            "no_prep",
            "--stuck-point",
            "lapsed",
            "--role",
            "member",
            "--format",
            "json",
        ).stdout
    )
    assert rows and {r["stuck_point"] for r in rows} <= {"no_prep", "lapsed"}
    assert {r["role"] for r in rows} == {"member"}
    rows = json.loads(cli("segment", "--division", "営業本部", "--format", "json").stdout)
    assert rows and {r["division"] for r in rows} == {"営業本部"}
    bad = cli("segment", "--stuck-point", "lazy", ok=False)
    assert "unknown stuck point 'lazy'" in bad.stderr and "no_prep (事前準備なし)" in bad.stderr
    bad = cli("segment", "--division", "宇宙本部", ok=False)
    assert "no 事業部 '宇宙本部'" in bad.stderr


def test_csv_file_is_excel_friendly(sample_copy: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    # Not quiet: what the terminal says beside the file is part of what is tested.
    said = Cli(sample_copy)("segment", "--list", "--out", str(target), env={"KOPS_QUIET": None})
    # The file keeps the ids as exported (for KAKEAI's upload); Excel drops their zeros.
    assert "drops the ids' leading zeros: for Excel, --out with .xlsx" in " ".join(
        said.stderr.split()
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    rows = csv_records(raw, LIST_COLUMNS)  # Japanese headers, one per key
    assert rows[0]["user_id"] == "000101"  # leading zeros kept
    assert {r["role"] for r in rows} <= {"上司", "部下", "両方", "なし"}
    assert any("髙" in r["name"] or "﨑" in r["name"] for r in rows)
    # A share as the workbook shows it (67%), which Excel reads back as a percent; blank
    # where there is none. Never a bare decimal (0.6667).
    shares = [r["prep_share"] for r in rows]
    assert any(shares) and all(re.fullmatch(r"(\d{1,3}%)?", s) for s in shares), shares[:5]


def test_xlsx_file_reads_back(sample_copy: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "list.xlsx"
    Cli(sample_copy)("segment", "--list", "--stuck-point", "no_prep", "--out", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["一覧", "集計", "列の説明"]
    sheet = book["一覧"]
    header = header_labels(sheet)
    assert header[:3] == ["社員番号", "氏名", "メールアドレス"]
    first_id = sheet.cell(row=2, column=1)
    assert isinstance(first_id.value, str) and first_id.value.startswith("000")
    assert first_id.number_format == "@"
    assert sheet.auto_filter.ref is not None and sheet.freeze_panes == "C2"
    assert sheet.print_title_rows == "$1:$1" and sheet.print_title_cols == "$A:$B"
    rows = sheet_records(book, "users")
    assert {r["stuck_point"] for r in rows} == {"事前準備なし"}
    shares = sheet.cell(row=2, column=header.index(glossary.column_label("prep_share")) + 1)
    assert shares.number_format == "0%"
    totals = {r["stuck_point"]: r["total"] for r in sheet_records(book, "summary")}
    assert totals["事前準備なし"] == len(rows)


def test_explain_names_facts_and_help(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    rows = list(
        csv.DictReader(
            io.StringIO(cli("segment", "--stuck-point", "no_recurrence", "--format", "csv").stdout)
        )
    )
    user_id = rows[0]["user_id"]
    text = cli("segment", "--explain", user_id).stdout
    assert f"({user_id})" in text
    assert "✗ 該当      繰り返し未設定" in text
    assert "うち繰り返し設定あり 0" in text
    assert "スタックポイント: 繰り返し未設定" in text and "no_recurrence" not in text
    assert "Month3" in text
    # Full-width ids are accepted as typed.
    wide = user_id.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert f"({user_id})" in cli("segment", "--explain", wide).stdout
    missing = cli("segment", "--explain", "999999", ok=False, env={"KOPS_LANG": "en"})
    assert "no user '999999'" in missing.stderr


def test_compare_shows_transitions(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    payload = json.loads(cli("segment", "--compare", "1", "--format", "json").stdout)
    assert payload["before"]["snapshot"] == "0001" and payload["after"]["snapshot"] == "0002"
    total = sum(sum(row.values()) for row in payload["transitions"].values())
    assert total > 200
    assert payload["moved_on"] and payload["slid_back"]
    assert payload["left"] == 2  # the two who retired in November
    same = json.loads(cli("segment", "--since", "2026-10-31", "--format", "json").stdout)
    assert same["before"]["snapshot"] == "0001"
    # A CSV holds who moved (one table of the comparison), and says so.
    moved_csv = cli("segment", "--compare", "1", "--format", "csv", env={"KOPS_QUIET": "0"})
    rows = list(csv.DictReader(io.StringIO(moved_csv.stdout)))
    assert len(rows) == len(payload["moved_on"]) + len(payload["slid_back"])
    assert "CSV に入るのは次の段階に進んだ人・前の段階に戻った人だけ" in moved_csv.stderr
    # Each person moved says where they stand now: one gone on maternity leave slid back.
    now = sample_recount.load("2026-11").users.set_index("user_id")["employment"]
    assert {r["user_id"]: r["employment"] for r in rows} == {
        r["user_id"]: now[r["user_id"]] for r in rows
    }
    assert any(r["employment"] != "在籍" for r in rows if r["user_id"] in payload["slid_back"])
    text = cli("segment", "--compare", "1").stdout
    assert "スナップショット 0001（2026-10-20）→ 0002（2026-11-20）" in text
    assert "次の段階に進んだ人（" in text
    target = tmp_path / "moves.xlsx"
    cli("segment", "--compare", "1", "--out", str(target))
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["推移", "移動した人"]
    # Who moved, and the transitions, in people's words: no key as a header or a value.
    assert header_labels(book["移動した人"])[-4:] == [
        "在籍状況",
        "前回のスタックポイント",
        "今回のスタックポイント",
        "変化",
    ]
    moved = sheet_records(book, "移動した人")
    assert moved and {r["direction"] for r in moved} <= set(glossary.MOVEMENT.values())
    points = set(glossary.STUCK_POINTS.values())
    assert {r["stuck_point_before"] for r in moved} | {
        r["stuck_point_after"] for r in moved
    } <= points
    assert {r[0] for r in book["推移"].iter_rows(min_row=2, values_only=True)} <= points
    # Its corner says the rows are 前回's and the columns 今回's.
    assert book["推移"]["A1"].value == "前回＼今回"
    # A CSV file is the transitions alone: said so, not 「…人の移動を書き出しました」, and
    # with no word of ids losing their zeros (it has none).
    as_csv = tmp_path / "moves.csv"
    said = cli("segment", "--compare", "1", "--out", str(as_csv)).stderr
    moves = len(payload["moved_on"]) + len(payload["slid_back"])
    assert f"移り変わりを {as_csv} に書き出しました（移動した {moves:,}人は" in " ".join(
        said.split()
    )
    assert "先頭の 0" not in said
    first = as_csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.split(",")[0] == "前回＼今回" and "user_id" not in first
    bad = cli("segment", "--since", "2020-01-01", ok=False, env={"KOPS_LANG": "en"})
    assert "no snapshot dated on or before 2020-01-01" in bad.stderr


def test_summary_by_division(sample_ws: Workspace) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(Cli(sample_ws)("segment", "--by", "division", "--format", "csv").stdout)
        )
    )
    divisions = {r["division"] for r in rows}
    assert "営業本部" in divisions and "経営企画室" in divisions
    for r in rows:
        assert int(r["users"]) == sum(int(r[k]) for k in KEYS)


def test_an_id_typed_without_its_leading_zeros_is_found_or_suggested(
    sample_ws: Workspace,
) -> None:
    cli = Cli(sample_ws)
    found = cli("segment", "--explain", "120", env={"KOPS_QUIET": "0"})
    assert "(000120)" in found.stdout and "'120' is taken as 000120" in found.stderr
    # In Japanese, the words the docs quote (and `kops mail suppress` says).
    ja = cli("segment", "--explain", "120", env={"KOPS_QUIET": "0", "KOPS_LANG": "ja"})
    assert "'120' は 000120 として扱います（先頭の0を補いました）" in ja.stderr
    wide = cli("segment", "--explain", "１２０")  # full-width, as an IME types it
    assert "(000120)" in wide.stdout
    refused = cli("campaign", "explain", "exec-1on1-2026h2", "120", ok=False)
    assert "no user '120'" in refused.stderr and "did you mean 000120?" in refused.stderr
    missing = cli("segment", "--explain", "99999", ok=False)
    assert "did you mean" not in missing.stderr


def test_only_one_id_of_that_number_is_taken_for_it() -> None:
    from kakeai_ops.ids import did_you_mean, same_number

    known = ["000120", "0120", "120A", "001200", "000121"]
    assert same_number("120", known) == ["000120", "0120"]  # two: suggested, never guessed
    assert did_you_mean("120", known) == "did you mean 000120, 0120?"
    assert same_number("0120", known) == ["000120"]
    assert same_number("abc", known) == [] and did_you_mean("12O", known) == ""


def test_a_csv_by_division_holds_the_breakdown_asked_for(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A CSV holds one table: with --by division it is the 事業部 breakdown (as --format csv
    gives), not the role summary with the breakdown silently left out."""
    target = tmp_path / "by.csv"
    Cli(sample_copy)("segment", "--by", "division", "--out", str(target))
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "事業部" and "定着の割合" in rows[0]
    divisions = {r[0] for r in rows[1:]}
    assert {"営業本部", "開発本部"} <= divisions
    share = rows[0].index("定着の割合")
    assert all(re.fullmatch(r"\d{1,3}%", r[share]) for r in rows[1:]), rows[1]


def test_the_summary_sheet_says_its_day_and_whom_its_shares_are_of(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The terminal says 「252人、基準日 2026-11-20」; the sheet gave neither on the screen (the
    day only in the printed header). A line under the table now says both, the people
    recounted here from the exports (退職 left out, as everywhere)."""
    import sample_recount

    target = tmp_path / "summary.xlsx"
    Cli(sample_copy)("segment", "--out", str(target))
    sample = sample_recount.load()
    sheet = load_workbook(target).worksheets[0]
    notes = [str(c.value) for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.value]
    people = len(sample.users)
    assert (
        f"基準日 {sample.as_of} の{people:,}人。割合はこの{people:,}人に占める割合です" in notes[-1]
    )


def test_the_summary_says_who_is_not_counted(sample_copy: Workspace, tmp_path: Path) -> None:
    """The summary counts 252 of the users export's 254 rows: those who left are said, on
    the terminal and under the sheet's table, as the export counts them."""
    raw = sample_recount.read(sample_recount.SAMPLE / "2026-11" / "users.csv")
    left = int((raw["在籍状況"] == "退職").sum())
    assert left > 0
    cli = Cli(sample_copy)
    shown = cli("segment").stdout
    assert f"{left} who have left (退職) are not counted" in shown
    assert f"({len(raw) - left} people," in shown  # the table's title: the rest
    target = tmp_path / "summary.xlsx"
    cli("segment", "--out", str(target))
    texts = [c.value for row in load_workbook(target).active.iter_rows() for c in row]
    assert any(isinstance(t, str) and f"退職の{left}人は数えていません" in t for t in texts)
