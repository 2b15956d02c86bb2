"""An advisor's rate chart is not a lone bar: the company's published 全社 rate is drawn
beside it, the value the company report publishes for the same period, never a hidden one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.chart import BarChart
from openpyxl.workbook import Workbook

from conftest import Cli
from kakeai_ops.jobs.division_report import CompanyRate, Publication
from kakeai_ops.store import latest_snapshot
from kakeai_ops.workspace import Workspace
from workbooks import label

ADVISORS = {
    "営業本部長": {"email": "sales@example.co.jp", "name": "山田 太郎", "scope": ["営業本部"]},
    "開発HRBP": {
        "email": "dev@example.co.jp",
        "name": "佐々木 恵",
        "scope": ["開発本部/製品開発部", "開発本部/品質保証部"],
    },
}
RATE_TITLE = "1on1実施率（部下）"


def with_advisors(ws: Workspace) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = ADVISORS
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def cells(book: Workbook, formula: str) -> list[Any]:
    """The values a chart reference such as 'グラフの値'!$B$5:$B$6 points at."""
    match = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", formula)
    assert match, formula
    sheet, first_col, first, last_col, last = match.groups()
    assert last_col in (None, first_col)
    last = last or first
    return [book[sheet][f"{first_col}{row}"].value for row in range(int(first), int(last) + 1)]


def rate_chart(book: Workbook) -> tuple[list[Any], list[Any]]:
    """The categories and values of the 概要's rate chart, read through its references."""
    charts = [
        c
        for c in book["概要"]._charts
        if isinstance(c, BarChart) and "".join(_title(c)).startswith(RATE_TITLE)
    ]
    assert len(charts) == 1
    (series,) = charts[0].series
    return cells(book, series.cat.numRef.f), cells(book, series.val.numRef.f)


def _title(chart: BarChart) -> list[str]:
    return [run.t for p in chart.title.tx.rich.p for run in (p.r or [])]


def company_rate_recount(ws: Workspace, as_of: dt.date, days: int = 90) -> float:
    """1on1実施率（部下） of the whole company, counted again from the snapshot's Parquet
    files: current members of a formed pair with a held 1on1 in the window, over them."""
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    users = pd.read_parquet(snapshot.path / "users.parquet")
    pairs = pd.read_parquet(snapshot.path / "pairs.parquet")
    meetings = pd.read_parquet(snapshot.path / "meetings.parquet")
    current = set(users.loc[users["employment_status"] != "retired", "user_id"])
    members = set(pairs.loc[pairs["accepted_at"].notna(), "member_id"]) & current
    start = pd.Timestamp(as_of - dt.timedelta(days=days - 1))
    end = pd.Timestamp(as_of + dt.timedelta(days=1))
    held = meetings[
        (meetings["status"] == "held")
        & (meetings["held_at"] >= start)
        & (meetings["held_at"] < end)
    ]
    met = set(held["member_id"]) & members
    return len(met) / len(members)


def as_of_of(book: Workbook) -> dt.date:
    found = re.search(r"基準日：(\d{4}-\d{2}-\d{2})", str(book["概要"]["A2"].value))
    assert found
    return dt.date.fromisoformat(found.group(1))


def test_a_single_bar_has_the_published_company_rate_beside_it(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    company_path, advisor_path = tmp_path / "company.xlsx", tmp_path / "sales.xlsx"
    cli("report", "divisions", "--out", str(company_path))
    cli("report", "divisions", "--advisor", "営業本部長", "--out", str(advisor_path))
    book = load_workbook(advisor_path)
    categories, values = rate_chart(book)
    assert categories == ["営業本部", "全社"]
    # The figure the company report publishes for the period, in its table and its chart.
    company = load_workbook(company_path)
    company_categories, company_values = rate_chart(company)
    published = company_values[company_categories.index("全社")]
    assert values[1] == published
    overview = company["概要"]
    header = next(r for r in overview.iter_rows(values_only=True) if r[0] == "事業部")
    rate_column = next(i for i, h in enumerate(header) if label(h).startswith("1on1実施率（部下"))
    total = next(r for r in overview.iter_rows(values_only=True) if r[0] == "全社")
    assert total[rate_column] == published
    # And it is the company's rate, counted again from the snapshot.
    recount = company_rate_recount(sample_copy, as_of_of(book))
    assert values[1] == pytest.approx(recount, abs=0.005)
    notes = [c.value for row in book["概要"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("全社の値" in note and "灰色" in note for note in notes)
    # The company's own chart compares its rows already: no second 全社.
    assert company_categories.count("全社") == 1


def test_a_hidden_company_rate_is_left_out_and_said(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_advisors(sample_copy)
    monkeypatch.setattr(
        Publication, "company_rate", lambda self, report: CompanyRate("全社", "(秘匿)")
    )
    path = tmp_path / "sales.xlsx"
    Cli(sample_copy)("report", "divisions", "--advisor", "営業本部長", "--out", str(path))
    book = load_workbook(path)
    categories, values = rate_chart(book)
    assert categories == ["営業本部"] and None not in values and 0 not in values
    chart_values = [c.value for row in book["グラフの値"].iter_rows() for c in row]
    assert "全社" not in chart_values
    notes = [c.value for row in book["概要"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("全社の値は非表示" in note for note in notes)


def test_every_advisor_file_of_a_set_has_the_reference(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    out = tmp_path / "set"
    Cli(sample_copy)("report", "divisions", "--all-advisors", "--out", str(out))
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == len(ADVISORS)
    totals = set()
    for path in files:
        categories, values = rate_chart(load_workbook(path))
        assert len(categories) == 2 and categories[-1] == "全社", path.name
        totals.add(values[-1])
    assert len(totals) == 1  # one published figure, the same in every file
