"""What the secretariat reads on the terminal: Japanese headers and values, the words the
workbooks use (docs/glossary.md), no machine key, and each figure true to a recount."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from calendar_oracle import days_off
from conftest import Cli
from kakeai_ops import glossary
from kakeai_ops.workspace import Workspace

KEYS = tuple(glossary.STUCK_POINTS)


def _no_machine_words(text: str) -> None:
    for key in KEYS:
        assert not re.search(rf"\b{key}\b", text), key
    for english in ("users", "total", "share", "stuck point", "Moved on", "as of", "before"):
        assert english not in text, english


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]


def test_the_segment_summary_speaks_japanese_and_adds_up(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    text = cli("segment").stdout
    _no_machine_words(text)
    users = pd.read_parquet(sample_ws.snapshots_dir / "0002" / "users.parquet")
    here = int((users["employment"] != "退職").sum())
    assert f"（{here}人、基準日 2026-11-20、スナップショット 0002）" in text
    rows = {r[0]: r for r in _rows(text)}
    assert set(rows) == set(glossary.STUCK_POINTS.values())
    assert sum(int(r[5]) for r in rows.values()) == here
    for row in rows.values():  # the share is of everyone counted, as a whole percent
        assert row[6] == f"{int(row[5]) / here:.0%}"
    by = cli("segment", "--by", "division").stdout
    _no_machine_words(by)
    assert "事業部別" in by and "定着の割合" in by


def test_movement_lists_and_explain_speak_japanese(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    for args in (("--compare", "1"), ("--list",), ("--stuck-point", "no_prep", "--list")):
        text = cli("segment", *args).stdout
        _no_machine_words(text)
    user = cli("segment", "--list", "--format", "csv").stdout.splitlines()[1].split(",")[0]
    explained = cli("segment", "--explain", user).stdout
    _no_machine_words(explained)
    assert "記録:" in explained and "基準:" in explained


def _eligible_recount(ws: Workspace) -> set[str]:
    """Members with 3 consecutive months (April–September 2026) whose every week
    (in the month of its Thursday) had a 1on1 held as member, or no business day."""
    import datetime as dt

    off = days_off(ws)
    snap = ws.snapshots_dir / "0002"
    users = pd.read_parquet(snap / "users.parquet")
    meetings = pd.read_parquet(snap / "meetings.parquet")
    held = meetings[(meetings["status"] == "held") & (meetings["held_at"] < "2026-11-21")]
    days = held.groupby("member_id")["held_at"].apply(lambda s: {t.date() for t in s})
    active = users.loc[users["employment"] == "在籍", "user_id"]
    found = set()
    for user in active:
        mine = days.get(user, set())
        good = []
        for month in range(4, 10):
            first = dt.date(2026, month, 1)
            thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
            ok = True
            while thursday.month == month:
                monday = thursday - dt.timedelta(days=3)
                week = [monday + dt.timedelta(days=i) for i in range(7)]
                if not (any(d in mine for d in week) or all(d in off for d in week[:5])):
                    ok = False
                thursday += dt.timedelta(days=7)
            good.append(ok)
        if any(all(good[i : i + 3]) for i in range(len(good) - 2)):
            found.add(user)
    return found


def test_campaign_tables_speak_japanese_and_count_true(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    campaign = "exec-1on1-2026h2"
    listing = cli("campaign", "list").stdout
    _no_machine_words(listing)
    assert "キャンペーン" in listing and "member" not in listing
    text = cli("campaign", "eligible", campaign).stdout
    _no_machine_words(text)
    shown = {r[0] for r in _rows(text) if r and r[0].isdigit()}
    expected = _eligible_recount(sample_ws)
    assert shown == expected
    assert f"対象: {len(expected)}人" in text
    every = cli("campaign", "eligible", campaign, "--all").stdout
    assert "対象外" in every and "✓" not in every
    milestones = cli("campaign", "milestones")
    due = milestones.stdout
    _no_machine_words(due)
    assert "manager" not in due and "member" not in due and "送付予定" in due
    # From when, said once, without brackets inside brackets (「…より後（前回のスナップ
    # ショット 0001（基準日 2026-10-20））から」).
    from kakeai_ops.store import list_snapshots

    previous, latest = list_snapshots(sample_ws)[-2:]
    since = (
        f"{previous.as_of} の翌日から {latest.as_of} までに達したマイルストーン"
        f"（起点: 前回のスナップショット {previous.id} の基準日 {previous.as_of}）"
    )
    assert since in milestones.stderr


def test_status_and_audit_cut_nothing_and_speak_japanese(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kops status` at a narrow terminal still shows every date whole (a cell folds,
    never 「2026-1…」), and the audit log names a snapshot in Japanese."""
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    manifest = pd.read_json(sample_ws.snapshots_dir / "0002" / "manifest.json", typ="series")
    narrow = cli("status", env={"COLUMNS": "100"}).stdout
    assert "…" not in narrow
    # The 基準日 whole, in its column or (too narrow for the table) on its own line.
    assert f"基準日: {manifest['as_of']}" in narrow or any(
        str(manifest["as_of"]) in "".join(c.strip() for c in line.split("│")[7:8])
        for line in narrow.splitlines()
    )
    assert "基準日" in narrow and "latest" not in narrow
    audit = cli("audit", env={"COLUMNS": "120"}).stdout
    assert "スナップショット 0002" in audit and "snapshot 0002" not in audit
    assert "…" not in audit


def test_the_template_list_speaks_japanese_and_cuts_no_subject(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    text = Cli(sample_ws)("mail", "templates", env={"COLUMNS": "120"}).stdout
    assert "テンプレート" in text and "件名" in text and "…" not in text
    for english in ("nudge", "announcement", "knowledge", "Mail templates"):
        assert english not in text
