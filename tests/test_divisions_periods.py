"""Periods say what they cover: a month the data stops in is labelled 「（20日まで）」
everywhere, its figures are over the days covered, and a period with no data is refused."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation

from conftest import DECK, NOVEMBER_REPORT, REPORT_30D, Cli, RunSample, tree_digest
from kakeai_ops.analyses.divisions import DAYS_PER_MONTH, Period, parse_period
from kakeai_ops.errors import KopsError
from kakeai_ops.store import latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace
from workbooks import label

NOVEMBER = "2026年11月（20日まで）"


def test_a_month_in_progress_is_cut_and_compared_like_with_like() -> None:
    period, previous = parse_period("month:2026-11", dt.date(2026, 11, 20))
    assert (period.start, period.end, period.partial) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 20),
        True,
    )
    assert period.caption == NOVEMBER and period.label == "2026-11"
    assert (previous.start, previous.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 20))
    assert previous.caption == "2026年10月（20日まで）"
    whole, before = parse_period("month:2026-10", dt.date(2026, 11, 20))
    assert not whole.partial and whole.caption == "2026年10月" and before.caption == "2026年9月"
    quarter, q3 = parse_period("quarter:2026Q4", dt.date(2026, 11, 20))
    assert quarter.caption == "2026年10〜12月（11月20日まで）" and quarter.days == 51
    assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 8, 20))
    days, _ = parse_period("30d", dt.date(2026, 11, 20))
    assert days.caption == "2026年10月22日〜11月20日" and not days.partial
    # A previous month shorter than the days covered stops at its own end.
    march, february = parse_period("month:2026-03", dt.date(2026, 3, 30))
    assert february.end == dt.date(2026, 2, 28) and march.days == 30


@pytest.mark.parametrize("text", ["month:2026-12", "month:2027-01", "quarter:2027Q1"])
def test_a_period_after_the_data_is_refused(text: str) -> None:
    with pytest.raises(KopsError) as caught:
        parse_period(text, dt.date(2026, 11, 20))
    assert f"--period {text}" in caught.value.message
    assert "has no data: the data runs to 2026-11-20" in caught.value.message


@pytest.mark.parametrize("text", ["month:0000-01", "quarter:9999Q4"])
def test_years_that_do_not_exist(text: str) -> None:
    with pytest.raises(KopsError, match="no such year"):
        parse_period(text, dt.date(2026, 11, 20))


def _held(ws: Workspace, start: str, end: str) -> tuple[int, int, int]:
    """Independent recount from the stored tables: the period's 部下 (today's, not
    retired, whose pair was accepted by ``end`` or who met in the period), those with a
    held 1on1 in [start, end], and the held 1on1s of current users."""
    tables = load_tables(latest_snapshot(ws))
    users = tables.users[tables.users["employment_status"] != "retired"]
    formed = tables.pairs[tables.pairs["accepted_at"].notna()]
    day_after = pd.Timestamp(end) + pd.Timedelta(days=1)
    m = tables.meetings
    held = m[
        (m["status"] == "held") & (m["held_at"] >= pd.Timestamp(start)) & (m["held_at"] < day_after)
    ]
    held = held[held["member_id"].astype(str).isin(set(users["user_id"]))]
    today = set(users["user_id"]) & set(formed["member_id"])
    paired_then = set(formed.loc[formed["accepted_at"] < day_after, "member_id"])
    ever = m[(m["status"] == "held") & (m["held_at"] < day_after)]
    paired_then |= set(ever["member_id"].astype(str))
    met_ids = set(held["member_id"].astype(str))
    members = today & (paired_then | met_ids)
    met = members & met_ids
    return len(members), len(met), len(held)


def test_the_previous_period_counts_the_members_of_its_time(sample_run: RunSample) -> None:
    """Today's 部下 paired after October 20 had no pair in October's first 20 days: the
    November report's 推移 compares with the 部下 October had, not with them as 部下 who
    had no 1on1 (the arrow above is recounted so). The sample has such people, and the
    workbook says how past periods are counted where the arrows are and on 数値の定義."""
    run = sample_run(*NOVEMBER_REPORT)
    tables = load_tables(latest_snapshot(run.ws))
    users = tables.users[tables.users["employment_status"] != "retired"]
    formed = tables.pairs[tables.pairs["accepted_at"].notna()]
    first_paired = formed.groupby("member_id")["accepted_at"].min()
    later = set(first_paired[first_paired >= pd.Timestamp("2026-10-21")].index)
    later &= set(users["user_id"])
    assert later
    members_now, _met, _held_now = _held(run.ws, "2026-11-01", "2026-11-20")
    members_before, _met_before, _ = _held(run.ws, "2026-10-01", "2026-10-20")
    assert members_before <= members_now - len(later)
    book = load_workbook(run.out / "r.xlsx")
    texts = " ".join(
        label(c.value)
        for sheet in (book["概要"], book["数値の定義"])
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    )
    assert "前期間はそのときペアのあった部下で数えます" in texts
    assert "その期間の終わりまでにペアが承認されていたか、部下として1on1をしていた部下" in texts


def test_the_november_report_says_20_days_everywhere(sample_run: RunSample) -> None:
    run = sample_run(*NOVEMBER_REPORT)
    target, said = run.out / "r.xlsx", run.result
    assert NOVEMBER in said.stderr
    book = load_workbook(target)
    for sheet in book.worksheets:
        if sheet.sheet_state == "visible":
            assert f"期間：{NOVEMBER}（前期間 2026年10月（20日まで） と比較）" in str(
                sheet["A2"].value
            ), sheet.title
    overview = book["概要"]
    # The monthly table has the months across (a header broken between words).
    months = [label(c.value) for row in overview.iter_rows() for c in row if c.value]
    months = [m for m in months if m.startswith("2026年") and len(m) < 16]
    assert "2026年10月" in months and NOVEMBER in months
    assert any("途中までのデータです" in str(c.value) for c in overview["A"])
    with zipfile.ZipFile(target) as archive:
        charts = {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/charts/chart")
        }
    assert any(NOVEMBER in text for text in charts.values())  # the rate chart's title
    monthly = [t for t in charts.values() if "<c:lineChart>" in t or "lineChart" in t]
    assert monthly and 'prstDash val="dash"' in monthly[0]  # the month in progress, dashed
    # Each dashed segment says its colour and width too: a dash alone was drawn solid.
    for point in re.findall(r"<(?:c:)?dPt>.*?</(?:c:)?dPt>", monthly[0]):
        assert "prstDash" in point and "srgbClr" in point and 'w="28575"' in point, point
    # The charts read their titles and months from the values sheet.
    drawn = {str(c.value) for row in book["グラフの値"].iter_rows() for c in row}
    assert f"1on1実施率（部下）{NOVEMBER}" in drawn and NOVEMBER in drawn


def test_per_month_figures_are_over_the_days_covered(sample_run: RunSample) -> None:
    run = sample_run(("report", "divisions", "--period", "month:2026-11", "--format", "json"))
    sample_copy = run.ws  # read only
    cells = json.loads(run.result.stdout)
    company = {
        c["metric"]: c
        for c in cells
        if c["table"] == "overview" and c["division"] is None and c["period"] == "2026-11"
    }
    members, met, held = _held(sample_copy, "2026-11-01", "2026-11-20")
    assert company["members"]["value"] == members
    assert company["implementation_rate"]["value"] == pytest.approx(met / members, abs=0.005)
    per_month = held / members / (20 / DAYS_PER_MONTH)  # 20 days covered, not 30
    assert company["per_member_month"]["value"] == pytest.approx(per_month, abs=0.05)
    # The arrow compares with October's first 20 days.
    members_before, met_before, _ = _held(sample_copy, "2026-10-01", "2026-10-20")
    trend = next(
        c
        for c in cells
        if c["table"] == "overview"
        and c["division"] is None
        and c["metric"] == "implementation_rate_trend"
    )
    # With its size as the two published whole percents differ (「↓ -2pt」).
    change = math.floor(met / members * 100 + 0.5) - math.floor(
        met_before / members_before * 100 + 0.5
    )
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    assert trend["shown"] == (f"{arrow} {change:+d}pt" if change else "→ ±0pt")


@pytest.mark.parametrize(
    ("period", "said"),
    [
        (
            "month:2026-12",
            "--period month:2026-12 (2026年12月) has no data: the data runs to 2026-11-20",
        ),
        ("month:2027-01", "has no data: the data runs to 2026-11-20"),
        ("month:2020-01", "--period month:2020-01 (2020年1月) has no data: the 1on1s run from"),
    ],
)
def test_an_empty_period_is_refused_and_nothing_is_written(
    sample_copy: Workspace, tmp_path: Path, period: str, said: str
) -> None:
    before = tree_digest(sample_copy.root)
    out = tmp_path / "r.xlsx"
    result = Cli(sample_copy)(
        "report", "divisions", "--period", period, "--out", str(out), ok=False
    )
    assert result.exit_code == 1 and said in result.stderr
    assert not out.exists()
    assert tree_digest(sample_copy.root) == before


def test_the_review_deck_names_the_month_as_far_as_it_goes(
    sample_run: RunSample,
) -> None:
    out = sample_run(*DECK, REPORT_30D[1]).out / "deck.pptx"  # the deck other tests read
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    # Named by its day: 「2026年11月（20日まで）」 is the caption of 11月1日〜20日.
    assert any("1on1 定例会レビュー（基準日 2026年11月20日）" in t for t in texts)
    assert not any(NOVEMBER in t for t in texts)
    assert any("直近30日（2026年10月22日〜11月20日）" in t for t in texts)
    # Slide 4's 前回比 says which days it compares with: the 30 up to October's snapshot.
    assert any("前回比は前回（2026年9月21日〜10月20日）との差" in t for t in texts)


def test_period_holds_the_calendar_end_it_was_cut_from() -> None:
    cut = Period("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)).up_to(
        dt.date(2026, 11, 20)
    )
    assert cut.full_end == dt.date(2026, 11, 30) and cut.months == pytest.approx(
        20 / DAYS_PER_MONTH
    )


def test_advisor_mails_state_the_period_and_an_empty_one_is_not_mailed(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    from email import message_from_bytes, policy

    import yaml

    from test_report import ADVISORS

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = ADVISORS
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail"]
    refused = cli(*args, "--period", "month:2026-12", "--yes", ok=False)
    assert "has no data: the data runs to 2026-11-20" in refused.stderr
    assert not list(sample_copy.outbox_dir.rglob("*.eml"))
    cli(*args, "--period", "month:2026-11", "--yes")
    mails = [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sample_copy.outbox_dir.rglob("*.eml")
    ]
    assert len(mails) == len(ADVISORS)
    for mail in mails:
        assert NOVEMBER in str(mail["Subject"])
        assert f"期間：{NOVEMBER}" in mail.get_body(preferencelist=("plain",)).get_content()
