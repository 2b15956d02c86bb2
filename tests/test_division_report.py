"""The reports of a publication set, made together, hold the figures each report has when
made on its own; what the command records and says it wrote counts the rows the
workbook has."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, copied
from kakeai_ops.analyses import divisions as division_figures
from kakeai_ops.config import Settings, load_settings
from kakeai_ops.jobs.division_report import DivisionReport, build_publication, build_report
from kakeai_ops.model import Tables
from kakeai_ops.store import load_tables, resolve_snapshot
from kakeai_ops.workspace import Workspace
from test_report import with_advisors

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def sample(
    sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Tables, Settings]:
    ws = copied(sample_ws, tmp_path_factory.mktemp("division-report") / "ws")
    with_advisors(ws)
    snap = resolve_snapshot(ws, None)
    return load_tables(snap, columns=division_figures.NEEDED_COLUMNS), load_settings(ws.config_path)


def _figures(report: DivisionReport) -> list[tuple[Any, ...]]:
    """What each cell counts, before privacy decides what it shows."""
    return [
        (c.table, c.period, c.division, c.department, c.metric, c.topic, c.response, c.raw, c.size)
        for c in report.cells
    ]


@pytest.mark.parametrize("period", ["30d", "90d", "month:2026-10", "month:2026-11"])
def test_each_report_of_the_set_counts_what_it_counts_alone(
    sample: tuple[Tables, Settings], period: str
) -> None:
    # The set reads each scope's 1on1s once, from the first day any of its periods looks
    # at (a month's quarter, the 90 days before 90 days): no period may lose a day.
    tables, settings = sample
    publication = build_publication(tables, settings, AS_OF, period)
    assert publication.companies >= 2
    company = build_report(tables, settings, AS_OF, period)
    assert _figures(publication.company) == _figures(company)
    for name, report in publication.advisors.items():
        alone = build_report(
            tables,
            settings,
            AS_OF,
            period,
            report_scope(tables, settings, name),
            report.scope_label,
        )
        assert _figures(report) == _figures(alone)


def test_a_figure_hidden_as_hidden_protects_small_ones_and_is_not_small_itself(
    sample: tuple[Tables, Settings],
) -> None:
    """The legend says (秘匿) hides a figure so that small ones cannot be worked out, and
    is not a small one itself: one may be worked out from other reports (a quarter less
    its other month), and the reader who does so has learnt nothing of a small group."""
    from kakeai_ops import glossary
    from kakeai_ops.privacy.cells import PRIMARY, SECONDARY

    tables, settings = sample
    publication = build_publication(tables, settings, AS_OF, "month:2026-11")  # and its quarter
    secondary = [c for r in publication.family for c in r.cells if c.state == SECONDARY]
    primary = [c for r in publication.family for c in r.cells if c.state == PRIMARY]
    assert secondary and primary  # the sample's set hides both kinds
    assert all(c.size >= c.threshold for c in secondary)
    assert all(c.size < c.threshold for c in primary)
    assert "これ自体は少人数の値ではありません" in glossary.hidden_legend()


def test_json_labels_a_part_of_a_division_as_its_part(sample: tuple[Tables, Settings]) -> None:
    """In an advisor's report whose scope is two 部署 of 開発本部, division 開発本部 with no
    department is those two 部署 (31 people), not the whole 事業部 (50) it is in the
    company's: ``division_label`` says which, as the workbook's row does."""
    from test_report import ADVISORS

    tables, settings = sample
    publication = build_publication(tables, settings, AS_OF, "90d")
    parts = [unit.split("/") for unit in ADVISORS["開発HRBP"]["scope"]]
    division = parts[0][0]
    wanted = f"{division}（{'・'.join(department for _, department in parts)}）"
    hrbp = publication.advisors["開発HRBP"].records()
    assert {r["division_label"] for r in hrbp if r["division"] is not None} == {wanted}
    # The rows of no division are her whole scope there, the company in the company's.
    assert {r["division_label"] for r in hrbp if r["division"] is None} == {wanted}
    company = publication.company.records()
    assert {r["division_label"] for r in company if r["division"] is None} == {"全社"}
    whole = [r for r in company if r["division"] == division]
    assert whole and {r["division_label"] for r in whole} == {division}
    heads = {
        r["division_label"]: r["value"]
        for r in (*hrbp, *whole)
        if r["table"] == "overview" and r["metric"] == "headcount" and r["department"] is None
    }
    in_scope = tables.users[tables.users["department"].isin([d for _, d in parts])]
    assert heads[wanted] == int((in_scope["employment_status"] != "retired").sum())
    assert heads[division] > heads[wanted]


def report_scope(tables: Tables, settings: Settings, name: str) -> Any:
    from kakeai_ops.analyses.advisor_scopes import resolve_scope

    return resolve_scope(tables.users, name, settings.advisors[name])


def test_rows_are_the_rows_of_the_overview_and_department_tables(
    sample: tuple[Tables, Settings],
) -> None:
    tables, settings = sample
    publication = build_publication(tables, settings, AS_OF, "90d")
    for report in publication.family:
        departments = report.departments
        tables_rows = len(report.overview) + sum(len(departments[d]) for d in report.divisions)
        assert report.rows() == tables_rows > 0


def test_the_workbooks_rows_are_the_views_records(sample: tuple[Tables, Settings]) -> None:
    # The workbook reads each 事業部's 部署, topics and 対応 as records, without the frames:
    # the same keys, values and types as the frames' records.
    tables, settings = sample
    publication = build_publication(tables, settings, AS_OF, "90d")
    for report in publication.family:
        views = [
            (report.departments, report.department_rows()),
            (report.topics, report.mix_rows("topics")),
            (report.responses, report.mix_rows("responses")),
        ]
        for frames, rows in views:
            for division in report.divisions:
                expected = frames[division].to_dict("records")
                assert rows[division] == expected
                assert [[type(v) for v in r.values()] for r in rows[division]] == [
                    [type(v) for v in r.values()] for r in expected
                ]


def test_an_advisor_added_after_publishing_is_named_when_refused(
    sample_ws: Workspace, tmp_path: Path
) -> None:
    """The company report merges 経営企画室 (3 people) into a 事業部; an advisor of that
    事業部 added afterwards would undo that merge. The refusal names the advisor and what to do,
    nothing is written, and without the advisor the same report is made again."""
    import yaml

    from conftest import Cli, tree_digest

    ws = copied(sample_ws, tmp_path / "ws")
    with_advisors(ws)  # 営業本部長 and 開発HRBP, as the demo month has them
    cli = Cli(ws)
    company = cli("report", "divisions", "--format", "csv").stdout
    [merged] = {d for d in re.findall(r",([^,]*・経営企画室),", company)}  # the merge published
    host = merged.removesuffix("・経営企画室")
    before = ws.config_path.read_text(encoding="utf-8")
    data = yaml.load(before, Loader=yaml.CSafeLoader)
    data.setdefault("advisors", {})["後から"] = {
        "email": "later@example.jp",
        "name": "中村 一郎",
        "scope": [host],
    }
    ws.config_path.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    state = tree_digest(ws.root)
    refused = cli("report", "divisions", "--all-advisors", "--out", str(out), ok=False)
    assert refused.exit_code == 1
    assert "published earlier for this snapshot" in refused.stderr
    assert (
        "advisors in kops.yaml that were not there when this snapshot's reports were "
        "published: 「後から」; "
        "take them out of kops.yaml" in " ".join(refused.stderr.split())
    )
    # Until a period past the days published (the monthly chart's six months to the
    # data's day), not 「the next month」 of the month asked for.
    assert "shares no day with 2026年6月1日〜11月20日 (the month after" in " ".join(
        refused.stderr.split()
    )
    assert not out.exists() and tree_digest(ws.root) == state
    ws.config_path.write_text(before, encoding="utf-8")
    assert cli("report", "divisions", "--format", "csv").stdout == company


def test_days_before_the_first_1on1_are_not_compared_with_nor_drawn(tmp_path: Path) -> None:
    """November's export alone holds the 1on1s from 2026-10-01: October's report has no
    September to compare with (it read 「↑ +82pt」 against a 0% September), and its monthly
    table and chart hold no month before October (drawn as 0% before). Both are said."""
    import json

    import sample_recount
    from conftest import SAMPLE, Cli
    from kakeai_ops.jobs.workspace_init import init_workspace

    meetings = sample_recount.read(SAMPLE / "2026-11" / "meetings.xlsx")
    held = sample_recount.times(meetings.loc[meetings["ステータス"] == "実施済", "実施日時"])
    first = held.min().date()
    assert first == dt.date(2026, 10, 1)  # September has no 1on1 in this export
    ws = init_workspace(tmp_path / "ws")
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    records = json.loads(
        cli("report", "divisions", "--period", "month:2026-10", "--format", "json").stdout
    )
    trends = [r for r in records if r["table"] == "overview" and r["metric"].endswith("_trend")]
    assert trends and {r["shown"] for r in trends} == {"－"}
    months = {r["period"] for r in records if r["table"] == "monthly"}
    assert months == {"2026-10", "2026-11"}
    said = cli("report", "divisions", "--period", "month:2026-10", env={"KOPS_LANG": "ja"})
    text = " ".join(said.stdout.split()) + " ".join(said.stderr.split())
    assert f"前期間（2026年9月）は1on1のデータ（{first}から）より前のため" in text
    assert f"2026年6月〜2026年9月は1on1のデータ（{first}から）より前のため" in text


def test_an_advisor_is_new_to_the_last_publication_before_any_of_this_snapshot(
    sample_copy: Workspace,
) -> None:
    """A month's export just ingested (no report of its snapshot yet): the advisors new
    are those the last published set did not have."""
    from conftest import Cli
    from kakeai_ops.config import Advisor
    from kakeai_ops.jobs.division_report import advisors_added_since

    with_advisors(sample_copy)
    Cli(sample_copy)("report", "divisions", "--format", "csv")
    settings = load_settings(sample_copy.config_path)
    later = settings.model_copy(
        update={
            "advisors": dict(settings.advisors)
            | {"後から": Advisor(email="l@example.jp", scope=["管理本部"])}
        }
    )
    assert advisors_added_since(sample_copy, "0002", later) == ["後から"]
    assert advisors_added_since(sample_copy, "0003", later) == ["後から"]  # not yet written
    assert advisors_added_since(sample_copy, "0003", settings) == []


def test_an_advisor_whose_overview_is_all_hidden_is_told_why_and_not_its_size(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The company report published 「第一工場・その他の部署（1部署）」 (第一工場 and 製造本部's
    one person of no 部署); an advisor of 第一工場 added later gets every figure of their
    overview as (秘匿), or the one person's would come out by subtraction. The file said
    nothing of why, and its privacy line read 「行ごと非表示 2行（17人）」: the headcount
    it hides. It now says why under the table, never the size; the terminal warns."""
    import yaml
    from openpyxl import load_workbook

    from conftest import Cli
    from kakeai_ops.jobs.division_report import HEADLINE_HIDDEN
    from sample_recount import load

    cli = Cli(sample_copy)
    cli("report", "divisions", "--out", str(tmp_path / "company.xlsx"))
    data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
    data["advisors"] = {"第一工場長": {"email": "f1@example.jp", "scope": ["製造本部/第一工場"]}}
    sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "f1.xlsx"
    result = cli("report", "divisions", "--advisor", "第一工場長", "--out", str(target))
    sheet = load_workbook(target)["概要"]
    # A long note is broken into lines to fit its cell: read as one.
    texts = [
        str(v).replace("\n", "") for row in sheet.iter_rows(values_only=True) for v in row if v
    ]
    [row] = [r for r in sheet.iter_rows(values_only=True) if str(r[0]).startswith("製造本部")][:1]
    assert row[1] == "(秘匿)"  # 人数
    users = load().users
    size = int(((users["division"] == "製造本部") & (users["department"] == "第一工場")).sum())
    assert size >= 5  # the sample's 第一工場 is not small: what is hidden protects another
    assert not [t for t in texts if f"{size}人" in t]  # its size is nowhere in the file
    assert HEADLINE_HIDDEN[True] in texts  # why, as a note under the tables
    assert "every figure of the overview is hidden (the file says why" in result.stderr
    # The company's own file never names the people of hidden or merged rows either.
    company = load_workbook(tmp_path / "company.xlsx")["概要"]
    loss = [
        str(v) for r in company.iter_rows(values_only=True) for v in r if "非表示にした値" in str(v)
    ]
    assert loss and not [t for t in loss if "人" in t.split("非表示にした値")[1]]


