"""One audit log of every action that changes state or sends: recorded once it succeeded,
shown as 日時・操作・対象・件数・ファイル, and as JSON for machines."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from conftest import SAMPLE, Cli, merge_config
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT, configure, use_smtp
from smtp_server import SmtpServer
from test_campaign_draw import CAMPAIGN, _eligible, _enter_and_draw


def entries(cli: Cli) -> list[dict[str, Any]]:
    return list(json.loads(cli("audit", "--limit", "500", "--format", "json").stdout))


def test_ingest_names_its_files_with_their_hashes(sample_ws: Workspace) -> None:
    log = [e for e in entries(Cli(sample_ws)) if e["action"] == "ingest"]
    assert [e["snapshot"] for e in log] == ["0002", "0001"]  # newest first
    november = log[0]
    files = sorted((SAMPLE / "2026-11").iterdir())
    expected = [f"{p.name} sha256:{hashlib.sha256(p.read_bytes()).hexdigest()[:16]}" for p in files]
    assert sorted(november["files"]) == sorted(expected)
    assert november["target"] == "snapshot 0002" and november["label"] == "取り込み"
    rows = november["detail"]["rows"]
    assert set(rows) == {"users", "pairs", "meetings"} and all(v > 0 for v in rows.values())
    assert november["count"] > 0 and november["os_user"]


def test_an_entry_that_published_no_file_has_no_audience_in_any_format(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An ingest publishes nothing: its 公開範囲 and 基準日 are blank in the table, empty in
    CSV and null in JSON (strict JSON: no NaN, which JavaScript and Excel's Power Query refuse),
    beside an entry that wrote a list (secretariat) and has both."""
    cli = Cli(sample_copy)
    cli("segment", "--list", "--out", str(tmp_path / "list.xlsx"))

    def no_nan(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    log = json.loads(cli("audit", "--format", "json").stdout, parse_constant=no_nan)
    ingests = [e for e in log if e["action"] == "ingest"]
    assert len(ingests) == 2 and all(e["audience"] is None and e["as_of"] is None for e in ingests)
    listed = next(e for e in log if e["action"] == "segment")
    assert listed["audience"] == "secretariat" and listed["as_of"] == "2026-11-20"
    table = cli("audit", env={"KOPS_LANG": "ja", "COLUMNS": "250"}).stdout
    assert "nan" not in table.lower() and "事務局内限り" in table
    rows = list(
        csv.DictReader(io.StringIO(cli("audit", "--format", "csv").stdout.lstrip("\ufeff")))
    )
    assert [(r["audience"], r["as_of"]) for r in rows if r["action"] == "ingest"] == [("", "")] * 2


def test_every_action_is_logged_once_it_succeeded(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    start = len(entries(cli))
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--to-test", "tester@example.jp", "--limit", "2", "--yes")
        assert len(server.handler.received) == 2
    configure(sample_copy, transport="outbox")
    cli("mail", "send", *SEGMENT, "--yes")
    cli("mail", "suppress", "Someone@Example.jp", "--reason", "配信不要の返信")
    cli("mail", "unsuppress", "someone@example.jp")
    manager, member = "000119", "000120"  # a pair of the sample
    people = _eligible(cli)
    cli("interview", "record", manager, member, "--date", "2026-12-01")
    cli("interview", "exclude", member, "--reason", "辞退")
    cli("interview", "include", member)
    # A campaign by draw is awarded after its draw (one awarded to all takes no entries).
    _enter_and_draw(cli, tmp_path, [r["user_id"] for r in people[:6]], "-n", "2")
    cli("campaign", "award", CAMPAIGN)
    attendance = SAMPLE / "seminar" / "month1-attendance.csv"
    cli("seminar", "attendance", "month1", str(attendance), "--force", "--reason", "held in person")
    cli("seminar", "survey", "month1", str(SAMPLE / "seminar" / "month1-survey.csv"))
    cli("report", "divisions", "--out", str(tmp_path / "report.xlsx"))
    log = entries(cli)[: len(entries(cli)) - start]
    actions = [e["action"] for e in reversed(log)]
    assert actions == [
        "mail test",
        "mail plan",
        "mail write",
        "mail suppress",
        "mail unsuppress",
        "interview record",
        "interview exclude",
        "interview include",
        "campaign entries",
        "campaign draw",
        "campaign award",
        "seminar attendance",
        "seminar survey",
        "report divisions",
    ]
    by = {e["action"]: e for e in log}
    assert by["mail test"]["count"] == 2 and by["mail test"]["detail"]["to"] == "tester@example.jp"
    assert by["mail write"]["target"] == by["mail plan"]["target"] == "no_prep.member-2026-11"
    assert by["mail write"]["label"] == "メール書き出し（outbox・未送信）"
    assert by["mail write"]["count"] == by["mail plan"]["count"] > 0
    assert by["mail suppress"]["target"] == "someone@example.jp"
    assert by["interview record"]["target"] == f"{manager} → {member}"
    # One word for one thing: the shortlist's インタビュー, not 面談.
    assert by["interview record"]["label"] == "インタビューの記録"
    assert by["interview exclude"]["label"] == "インタビュー候補から除外"
    assert by["interview include"]["label"] == "インタビュー候補に戻す"
    assert by["seminar attendance"]["files"] == [
        f"month1-attendance.csv sha256:{hashlib.sha256(attendance.read_bytes()).hexdigest()[:16]}"
    ]
    assert by["report divisions"]["files"] == [str(tmp_path / "report.xlsx")]
    assert by["campaign award"]["count"] > 0 and by["campaign award"]["target"] == CAMPAIGN
    # The table speaks Japanese and shows no raw JSON.
    table = Cli(sample_copy)("audit", env={"COLUMNS": "250", "KOPS_LANG": "ja"}).stdout
    for header in ("日時", "操作", "対象", "件数", "ファイル"):
        assert header in table
    assert "インタビューの記録" in table and "配信停止を解除" in table and "{" not in table


def test_what_failed_is_not_logged(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    before = entries(cli)
    bad = cli("report", "divisions", "--out", str(tmp_path / "report.csv"), ok=False)
    assert "is an Excel file" in bad.stderr and not (tmp_path / "report.csv").exists()
    cli("mail", "unsuppress", "nobody@example.jp", ok=False)
    cli("interview", "record", "nobody", "nobody-else", ok=False)
    cli("interview", "include", "000101", ok=False)  # never excluded
    cli("mail", "send", *SEGMENT, ok=False)  # not confirmed
    cli("mail", "send", *SEGMENT, "--dry-run")  # a dry run changes nothing
    assert entries(cli) == before


def test_the_table_reads_as_other_tables_do(sample_copy: Workspace, tmp_path: Path) -> None:
    """件数 with thousands separators (6,124, as every other table writes a count), and no
    「nan」 where an ingest beside a list written to a file published nothing."""
    cli = Cli(sample_copy)
    cli("segment", "--list", "--out", str(tmp_path / "segment.xlsx"))
    raw = cli("audit", "--limit", "500", "--format", "json").stdout
    assert "NaN" not in raw
    ingests = [e for e in json.loads(raw) if e["action"] == "ingest"]
    assert ingests and all(e["audience"] is None for e in ingests)
    rows = sum(ingests[-1]["detail"]["rows"].values())
    assert rows >= 1000  # the sample's first snapshot: thousands of rows
    for columns in ("250", "80"):  # the wide table and the 「見出し: 値」 lines
        table = cli("audit", env={"COLUMNS": columns, "KOPS_LANG": "ja"}).stdout
        assert "nan" not in table.lower(), table
        # A count as every other table writes it (6,124), not 6124.
        assert f"{rows:,}" in table and str(rows) not in table.replace(f"{rows:,}", "")


def test_the_log_is_written_for_excel_as_the_terminal_shows_it(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """`kops audit --out audit.xlsx`: the table the terminal shows, with its Japanese
    headers, one row per entry (it had no --out, only English keys through --format csv)."""
    cli = Cli(sample_copy)
    entries = json.loads(cli("audit", "--format", "json").stdout)
    target = tmp_path / "audit.xlsx"
    cli("audit", "--out", str(target), env={"KOPS_LANG": "ja"})
    sheet = load_workbook(target).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("日時", "操作", "対象", "件数", "ファイル")
    body = [r for r in rows[1:] if r[0]]
    assert len(body) == len(entries)
    assert body[0][1] == entries[0]["label"]  # newest first, the action in Japanese


def test_each_published_file_is_logged_with_the_basis_date_its_header_says(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The audit's 基準日 is the one the file states (reports, the deck and the advisors'
    lists had none; the seminar list, which has none, was given the day it was written,
    read as the data's day)."""
    merge_config(
        sample_copy,
        {
            "advisors": {
                "営業本部長": {"email": "s@example.jp", "name": "山田 太郎", "scope": ["営業本部"]}
            }
        },
    )
    cli = Cli(sample_copy)
    later = {"KOPS_NOW": "2026-12-03T10:00:00+09:00"}  # written days after the data's day
    report, seminars = tmp_path / "report.xlsx", tmp_path / "seminars.xlsx"
    cli("report", "divisions", "--out", str(report), env=later)
    cli("seminar", "list", "--out", str(seminars), env=later)
    cli("report", "advisors", "--out", str(tmp_path / "scopes"), env=later)
    cli("review", "--out", str(tmp_path / "deck.pptx"), env=later)
    said = {
        path: (load_workbook(path).worksheets[0].oddHeader.center.text or "")
        for path in (report, seminars)
    }
    assert said == {report: "基準日 2026-11-20", seminars: ""}
    basis = {e["action"]: e["as_of"] for e in entries(cli)}
    assert basis["report divisions"] == basis["report advisors"] == basis["review"] == "2026-11-20"
    assert basis["seminar list"] is None
