"""Snapshots in order: older exports refused, repeats not stored, ranges and gaps shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from conftest import MEETINGS_HEADER, SAMPLE, USERS_HEADER, Cli, tree_digest, write_csv
from kakeai_ops.store import audit_log, list_snapshots, load_tables
from kakeai_ops.workspace import Workspace

MakeExports = Callable[..., list[Path]]
OCTOBER = sorted(map(str, (SAMPLE / "2026-10").iterdir()))
NOVEMBER = sorted(map(str, (SAMPLE / "2026-11").iterdir()))


def _reverted_and_revived(ws: Workspace) -> tuple[int, int]:
    """Independent recount from the stored snapshots: the 1on1s held in November's
    snapshot that October's has as not held, and the people retired in November who
    were not in October."""
    october, november = (load_tables(s) for s in list_snapshots(ws)[:2])
    held_now = november.meetings.loc[november.meetings["status"] == "held", "meeting_id"]
    then = october.meetings.set_index("meeting_id")["status"].astype(object)
    reverted = sum(1 for m in held_now if m in then.index and then[m] != "held")
    retired_now = set(
        november.users.loc[november.users["employment_status"] == "retired", "user_id"]
    )
    active_then = set(october.users.loc[october.users["employment_status"] != "retired", "user_id"])
    return reverted, len(retired_now & active_then)


def test_an_older_export_is_refused_and_changes_nothing(sample_copy: Workspace) -> None:
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)("ingest", *OCTOBER, ok=False)
    assert result.exit_code == 1
    said = result.stderr
    assert "older than snapshot 0002, which runs to 2026-11-20" in said
    assert "users: latest login 2026-10-20 19:25, snapshot 0002 has 2026-11-20 19:51" in said
    assert "meetings: latest held 1on1 2026-10-20 17:00, snapshot 0002 has 2026-11-20 17:15" in (
        said
    )
    assert "(these files were ingested as snapshot 0001)" in said
    reverted, revived = _reverted_and_revived(sample_copy)
    assert reverted > 0 and revived > 0
    assert f"{reverted:,} held 1on1s (実施済) back to 予定" in said
    assert f"{revived:,} people back from 退職 to 在籍/休職" in said
    assert "定着 (healthy)" in said
    assert "--older" in said
    assert tree_digest(sample_copy.root) == before
    assert [s.id for s in list_snapshots(sample_copy)] == ["0001", "0002"]
    # As the secretariat reads it: the same facts, in Japanese, nothing left in English.
    shown = Cli(sample_copy)("ingest", *OCTOBER, env={"KOPS_LANG": "ja"}, ok=False).stderr
    for line in (
        "これらのエクスポートは、2026-11-20 までのスナップショット 0002 より古いものです:",
        "ユーザー一覧: 最終ログイン 2026-10-20 19:25、スナップショット 0002 は 2026-11-20 19:51",
        "（これらのファイルはスナップショット 0001 として取り込み済みです）",
        f"実施済の 1on1 {reverted:,} 件が 予定 に戻ります",
        f"{revived:,} 人が 退職 から 在籍/休職 に戻ります",
        "何も変更していません",
    ):
        assert line in shown
    assert "older than" not in shown and "latest login" not in shown
    assert tree_digest(sample_copy.root) == before


def test_older_stores_it_on_purpose_and_says_so(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    result = cli("ingest", "--older", *OCTOBER)
    assert "older export stored (--older)" in result.stderr
    snaps = list_snapshots(sample_copy)
    assert [s.id for s in snaps] == ["0001", "0002", "0003"]
    assert snaps[-1].manifest["older"] is True
    # The 1on1s only in November's export stay: the data still runs to 2026-11-20.
    assert snaps[-1].manifest["data"]["last_login_at"] == "2026-10-20 19:25"
    log = audit_log(sample_copy, 5)
    entry = log[log["command"] == "ingest --older"].iloc[0]
    assert entry["snapshot"] == "0003"
    assert "held 1on1s (実施済) back to 予定" in entry["detail"]
    status = cli("status", env={"KOPS_QUIET": "0"})
    assert "snapshot 0003 was stored from exports older than snapshot 0002 (ingest --older)" in (
        status.stderr
    )


def test_the_same_export_twice_makes_one_snapshot(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    result = cli("ingest", *NOVEMBER)
    assert "already ingested as snapshot 0002" in result.stderr
    assert [s.id for s in list_snapshots(sample_copy)] == ["0001", "0002"]
    assert tree_digest(sample_copy.root) == before
    # Only the 1on1s again: the rest carries over, and nothing is new either.
    meetings = [f for f in NOVEMBER if "meetings" in f]
    assert "already ingested as snapshot 0002" in cli("ingest", *meetings).stderr
    assert tree_digest(sample_copy.root) == before


def test_the_first_export_twice(october_copy: Workspace) -> None:
    """October ingested into a new workspace (october_ws), then again."""
    again = Cli(october_copy)("ingest", *OCTOBER)
    assert "already ingested as snapshot 0001" in again.stderr
    assert len(list_snapshots(october_copy)) == 1


def test_same_content_in_another_order_is_the_same(
    ws: Workspace, cli: Cli, make_exports: MakeExports, tmp_path: Path
) -> None:
    files = make_exports()
    cli("ingest", *map(str, files))
    users = pd.read_csv(files[0], encoding="cp932", dtype=str, keep_default_na=False)
    meetings = pd.read_csv(files[2], dtype=str, keep_default_na=False)
    shuffled = [
        write_csv(tmp_path / "u.csv", USERS_HEADER, users.iloc[::-1].values.tolist()),
        files[1],
        write_csv(tmp_path / "m.csv", MEETINGS_HEADER, meetings.iloc[::-1].values.tolist()),
    ]
    assert "already ingested as snapshot 0001" in cli("ingest", *map(str, shuffled)).stderr
    # One changed value is new content.
    meetings.loc[0, "スッキリ度"] = "5"
    changed = write_csv(tmp_path / "m2.csv", MEETINGS_HEADER, meetings.values.tolist())
    cli("ingest", str(changed))
    assert len(list_snapshots(ws)) == 2


def test_status_shows_ranges_and_warns_of_gaps(
    ws: Workspace, cli: Cli, make_exports: MakeExports, tmp_path: Path
) -> None:
    cli("ingest", *map(str, make_exports()))
    december = write_csv(
        tmp_path / "meetings_dec.csv",
        MEETINGS_HEADER,
        [["M9", "0001", "0002", "2026/12/07 10:00", "実施済", "", "", "", "", ""]],
    )
    cli("ingest", str(december), env={"KOPS_NOW": "2026-12-08T09:00:00+09:00"})
    status = cli("status", "--format", "json", env={"KOPS_QUIET": "0"})
    rows = json.loads(status.stdout)
    assert rows[0]["last_login_at"] == "2026-11-20 09:05"
    assert rows[0]["last_held_at"] == "2026-11-02 10:00"
    assert rows[1]["last_held_at"] == "2026-12-07 10:00" and rows[1]["as_of"] == "2026-12-07"
    assert (
        "snapshot 0002: its 1on1 export starts on 2026-12-07, but snapshot 0001 runs to "
        "2026-11-20: 1on1s from 2026-11-21 to 2026-12-06 are in no export"
    ) in status.stderr
    table = cli("status", env={"COLUMNS": "250", "KOPS_LANG": "ja"}).stdout
    assert "最終ログイン" in table and "2026-11-20 09:05" in table
    # The reader of the Japanese screen is told of the gap in Japanese.
    japanese = cli("status", env={"KOPS_LANG": "ja", "COLUMNS": "400"}).stderr
    assert (
        "スナップショット 0002: 1on1 のエクスポートは 2026-12-07 から始まりますが、"
        "スナップショット 0001 のデータは 2026-11-20 までです: "
        "2026-11-21〜2026-12-06 の 1on1 はどのエクスポートにもありません"
    ) in japanese


def test_order_warnings_from_manifests() -> None:
    from kakeai_ops.store.snapshot_order import gaps_and_overlaps

    manifests = [
        {"id": "0001", "as_of": "2026-10-20", "data": {"export_from": "2025-11-10"}},
        {"id": "0002", "as_of": "2026-11-20", "data": {"export_from": "2025-11-10"}},
        {"id": "0003", "as_of": "2026-11-20"},  # made before ranges were recorded
        {"id": "0004", "as_of": "2026-11-02"},
        {"id": "0005", "as_of": "2026-12-20", "data": {"export_from": "2026-11-03"}},
    ]
    assert gaps_and_overlaps(manifests) == [
        "snapshot 0003 runs to 2026-11-20, as snapshot 0002 does: the same period twice",
        "snapshot 0004 runs to 2026-11-02, before snapshot 0003 (2026-11-20): "
        "an older export (ingested with --older)",
    ]
    assert gaps_and_overlaps(manifests[3:]) == []  # the export starts the day after
    late = {"id": "0005", "as_of": "2026-12-20", "data": {"export_from": "2026-11-10"}}
    assert gaps_and_overlaps([manifests[3], late]) == [
        "snapshot 0005: its 1on1 export starts on 2026-11-10, but snapshot 0004 runs to "
        "2026-11-02: 1on1s from 2026-11-03 to 2026-11-09 are in no export"
    ]
