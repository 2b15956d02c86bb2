"""kops interview end to end on the sample tenant."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from conftest import Cli
from kakeai_ops import glossary
from kakeai_ops.analyses.shortlist import SHORTLIST_COLUMNS
from kakeai_ops.workspace import Workspace
from workbooks import sheet_records


def shortlist(cli: Cli, *args: str) -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(cli("interview", "shortlist", "--format", "csv", *args).stdout))
    )


def test_shortlist_columns_spread_and_privacy(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    rows = shortlist(cli, "--n", "5")
    assert list(rows[0]) == SHORTLIST_COLUMNS
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert len({r["division"] for r in rows}) == 5  # one per 事業部 while others remain
    for r in rows:
        assert int(r["held"]) >= 6 and float(r["sukkiri_avg"]) >= 4
        assert "心身の状態" not in r["top_topics"] and "プライベート" not in r["top_topics"]
    raw = cli("interview", "shortlist", "--n", "8", "--format", "json").stdout
    assert "心身の状態" not in raw and "プライベート" not in raw
    assert rows == shortlist(cli, "--n", "5")  # deterministic


def test_history_is_honoured(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    first = shortlist(cli, "--n", "3")
    top = first[0]
    cli("interview", "record", top["manager_id"], top["member_id"], "--date", "2026-12-03")
    cli("interview", "exclude", first[1]["member_id"], "--reason", "辞退")
    again = shortlist(cli, "--n", "3")
    people = {r["manager_id"] for r in again} | {r["member_id"] for r in again}
    assert top["manager_id"] not in people and top["member_id"] not in people
    assert first[1]["member_id"] not in people
    history = cli("interview", "history", "--format", "csv").stdout
    assert "2026-12-03" in history and "辞退" in history
    cli("interview", "include", first[1]["member_id"])
    assert first[1]["member_id"] not in cli("interview", "history", "--format", "csv").stdout
    missing = cli("interview", "record", "999999", top["member_id"], ok=False)
    assert "no user '999999'" in missing.stderr


def test_theme_and_private_theme_refused(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    rows = shortlist(cli, "--topic", "今後のキャリア", "--n", "3")
    assert rows and all(float(r["theme_share"]) > 0 for r in rows)
    refused = cli("interview", "shortlist", "--topic", "心身の状態", ok=False)
    assert "private topic" in refused.stderr


def test_explain_and_xlsx(sample_ws: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_ws)
    top = shortlist(cli, "--n", "1")[0]
    text = cli("interview", "shortlist", "--explain", top["manager_id"], top["member_id"]).stdout
    assert "eligible" in text and "regularity" in text and "score:" in text
    assert f"{float(top['score']):.4f}" in text
    target = tmp_path / "shortlist.xlsx"
    cli("interview", "shortlist", "--n", "4", "--out", str(target))
    book = load_workbook(target)
    sheet = book["候補"]
    assert [c.value for c in sheet[1]] == [glossary.column_label(k) for k in SHORTLIST_COLUMNS]
    assert sheet.max_row == 5 and sheet["B2"].number_format == "@"
    assert sheet_records(book, "shortlist")[0]["manager_id"] == top["manager_id"]
    assert "注記" in book.sheetnames
