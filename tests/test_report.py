"""kops report and kops audit on the sample tenant: the file, its charts, its scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from openpyxl import load_workbook

import sample_recount
from conftest import NOVEMBER_REPORT, REPORT_90D, SAMPLE, Cli, RunSample
from kakeai_ops.store import latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace
from sample_recount import read
from smtp_server import SmtpServer
from workbooks import csv_records, label, overview_records

ADVISORS = {
    "営業本部長": {
        "email": "sales-head@sample-seisakusho.example",
        "name": "山田 太郎",
        "title": "営業本部長",
        "scope": ["営業本部"],
    },
    "開発HRBP": {
        "email": "dev-hrbp@sample-seisakusho.example",
        "name": "佐々木 恵",
        "scope": ["開発本部/製品開発部", "開発本部/品質保証部"],
    },
}


def with_advisors(ws: Workspace) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = ADVISORS
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def xlsx_text(path: Path) -> str:
    """Every part of the workbook (sheets, shared strings, charts, defined names) as text."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


def test_full_report_sheets_charts_and_suppression(sample_run: RunSample) -> None:
    target = sample_run(*REPORT_90D).out / "r.xlsx"
    book = load_workbook(target)
    assert book.sheetnames[0] == "概要"
    # 経営企画室 (3 people) is merged with the smallest sibling, not hidden.
    assert {
        "営業本部・経営企画室",
        "開発本部",
        "製造本部",
        "管理本部",
        "マーケティング本部",
    } <= set(book.sheetnames)
    overview = book["概要"]
    # Frozen above the first table's headers: the tables below have their own.
    assert overview["A4"].value == "事業部" and overview.freeze_panes == "B4"
    values = [row[0].value for row in overview.iter_rows(min_row=5, max_row=11)]
    assert values[0] == "全社"
    rows = {label(r[0].value): r for r in overview.iter_rows(min_row=5, max_row=10)}
    merged = rows["営業本部・経営企画室"]
    assert merged[1].value == 46 + 3  # 経営企画室's 3 people counted inside the merged row
    # No 事業部 row is hidden in the overview: 管理本部 (49 people) shows every figure.
    assert not any(isinstance(c.value, str) for c in rows["管理本部"][1:6])
    notes = [r[0] for r in overview.iter_rows(min_row=11, max_row=30, values_only=True)]
    assert any(n and "経営企画室は5人未満" in n for n in notes)
    with zipfile.ZipFile(target) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 3  # implementation rate, monthly trend, topic mix
    sales = book["開発本部"]
    assert sales["A4"].value == "部署"
    assert sales.conditional_formatting  # the topic×対応 table is coloured
    assert overview.page_setup.orientation == "landscape" and overview.page_setup.paperSize == 9
    # One page wide, as long as it needs: never shrunk to one page below a readable size.
    assert overview.page_setup.fitToHeight == 0 and overview.page_setup.fitToWidth == 1
    assert overview.sheet_properties.pageSetUpPr.fitToPage
    assert overview.print_title_rows == "$1:$2" and overview.print_title_cols == "$A:$A"
    assert "&P" in overview.oddFooter.right.text and overview.oddHeader.right.text == "共有可"
    # Below the 部署, the division's own overview row as its total, set apart in bold.
    names = [r[0] for r in sales.iter_rows(min_row=5, max_col=1, values_only=True)]
    total = 5 + names.index("事業部計")
    assert names[: total - 5] and all(names[: total - 5])
    overview_row = next(r for r in overview.iter_rows(min_row=5) if r[0].value == "開発本部")
    assert sales.cell(row=total, column=2).value == overview_row[1].value
    assert sales.cell(row=total, column=1).font.b and overview["A5"].font.b
    assert overview.print_area  # reaches below the last chart


