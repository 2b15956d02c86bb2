"""The division report's workbook read as a division head reads it: what each table's
share is a share of, recounted from the sample exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

import sample_recount as recount
from conftest import REPORT_90D, RunSample
from kakeai_ops import glossary
from kakeai_ops.workspace import Workspace


def _table_after(
    rows: list[tuple[Any, ...]], title: str
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The rows of the table under ``title`` (its header aside) and the notes below it."""
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 2
    end = next((i for i in range(start, len(rows)) if rows[i][1] is None), len(rows))
    notes = [str(r[0]) for r in rows[end : end + 3] if r[0] is not None and r[1] is None]
    return rows[start:end], notes


def test_a_mix_says_what_its_shares_are_shares_of(sample_run: RunSample) -> None:
    """トピックの内訳: 業務の進捗や進め方 380 is 29% of the 1on1s with a topic, not of the
    1,502 held (25%); a note under the table says so, without the count of those without
    (with it, a hidden 心身の状態 would follow by subtraction)."""
    book = load_workbook(sample_run(*REPORT_90D).out / "r.xlsx")
    sample = recount.load()
    held = sample.since(90)
    held = held[held["member_id"].isin(set(sample.users["user_id"]))]
    topics = held["topic"].dropna().value_counts()
    assert topics.sum() < len(held)  # some 1on1s have no topic: the two shares differ
    rows = list(book["概要"].iter_rows(values_only=True))
    table, notes = _table_after(rows, "トピックの内訳（対象範囲全体）")
    *rows_of_topics, (total, count, share) = (r[:3] for r in table)
    # The table's 計: the 1on1s with a topic, the shares' whole.
    assert (total, count, share) == ("計", topics.sum(), 1)
    for topic, count, share in rows_of_topics:
        assert count == topics[topic]
        assert abs(share - topics[topic] / topics.sum()) <= 0.005  # shown to the whole %
    assert any("トピックを選んだ1on1" in n and "割合" in n for n in notes), notes
    assert not any(str(len(held) - topics.sum()) in n for n in notes)
    # The shares as shown, whole percents, need not add to the 計's 100%: said beside them
    # (営業本部's 102% read as an error).
    assert any("足しても100%にならないことがあります" in n for n in notes), notes
    divisions = [n for n in book.sheetnames[1:-1] if n != glossary.DEFINITIONS_SHEET]
    for name in divisions:  # every 事業部's own mix says it too
        rows = list(book[name].iter_rows(values_only=True))
        for title, word in (("トピックの内訳", "トピック"), ("対応の内訳", "対応")):
            _table, notes = _table_after(rows, title)
            assert any(f"{word}を選んだ1on1" in n for n in notes), (name, title, notes)


def test_a_label_too_wide_for_its_column_breaks_where_a_reader_breaks_it(
    sample_run: RunSample,
) -> None:
    """Excel and LibreOffice break a wrapped Japanese label at any character: 「具体的な
    アドバイスがほ / しい」, 「管理本部・経営企画 / 室」. A label wider than its column is
    written on lines that end between words, after 「・」 in a merged name, and its row is
    as tall as its lines."""
    book = load_workbook(sample_run(*REPORT_90D).out / "r.xlsx")
    # The 対応 as the sample exports it, and where it may break.
    advice, pieces = "具体的なアドバイスがほしい", ("具体的な", "アドバイスが", "ほしい")
    broken = 0
    for sheet in book.worksheets[:-1]:  # the charts' values keep the names as they are
        usable = (sheet.column_dimensions["A"].width or 8.43) * 1.05
        for (target,) in sheet.iter_rows(min_row=5, min_col=1, max_col=1):
            text = target.value
            if not isinstance(text, str) or sheet.cell(row=target.row, column=2).value is None:
                continue
            if target.fill.fgColor.rgb in ("00305496", "FF305496"):
                continue  # a table's header (トピック＼対応): broken as headers are
            lines = text.split("\n")
            wide = sum(2 if ord(ch) > 0x2000 else 1 for ch in "".join(lines)) > usable
            assert (len(lines) > 1) == wide, (sheet.title, text)
            if len(lines) == 1:
                continue
            broken += 1
            assert target.alignment.wrap_text and sheet.row_dimensions[target.row].height >= (
                14 * len(lines)
            ), (sheet.title, text)
            if "".join(lines) == advice:
                assert all(line in pieces or line == "".join(pieces[1:]) for line in lines), lines
            if "・" in text:
                assert lines[0].endswith("・"), lines  # 管理本部・ / 経営企画室
            assert not any(line.startswith(("）", ")")) for line in lines), lines
    assert broken  # the sample has such labels: 具体的なアドバイスがほしい on every 事業部


def test_a_division_named_like_a_sheet_of_kops_does_not_take_its_name(tmp_path: Path) -> None:
    """A 事業部 named 「数値の定義」 (or 「概要」) gets 「…_2」: the 概要's pointer 「各数値の定義は
    「数値の定義」シートに」 still leads to the definitions."""
    import datetime as dt

    from factories import organisation
    from kakeai_ops.config import Settings
    from kakeai_ops.jobs.division_report import build_publication
    from kakeai_ops.outputs.report_xlsx import write_report

    shape = {
        "数値の定義": {"一課": 12, "二課": 11},
        "概要": {"三課": 13},
        "営業本部": {"営業部": 15},
    }
    report = build_publication(organisation(shape), Settings(), dt.date(2026, 11, 20), "30d")
    path = write_report(report.company, tmp_path / "r.xlsx")
    book = load_workbook(path)
    assert book.sheetnames[0] == "概要" and book.sheetnames[-1] == "グラフの値"
    assert {"数値の定義_2", "概要_2"} <= set(book.sheetnames)
    headers = [c.value for c in next(book[glossary.DEFINITIONS_SHEET].iter_rows(min_row=4))]
    assert headers[: len(glossary.DEFINITION_HEADERS)] == glossary.DEFINITION_HEADERS