def test_an_advisor_whose_figures_are_hidden_for_people_outside_the_scope_is_warned(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A 部長 of the three 部署 of 管理本部: the 事業部's other people (2 of no 部署, and
    経営企画室's 3 merged into its row) are too few, and the company report shows the
    事業部 whole; most of the advisor's figures are hidden so that theirs cannot come out
    by subtraction. The report went out nearly empty with no word on the screen; the
    terminal now says so, and how many."""
    import yaml
    from openpyxl import load_workbook

    from conftest import Cli
    from sample_recount import load

    users = load().users
    admin = users[users["division"] == "管理本部"]
    scope = sorted(d for d in admin["department"].unique() if d != "(未設定)")
    rest = int(
        (admin["department"] == "(未設定)").sum() + (users["division"] == "経営企画室").sum()
    )
    assert len(scope) == 3 and 0 < rest <= 5  # the rest is small, the scope is not
    data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
    data["advisors"] = {
        "管理三部長": {"email": "m3@example.jp", "scope": [f"管理本部/{d}" for d in scope]},
        "営業本部長": {"email": "s@example.jp", "scope": ["営業本部"]},
    }
    sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "adv"
    result = Cli(sample_copy)("report", "divisions", "--all-advisors", "--out", str(out))
    said = " ".join(result.stderr.split())
    [line] = [t for t in said.split("Warning: ") if t.startswith("advisor 管理三部長:")]
    hidden, figures, others = map(
        int, re.findall(r"(\d+) of its (\d+) figures are hidden, (\d+)", line)[0]
    )
    assert "cannot be worked out from the company report" in line
    assert "advisor 営業本部長:" not in said  # a whole 事業部: nothing hidden for others
    # The counts are the file's: its own line of what privacy cost says the same.
    [book] = out.glob("*管理三部長*.xlsx")
    rows = list(load_workbook(book)["概要"].iter_rows(values_only=True))
    assert [v for r in rows for v in r if f"非表示にした値 {hidden} / {figures}" in str(v)]
    assert 0 < others <= hidden
    # Its headcount shows (the scope is large); its members' 1on1 rate is a complement.
    [row] = [r for r in rows if str(r[0]).startswith("管理本部")][:1]
    assert isinstance(row[1], int) and row[1] >= 5 and row[5] == "(秘匿)"


def test_an_advisor_of_a_scope_under_the_minimum_is_told_it_is_small(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An advisor of 経営企画室 (3 people): the note under the overview said its figures
    were hidden 「差し引きで分からないよう」; they are hidden for being few. With --format
    json the warning pointed to a file's table that was not written."""
    import json

    import yaml
    from openpyxl import load_workbook

    from conftest import Cli
    from kakeai_ops.jobs.division_report import SCOPE_SMALL
    from sample_recount import load

    users = load().users
    assert int((users["division"] == "経営企画室").sum()) < 5
    data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
    data["advisors"] = {"企画": {"email": "k@example.jp", "scope": ["経営企画室"]}}
    sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--advisor", "企画", "--audience", "secretariat"]
    target = tmp_path / "k.xlsx"
    written = cli(*args, "--out", str(target))
    texts = [
        str(v).replace("\n", "")
        for row in load_workbook(target)["概要"].iter_rows(values_only=True)
        for v in row
        if v
    ]
    assert SCOPE_SMALL in texts and not [
        t for t in texts if "差し引きで分からないよう、すべて" in t
    ]
    assert "every figure of the overview is hidden (the file says why" in written.stderr
    shown = cli(*args, "--format", "json")
    assert json.loads(shown.stdout)
    assert "every figure of the overview is hidden" in shown.stderr
    assert "the file says why" not in shown.stderr


def test_a_minimum_the_advisors_scopes_are_under_is_refused_naming_them(
    sample_ws: Workspace, tmp_path: Path
) -> None:
    """At privacy.min_group 50 the company report merges 開発本部 with 営業本部 and hides the
    merge as 「(秘匿)」 (at least 50), while 営業本部長's report shows 営業本部 as 「<50」: the
    two labels alone say the rest of the merge is not empty, whatever else is hidden. The
    refusal says so and names the advisors whose scope is under the minimum (counted here
    from the exports), not a fault of kops; nothing is written; without those advisors
    the company report is made."""
    import yaml

    import sample_recount
    from conftest import Cli, tree_digest

    ws = copied(sample_ws, tmp_path / "ws")
    with_advisors(ws)
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["privacy"] = {**data.get("privacy", {}), "min_group": 50, "min_group_sensitive": 50}
    ws.config_path.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    users = sample_recount.load().users
    scopes = {
        "営業本部長": users["division"] == "営業本部",
        "開発HRBP": users["department"].isin(["製品開発部", "品質保証部"])
        & (users["division"] == "開発本部"),
    }
    small = [name for name, people in scopes.items() if 0 < int(people.sum()) < 50]
    assert small == ["営業本部長", "開発HRBP"]
    cli = Cli(ws)
    out = tmp_path / "out"
    state = tree_digest(ws.root)
    refused = cli("report", "divisions", "--all-advisors", "--out", str(out), ok=False)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1
    assert "at privacy.min_group 50" in said and "whatever else is hidden" in said
    assert "advisors whose scope has fewer people than that: 「営業本部長」、「開発HRBP」" in said
    assert "bug" not in said
    assert not out.exists() and tree_digest(ws.root) == state
    data["advisors"] = {}
    ws.config_path.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    made = cli("report", "divisions", "--out", str(tmp_path / "company.xlsx"))
    assert made.exit_code == 0 and (tmp_path / "company.xlsx").exists()


def test_an_advisors_report_no_hiding_protects_is_refused_naming_them(
    sample_ws: Workspace, tmp_path: Path
) -> None:
    """At privacy.min_group 18 開発HRBP's own report shows 開発本部 as 「(秘匿)」 (18 or more)
    beside 製品開発部 「<18」: 品質保証部 has someone, whatever else is hidden. Refused in
    the reader's words, naming the advisor and what to change, nothing written; not 「kops
    の秘匿処理の不具合です」 with an English cell description."""
    import yaml

    from conftest import Cli, tree_digest

    ws = copied(sample_ws, tmp_path / "ws")
    with_advisors(ws)
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["privacy"] = {**data.get("privacy", {}), "min_group": 18, "min_group_sensitive": 18}
    ws.config_path.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    state = tree_digest(ws.root)
    out = tmp_path / "out"
    refused = Cli(ws)("report", "divisions", "--all-advisors", "--out", str(out), ok=False)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1
    assert "the report of advisor 「開発HRBP」 can't be made at privacy.min_group 18" in said
    assert "bug" not in said and "cell(s)" not in said
    assert not out.exists() and tree_digest(ws.root) == state


def test_a_table_mostly_hidden_to_protect_others_says_so(sample_copy: Workspace) -> None:
    """製造本部's 11月 topics showed one count of nine, six of them (秘匿) for a
    心身の状態 <10 elsewhere, with only the legend to say why: a line on its sheet (and the
    terminal) says it, where (and only where) a table hides half its counts or more."""
    import json

    cli = Cli(sample_copy)
    args = ["report", "divisions", "--period", "month:2026-11"]
    records = json.loads(cli(*args, "--format", "json").stdout)
    said = " ".join(cli(*args, env={"KOPS_LANG": "ja"}).stderr.split())
    expected = 0
    for division in {r["division"] for r in records if r["division"]}:
        for table, word in (("topics", "トピック"), ("responses", "対応")):
            counts = [
                r
                for r in records
                if r["table"] == table
                and r["division"] == division
                and r["department"] is None
                and r["metric"] == "count"
            ]
            hidden = sum(r["shown"] == "(秘匿)" for r in counts)
            line = f"{division}：{word}の表は {len(counts)} 個の件数のうち {hidden} 個を「(秘匿)」"
            wanted = hidden >= 3 and hidden * 2 >= len(counts)
            assert (line in said) == wanted, (division, table, hidden, len(counts))
            expected += wanted
    assert expected  # the sample has such a table


def test_an_audit_out_of_time_writes_and_records_nothing_and_says_so(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A programme HiGHS has not solved in time leaves what the report would give away
    unknown: nothing is written or recorded as published (not a report unchecked, nor a
    command that never ends), in the reader's language."""
    from conftest import Cli, tree_digest
    from kakeai_ops.privacy import highs, lp
    from kakeai_ops.privacy.outcomes import OUTCOMES

    with_advisors(sample_copy)  # scopes of a few people: programmes to solve
    before = tree_digest(sample_copy.root)
    # What this process decided and solved for the sample before: solved again.
    OUTCOMES.forget()
    monkeypatch.setattr(lp, "_solved", {})
    monkeypatch.setattr(highs, "SOLVE_SECONDS", 0.0)
    said = Cli(sample_copy)("report", "divisions", env={"KOPS_LANG": "ja"}, ok=False)
    assert said.exit_code == 1
    text = " ".join(said.stderr.split())
    assert "0 秒を超えても" in text and "何も書き出していません" in text, text
    assert "Traceback" not in said.stdout + said.stderr
    after = tree_digest(sample_copy.root)
    assert {name for name in after if after[name] != before.get(name)} <= {"kops.log"}