def test_sensitive_topic_cells_need_ten_people(sample_run: RunSample) -> None:
    run = sample_run(*NOVEMBER_REPORT)
    target = run.out / "r.xlsx"
    tables = load_tables(latest_snapshot(run.ws))  # type: ignore[arg-type]
    held = tables.meetings[
        (tables.meetings["status"] == "held")
        & (tables.meetings["held_at"] >= pd.Timestamp("2026-11-01"))
        & (tables.meetings["topic"] == "心身の状態")
    ]
    members = held.merge(tables.users, left_on=held["member_id"].astype(str), right_on="user_id")
    people = members.groupby("division")["user_id"].nunique()
    book = load_workbook(target)
    checked = 0
    for division, count in people.items():
        if division not in book.sheetnames:
            continue
        sheet = book[division]
        cells = [
            row[1].value
            for row in sheet.iter_rows()
            if row[0].value == "心身の状態" and row[1].value is not None
        ]
        topic_count = cells[0]  # the topic mix (the matrix rows hold averages by 対応)
        if count < 10:
            assert topic_count == "<10", (
                f"{division}: 心身の状態 from {count} people must be hidden"
            )
            checked += 1
        else:
            assert topic_count in ("(秘匿)",) or isinstance(topic_count, int)
    assert checked > 0  # the sample has small groups on this topic