def test_every_legend_says_the_minimums_the_report_was_made_under(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """At privacy.min_group 15 the cells read 「<15」 under legends that said 「<5 / <10」 (the
    overview, each 部署 sheet, 数値の定義, the topic × 対応 note, the terminal)."""
    import re

    import yaml

    from conftest import Cli

    data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
    data["privacy"].update(min_group=15, min_group_sensitive=15)
    sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "r.xlsx"
    result = Cli(sample_copy)("report", "divisions", "--out", str(target), env={"KOPS_LANG": "ja"})
    book = load_workbook(target)
    texts = [
        str(v).replace("\n", "")
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert "<15" in texts  # the cells are labelled by the minimum
    # The topic × 対応 colours have a key (the scale the sheet's rule draws).
    assert [t for t in texts if "赤 0・黄 3・緑 5" in t]
    rules = [
        rule
        for sheet in book.worksheets
        for cf in sheet.conditional_formatting
        for rule in cf.rules
        if rule.colorScale is not None
    ]
    assert rules and {tuple(v.val for v in r.colorScale.cfvo) for r in rules} == {(0, 3, 5)}
    marks = {m for t in texts if len(t) > 8 for m in re.findall(r"<\d+", t)}
    assert marks == {"<15"}, marks  # every sentence says the same minimum, none another
    assert not [t for t in texts if re.search(r"[^0-9]5人|10人", t)]
    shown = Cli(sample_copy)("report", "divisions", env={"KOPS_LANG": "ja"})  # the table
    # The terminal says the workbook's own sentence (one legend everywhere).
    # A number of people, not of what the column counts (「<15」 among 1on1 counts).
    legend = (
        "<15：人数が少ないため非表示（集計した人が15人未満。心身の状態を含む集計も。"
        "1on1の数ではありません）。"
    )
    assert any(legend in t for t in texts) and legend in shown.stdout
    assert "<5 / <10" not in shown.stdout + result.stderr


def test_each_overview_section_starts_a_page_with_its_headers(sample_run: RunSample) -> None:
    """Printed in LibreOffice, an advisor's topics table left its title and headers at
    the foot of page 3 and its rows on page 4 without them (blank rows sized to a page as
    kops reckoned it): each section starts a page by a page break of its own."""
    target = sample_run(*REPORT_90D).out / "r.xlsx"
    sheet = load_workbook(target)["概要"]
    breaks = {brk.id for brk in sheet.row_breaks.brk}
    titles = {
        cell.row
        for cell in sheet["A"]
        if isinstance(cell.value, str)
        and cell.value.startswith(("月別の1on1実施率", "トピックの内訳"))
    }
    assert len(titles) == 2
    for row in titles:  # the title right after a break (or its note line just above it)
        assert row - 1 in breaks or row - 2 in breaks, (row, sorted(breaks))
    assert len(breaks) == 3  # the rate chart, the monthly rates, the topics


def test_every_sheet_names_what_it_covers_as_its_reader_names_it(
    sample_ws: Workspace, tmp_path: Path
) -> None:
    """A 事業部's sheet of the company report said 「対象：全社」 above that 事業部's figures;
    an advisor's said 「対象：開発HRBP（開発本部/製品開発部、開発本部/品質保証部）」, kops.yaml's
    key and spelling. Each sheet names its own part, in the words the rows use."""
    import datetime as dt

    from conftest import copied
    from kakeai_ops.analyses import divisions as division_figures
    from kakeai_ops.config import load_settings
    from kakeai_ops.jobs.division_report import build_publication
    from kakeai_ops.outputs.report_xlsx import write_report
    from kakeai_ops.store import load_tables, resolve_snapshot
    from test_report import with_advisors

    ws = copied(sample_ws, tmp_path / "ws")
    with_advisors(ws)
    tables = load_tables(resolve_snapshot(ws, None), columns=division_figures.NEEDED_COLUMNS)
    publication = build_publication(
        tables, load_settings(ws.config_path), dt.date(2026, 11, 20), "90d"
    )
    expected = {
        None: "全社",
        "営業本部長": "営業本部",
        "開発HRBP": "開発本部（製品開発部・品質保証部）",
    }
    for advisor, scope in expected.items():
        report = publication.report(advisor)
        book = load_workbook(write_report(report, tmp_path / f"{advisor}.xlsx"))
        for sheet in book.worksheets[:-1]:  # the chart values have no heading
            line = str(sheet["A2"].value)
            title = str(sheet["A1"].value).split("：", 1)[1]
            if title in ("概要", "数値の定義") or title == scope:
                assert line.startswith(f"対象：{scope}　期間："), (advisor, sheet.title, line)
            else:
                assert line.startswith(f"対象：{scope}のうち{title}　"), (advisor, line)
            assert "/" not in line and (advisor is None or advisor not in line), line


def test_a_mix_counts_as_every_count_does(sample_run: RunSample) -> None:
    """計 1289 in General beside 1,502 above it: a mix's counts take the count format."""
    book = load_workbook(sample_run(*REPORT_90D).out / "r.xlsx")
    sheet = book["概要"]
    cells = list(sheet.iter_rows())
    start = next(
        i for i, row in enumerate(cells) if row[0].value == "トピックの内訳（対象範囲全体）"
    )
    counts = [
        row[1]
        for row in cells[start + 2 :]
        if row[0].value and isinstance(row[1].value, int | float)
    ][:3]
    assert counts and all(c.number_format == glossary.COUNT for c in counts)
