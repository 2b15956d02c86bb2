"""An advisor's rate chart holds rows of their scope only (rules.md: nothing else, not
even in chart caches): where it would be a lone 事業部 bar, the 事業部's 部署 are drawn,
each the rate its 部署 row publishes, counted again here from the snapshot."""

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
from kakeai_ops.store import latest_snapshot
from kakeai_ops.workspace import Workspace

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


def _rate_charts(book: Workbook) -> list[BarChart]:
    return [
        c
        for c in book["概要"]._charts
        if isinstance(c, BarChart) and "".join(_title(c)).startswith(RATE_TITLE)
    ]


def rate_chart(book: Workbook) -> tuple[list[Any], list[Any]]:
    """The categories and values of the 概要's rate chart, read through its references."""
    charts = _rate_charts(book)
    assert len(charts) == 1
    (series,) = charts[0].series
    return cells(book, series.cat.numRef.f), cells(book, series.val.numRef.f)


def _title(chart: BarChart) -> list[str]:
    return [run.t for p in chart.title.tx.rich.p for run in (p.r or [])]


def rate_recount(ws: Workspace, as_of: dt.date, units: set[tuple[str, str]] | None) -> float:
    """1on1実施率（部下） of the people of ``units`` ((事業部, 部署); None: everyone),
    counted again from the snapshot's Parquet files: current members of a formed pair
    with a held 1on1 in the 90 days, over them."""
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    users = pd.read_parquet(snapshot.path / "users.parquet")
    pairs = pd.read_parquet(snapshot.path / "pairs.parquet")
    meetings = pd.read_parquet(snapshot.path / "meetings.parquet")
    users = users[users["employment_status"] != "retired"]
    if units is not None:
        keys = list(zip(users["division"], users["department"], strict=True))
        users = users[[key in units for key in keys]]
    members = set(pairs.loc[pairs["accepted_at"].notna(), "member_id"]) & set(users["user_id"])
    start = pd.Timestamp(as_of - dt.timedelta(days=89))
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


def test_a_single_division_is_drawn_by_its_departments_and_nothing_else(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    path = tmp_path / "sales.xlsx"
    Cli(sample_copy)("report", "divisions", "--advisor", "営業本部長", "--out", str(path))
    book = load_workbook(path)
    categories, values = rate_chart(book)
    # The 部署 of 営業本部 in the users export (every one of 5 people or more: own rows).
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    users = pd.read_parquet(snapshot.path / "users.parquet")
    users = users[(users["employment_status"] != "retired") & (users["division"] == "営業本部")]
    departments = sorted(set(users["department"]))
    assert len(departments) > 1 and (users["department"].value_counts() >= 5).all()
    assert sorted(categories) == departments
    as_of = as_of_of(book)
    for name, value in zip(categories, values, strict=True):
        recount = rate_recount(sample_copy, as_of, {("営業本部", name)})
        assert value == pytest.approx(recount, abs=0.005), name
    # Nothing outside the scope, in the chart's cells or anywhere in its values sheet.
    chart_values = [c.value for row in book["グラフの値"].iter_rows() for c in row]
    assert "全社" not in chart_values and "全社" not in categories
    title = "".join(_title(_rate_charts(book)[0]))
    assert title.endswith("・営業本部の部署別")


def test_a_lone_bar_says_its_value(sample_copy: Workspace, tmp_path: Path) -> None:
    """An advisor of one 部署: one bar, its value said on it, and nothing beside it; the
    bar is that 部署, by its name, under the axis 部署 (it was 「営業本部（第一営業部）」
    under 事業部)."""
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = {
        "部長": {
            "email": "head@example.co.jp",
            "name": "山田 太郎",
            "scope": ["営業本部/第一営業部"],
        }
    }
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    path = tmp_path / "one.xlsx"
    Cli(sample_copy)("report", "divisions", "--advisor", "部長", "--out", str(path))
    book = load_workbook(path)
    categories, values = rate_chart(book)
    assert categories == ["第一営業部"]
    recount = rate_recount(sample_copy, as_of_of(book), {("営業本部", "第一営業部")})
    assert values[0] == pytest.approx(recount, abs=0.005)
    [chart] = _rate_charts(book)
    assert chart.dataLabels is not None and chart.dataLabels.showVal
    assert chart.x_axis.title.tx.rich.p[0].r[0].t == "部署"
    title = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
    assert title.endswith("・営業本部（第一営業部）の部署別")


def test_every_advisor_file_of_a_set_holds_its_scope_only(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    out = tmp_path / "set"
    Cli(sample_copy)("report", "divisions", "--all-advisors", "--out", str(out))
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == len(ADVISORS)
    scopes = {
        "営業本部長": {"営業企画部", "第一営業部", "第二営業部"},
        "開発HRBP": {"製品開発部", "品質保証部"},
    }
    for path in files:
        categories, _values = rate_chart(load_workbook(path))
        [name] = [n for n in scopes if n in path.name]
        assert set(categories) <= scopes[name], path.name
        assert len(categories) > 1, path.name