def test_advisor_report_holds_only_the_scope(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    users = load_tables(latest_snapshot(sample_copy)).users  # type: ignore[arg-type]
    for advisor, config in ADVISORS.items():
        target = tmp_path / f"{advisor}.xlsx"
        cli("report", "divisions", "--advisor", advisor, "--out", str(target))
        text = xlsx_text(target)
        scope = config["scope"]
        in_scope = pd.Series(
            [
                any(d == e.split("/")[0] and ("/" not in e or p == e.split("/")[1]) for e in scope)
                for d, p in zip(users["division"], users["department"], strict=True)
            ],
            index=users.index,
        )
        outside = users[~in_scope]
        for division in set(outside["division"]) - set(users[in_scope]["division"]):
            assert division not in text, f"{advisor}: out-of-scope 事業部 {division} in the file"
        for department in set(outside["department"]) - set(users[in_scope]["department"]):
            assert department not in text, f"{advisor}: out-of-scope 部署 {department} in the file"
        for user_id in users["user_id"]:
            assert f">{user_id}<" not in text  # no person's id at all
        assert "全社" not in text
        book = load_workbook(target)
        assert all(sheet.sheet_state == "visible" for sheet in book.worksheets)
    unknown = cli("report", "divisions", "--advisor", "nobody", ok=False)
    assert "no advisor 'nobody'" in unknown.stderr


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def test_advisor_scope_lists_and_audit(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    cli("report", "advisors", "--out", str(tmp_path / "scopes"))
    files = sorted((tmp_path / "scopes").glob("*.csv"))
    assert len(files) == 2
    scope_keys = ["user_id", "name", "email", "division", "department", "role"]
    rows = csv_records(files[0].read_bytes(), scope_keys)
    assert rows and {r["role"] for r in rows} <= {"上司", "部下", "両方", "なし"}
    hrbp = next(f for f in files if "HRBP" in f.name)
    depts = {r["department"] for r in csv_records(hrbp.read_bytes(), scope_keys)}
    assert depts == {"製品開発部", "品質保証部"}
    # Everyone in the scope, as many as the advisor's report counts (人数): those in no
    # pair yet too (なし), the ones an advisor most has to follow up. Recounted from the
    # users export: in the scope's 事業部/部署 and not 退職.
    users = read(SAMPLE / "2026-11" / "users.csv")
    here = users[users["在籍状況"].fillna("") != "退職"]
    sales_file = next(f for f in files if "営業本部長" in f.name)
    sales = {r["user_id"] for r in csv_records(sales_file.read_bytes(), scope_keys)}
    expected = {nfkc(u).strip() for u in here.loc[here["事業部"] == "営業本部", "ユーザーID"]}
    assert sales == expected
    headcount = next(
        c["value"]
        for c in json.loads(
            cli("report", "divisions", "--advisor", "営業本部長", "--format", "json").stdout
        )
        if c["table"] == "overview" and c["metric"] == "headcount" and c["division"] == "営業本部"
    )
    assert headcount == len(sales)
    no_pair = [r for r in csv_records(sales_file.read_bytes(), scope_keys) if r["role"] == "なし"]
    assert no_pair  # the sample's 営業本部 has people with no pair
    cli("report", "divisions", "--advisor", "営業本部長", "--format", "csv")
    log = list(csv.DictReader(io.StringIO(cli("audit", "--format", "csv").stdout)))
    assert log[0]["action"] == "report divisions" and log[0]["target"] == "営業本部長"
    assert log[0]["snapshot"] == "0002" and int(log[0]["count"]) > 0 and log[0]["os_user"]
    assert any(r["action"] == "report advisors" for r in log)
    # Who the output is for, and what privacy cost it, are in the log.
    assert '"audience": "shared"' in log[0]["detail"]
    assert '"hidden":' in log[0]["detail"] and '"people_merged":' in log[0]["detail"]


def test_all_advisors_mailed_with_attachments(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        data["mail"].update(
            transport="smtp",
            smtp={
                "host": "127.0.0.1",
                "port": server.port,
                "security": "none",
                "user": None,
                "timeout": 5,
            },
            rate_per_minute=60000,
        )
        sample_copy.config_path.write_text(
            yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
        )
        cli(
            "report",
            "divisions",
            "--all-advisors",
            "--out",
            str(tmp_path / "out"),
            "--mail",
            "--yes",
        )
        received = {r.rcpt_tos[0]: r.message for r in server.handler.received}
    assert set(received) == {c["email"] for c in ADVISORS.values()}
    message = received["sales-head@sample-seisakusho.example"]
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_filename().endswith(".xlsx")
    path = tmp_path / "got.xlsx"
    path.write_bytes(attachments[0].get_content())
    text = xlsx_text(path)
    assert "営業本部" in text and "開発本部" not in text and "管理本部" not in text
    assert str(message["To"]) == "山田 太郎 <sales-head@sample-seisakusho.example>"


def test_table_output_and_bad_period(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    rows = list(csv.DictReader(io.StringIO(cli("report", "divisions", "--format", "csv").stdout)))
    assert rows[0]["division"] == "" and rows[0]["metric"] == "headcount"  # the company first
    # Small groups merged, not hidden: every headcount shows; 心身の状態 still needs 10.
    assert not {r["shown"] for r in rows if r["metric"] == "headcount"} & {"<5", "(秘匿)"}
    assert "<10" in {r["shown"] for r in rows if r["topic"] == "心身の状態"}
    bad = cli("report", "divisions", "--period", "someday", ok=False)
    assert "is not a period" in bad.stderr


def test_the_terminal_shows_counts_as_the_workbook_does(
    sample_copy: Workspace, sample_run: RunSample
) -> None:
    """1,502 on the terminal, as the workbook (#,##0) and the ingest table (5,628) show a
    count: never 1502 beside them. Recounted from the JSON of the same report."""
    cli = Cli(sample_copy)
    figures = json_records(sample_run(*REPORT_90D).results[1])  # the 90 days as JSON
    shown = cli(
        "report", "divisions", "--period", "90d", env={"KOPS_LANG": "ja", "COLUMNS": "400"}
    ).stdout
    cells = {c.strip() for line in shown.splitlines() for c in line.split("│")}
    counts = [
        f
        for f in figures
        if f["table"] == "overview"
        and f["unit"] in ("people", "meetings")
        and str(f["shown"]).replace(",", "").isdigit()
    ]
    assert any(int(str(f["value"])) >= 1000 for f in counts)  # the company's 1on1s in 90 days
    for f in counts:
        n = int(str(f["value"]))
        assert f"{n:,}" == f["shown"] and f["shown"] in cells, f
        assert n < 1000 or str(n) not in cells, f


def json_records(result: object) -> list[dict[str, object]]:
    import json

    return list(json.loads(result.stdout))  # type: ignore[attr-defined]


def test_audit_lists_mail_runs_too(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    cli("mail", "send", "--segment", "no_recurrence", "--yes")
    cli("report", "divisions", "--format", "csv")
    table = cli("audit", env={"KOPS_LANG": "ja"}).stdout
    assert "メール書き出し（outbox・未送信）" in table and "事業部レポート" in table
    english = cli("audit").stdout
    assert "mail write" in english and "report divisions" in english and "事業部" not in english


def test_json_holds_every_figure_of_the_workbook_and_nothing_else(
    sample_run: RunSample,
) -> None:
    import json

    from kakeai_ops.outputs.report_xlsx import DEPARTMENT_COLUMNS, OVERVIEW_COLUMNS, with_basis

    department_metrics = [c for c, _, _ in DEPARTMENT_COLUMNS[1:]]
    run = sample_run(*REPORT_90D)  # the workbook, then the same report as JSON
    target, sample_copy = run.out / "r.xlsx", run.ws
    records = json.loads(run.result.stdout)
    assert set(records[0]) == {
        "table", "period", "division", "department", "metric", "unit",
        "topic", "response", "value", "shown", "additive", "division_label",
        "period_from", "period_to", "period_caption", "compared_from", "compared_to",
    }  # fmt: skip
    # The days each figure counts (「period」 alone, 「2026-11」, read as a whole month),
    # and, for a trend, the days it is compared with: the 90 ending on the data's last day
    # and the 90 before them; a month of the monthly table cut at that day.
    last = max(dt.date.fromisoformat(r["period_to"]) for r in records)
    first = last - dt.timedelta(days=89)
    for record in records:
        if record["table"] == "monthly":
            start = dt.date.fromisoformat(record["period"] + "-01")
            assert record["period_from"] == start.isoformat()
            assert record["period_to"] <= last.isoformat()
            end = dt.date.fromisoformat(record["period_to"])
            whole = (end + dt.timedelta(days=1)).day == 1
            assert record["period_caption"].endswith("月" if whole else f"（{last.day}日まで）")
            continue
        assert (record["period_from"], record["period_to"]) == (first.isoformat(), last.isoformat())
        compared = (record["compared_from"], record["compared_to"])
        before = (first - dt.timedelta(days=90), first - dt.timedelta(days=1))
        expected_days = tuple(d.isoformat() for d in before)
        assert compared == (expected_days if record["unit"] == "trend" else (None, None))
    labels = {"<5", "<10", "(秘匿)", "－"}
    for record in records:
        assert (record["value"] is None) == (record["shown"] in labels), record
        assert record["additive"] == (record["unit"] in ("people", "meetings"))
    by_key = {
        (r["table"], r["division"], r["department"], r["metric"], r["topic"], r["response"]): r
        for r in records
        if r["table"] != "monthly"
    }
    monthly = {(r["division"], r["period"]) for r in records if r["table"] == "monthly"}
    assert len(by_key) + len(monthly) == len(records)

    def expected(key: tuple) -> object:
        record = by_key.pop(key)
        return (
            record["shown"]
            if record["value"] is None or record["unit"] == "trend"
            else record["value"]
        )

    book = load_workbook(target)
    # The overview's two tables, read by their headers: every metric of every 事業部 once.
    labels = {label: key for key, label, _ in with_basis(OVERVIEW_COLUMNS, "直近90日")}
    shown = overview_records(book["概要"])
    for name, figures in shown.items():
        division = None if name == "全社" else name
        assert {labels[h] for h in figures} == {c for c, _, _ in OVERVIEW_COLUMNS[1:]}, name
        for header, value in figures.items():
            assert value == expected(("overview", division, None, labels[header], None, None))
    for division in [name for name in shown if name != "全社"]:
        if division not in book.sheetnames:
            break
        rows = list(book[division].iter_rows(min_row=5, values_only=True))
        for row in rows:
            if row[0] is None:
                break
            if row[0] == "事業部計":  # the overview's row again (checked by the report test)
                continue
            name = label(row[0])  # a name too wide for its column is on two lines
            for metric, value in zip(department_metrics, row[1:], strict=False):
                assert value == expected(("departments", division, name, metric, None, None))
        topics = rows[rows.index(next(r for r in rows if r[0] == "トピック")) + 1 :]
        # Every topic, then the table's 計.
        for row in topics[: len(sample_copy_topics(sample_copy)) + 1]:
            topic = label(row[0])
            assert row[1] == expected(("topics", division, None, "count", topic, None))
            assert row[2] == expected(("topics", division, None, "share", topic, None))
    # Every overview and 部署 record was a figure of the workbook, and the other way round.
    assert not [k for k in by_key if k[0] in ("overview", "departments")]
    divisions = {name for name in shown if name != "全社"}
    assert not [k for k in by_key if k[0] == "topics" and k[1] in divisions]


def sample_copy_topics(ws: Workspace) -> list[str]:
    from kakeai_ops.config import load_settings

    return list(load_settings(ws.config_path).exports.topics)


def test_json_for_an_advisor_holds_only_the_scope(sample_copy: Workspace) -> None:
    import json

    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    records = json.loads(
        cli("report", "divisions", "--advisor", "開発HRBP", "--format", "json").stdout
    )
    assert {r["division"] for r in records} <= {"開発本部", None}
    assert {r["department"] for r in records} <= {"製品開発部", "品質保証部", None}
    assert not any(r["division"] is None and r["table"] == "overview" for r in records)


def test_an_out_file_in_a_missing_folder_is_a_clear_error_and_writes_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """Every writer goes through outputs.atomic: a folder that is not there is the user's
    mistake, said as one (not an internal error), and nothing is recorded as published."""
    from conftest import tree_digest

    cli = Cli(sample_copy)
    missing = tmp_path / "no-such-folder"
    before = tree_digest(sample_copy.root)
    for args in (
        ("report", "divisions", "--out", str(missing / "report.xlsx")),
        ("review", "--out", str(missing / "review.pptx")),
    ):
        result = cli(*args, ok=False)
        assert result.exit_code != 0
        assert "no such directory" in result.stderr and "Internal error" not in result.stderr
    assert not missing.exists()
    assert tree_digest(sample_copy.root) == before


def test_the_company_and_a_partial_advisor_never_subtract_to_a_small_group(
    sample_copy: Workspace,
) -> None:
    """The company's 開発本部 less 開発HRBP's 製品開発部・品質保証部 is 基盤技術部's: a topic
    count shown in both reports gives 基盤技術部's, so it is shown in both only where
    基盤技術部's own would be (its members who took the topic at least min_group, 10 for
    心身の状態). Recounted from the sample's exports, not from the reports."""
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    company = json.loads(cli("report", "divisions", "--format", "json").stdout)
    hrbp = json.loads(
        cli("report", "divisions", "--advisor", "開発HRBP", "--format", "json").stdout
    )
    (period,) = {c["period"] for c in company if c["table"] == "topics"}
    start, end = (pd.Timestamp(d) for d in period.split("〜"))
    sample = sample_recount.load()
    users = sample.users.set_index("user_id")
    held = sample.held[sample.held["held_at"].between(start, end + pd.Timedelta(days=1))]
    held = held[held["member_id"].map(users["department"]) == "基盤技術部"]
    members = held.groupby("topic")["member_id"].nunique()

    def shown(cells: list[dict[str, Any]]) -> dict[str, int]:
        return {
            c["topic"]: c["value"]
            for c in cells
            if c["table"] == "topics"
            and c["division"] == "開発本部"
            and c["metric"] == "count"
            and c["value"] is not None
        }

    # The tables' 計: the members with any topic.
    members["計"] = held.loc[held["topic"].notna(), "member_id"].nunique()
    both = shown(company).keys() & shown(hrbp).keys()
    assert both  # most topics are shown in both
    for topic in both:
        minimum = 10 if topic == "心身の状態" else 5
        assert int(members.get(topic, 0)) >= minimum, topic
    small = [t for t, n in members.items() if n < (10 if t == "心身の状態" else 5)]
    assert small  # the sample has such a topic (プライベート: 4 members)


def _report_and_recount(ws: Workspace, table: str) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """The company report's figures (JSON), and the sample's held 1on1s of ``table``'s
    period, each with its member's 事業部, recounted from the exports."""
    company = json.loads(Cli(ws)("report", "divisions", "--format", "json").stdout)
    (period,) = {c["period"] for c in company if c["table"] == table}
    start, end = (pd.Timestamp(d) for d in period.split("〜"))
    sample = sample_recount.load()
    users = sample.users.set_index("user_id")
    held = sample.held[sample.held["held_at"].between(start, end + pd.Timedelta(days=1))]
    return company, held.assign(division=held["member_id"].map(users["division"]))


def test_a_hidden_topic_is_never_the_response_tables_sum_less_the_topics_shown(
    sample_copy: Workspace,
) -> None:
    """In the sample, as in KAKEAI, every 1on1 with a topic has a 対応: a 事業部's 対応 rows
    add up to its 1on1s with a topic. マーケティング本部's 心身の状態 was the only hidden topic
    of its table, so it was that sum less the topics shown (283 − 273 = 10). Each table now
    shows its 計, recounted here from the exports, and no hidden topic stands alone in a
    table whose sum is known."""
    company, held = _report_and_recount(sample_copy, "topics")

    def counts(table: str, division: str) -> dict[str, int | None]:
        return {
            c["topic"] if table == "topics" else c["response"]: c["value"]
            for c in company
            if c["table"] == table and c["division"] == division and c["metric"] == "count"
        }

    checked = 0
    for division in sorted({c["division"] for c in company if c["table"] == "topics"} - {None}):
        mine = held[held["division"].isin(division.split("・"))]
        with_topic = int(mine["topic"].notna().sum())
        # The attack's premise, from the exports: the 対応 rows add up to the topics' 計.
        assert with_topic == int(mine["response"].notna().sum()) > 0, division
        topics, responses = counts("topics", division), counts("responses", division)
        assert topics.pop("計") == with_topic == responses.pop("計"), division
        hidden = [t for t, value in topics.items() if value is None]
        assert len(hidden) != 1, (division, hidden)
        if all(v is not None for v in responses.values()):
            # Nor can the 対応 rows give one hidden topic: 計 less the rest is two or more.
            assert sum(responses.values()) == with_topic
        checked += bool(hidden)
    assert checked  # the sample hides some topic of some 事業部


def test_a_shown_cell_of_the_managers_grid_rests_on_five_managers(
    sample_copy: Workspace,
) -> None:
    """The topic × 対応 grid reads as 「上司の方の得意・不得意」: a cell of five members and
    three managers was nearly those three managers' own evaluation. A cell is shown only
    where both its members and its managers reach min_group, recounted from the exports."""
    company, held = _report_and_recount(sample_copy, "topic_response")
    held = held[held["topic"].notna() & held["response"].notna() & held["sukkiri"].notna()]
    shown = few_managers = 0
    for cell in (c for c in company if c["table"] == "topic_response"):
        mine = held[
            held["division"].isin(str(cell["division"]).split("・"))
            & (held["topic"] == cell["topic"])
            & (held["response"] == cell["response"])
        ]
        members, managers = mine["member_id"].nunique(), mine["manager_id"].nunique()
        minimum = 10 if cell["topic"] == "心身の状態" else 5
        if cell["value"] is not None:
            shown += 1
            assert members >= minimum and managers >= minimum, (cell, members, managers)
        elif members >= minimum > managers:
            few_managers += 1
    assert shown and few_managers  # some cells are hidden for their managers alone


def test_a_shared_report_on_the_screen_says_it_was_recorded_as_published(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A quarter looked at on the screen is recorded as published, and later reports of
    days it shares are audited with it: said where it is shown, with how to only look."""
    cli = Cli(sample_copy)
    said = "Recorded as published: reports of days this period shares are audited"
    shown = cli("report", "divisions", "--period", "quarter:2026Q4")
    assert said in " ".join(shown.stderr.split())
    looked = cli("report", "divisions", "--period", "quarter:2026Q4", "--audience", "secretariat")
    assert said not in " ".join(looked.stderr.split())
    written = cli("report", "divisions", "--out", str(tmp_path / "r.xlsx"))
    assert said not in " ".join(written.stderr.split())
    from kakeai_ops.store.audit_log import audit_entries

    entries = audit_entries(sample_copy, 10)
    reports = entries[entries["action"] == "report divisions"]
    assert sorted(reports["audience"].astype(str)) == ["secretariat", "shared", "shared"]


def test_the_screen_says_what_its_trends_compare_with(sample_copy: Workspace) -> None:
    """The table on the screen named the period and not the days its 推移 compare with:
    a month's +9pt beside the deck's +7pt for the same 30 days read as two 「前回」."""
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--period", "month:2026-11"]
    ja = " ".join(cli(*args, env={"KOPS_LANG": "ja", "COLUMNS": "250"}).stdout.split())
    assert "（全社、2026年11月（20日まで）。推移は前期間2026年10月（20日まで）との差）" in ja
    en = " ".join(cli(*args, env={"COLUMNS": "250"}).stdout.split())
    assert "; trends against 2026-10-01 – 2026-10-20" in en
