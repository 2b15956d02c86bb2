"""Recording a campaign's entries, called as the core: the entries once each, and one audit
entry saying how many were new, refused and entered before."""

from __future__ import annotations

from pathlib import Path

from conftest import write_csv
from kakeai_ops.config import load_settings
from kakeai_ops.jobs.campaigns import draws
from kakeai_ops.jobs.campaigns.entries import record_entries
from kakeai_ops.store import audit_entries, campaign_entries, latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace

CAMPAIGN = "exec-1on1-2026h2"


def test_entries_are_recorded_once_with_their_audit_entry(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    settings = load_settings(sample_copy.config_path)
    campaign = settings.campaigns[CAMPAIGN]
    snap = latest_snapshot(sample_copy)
    assert snap is not None and snap.as_of is not None
    tables = load_tables(snap)
    judged = draws.judge(tables, campaign, settings, snap.as_of)
    ids = list(judged.loc[judged["eligible"], "user_id"])[:3]
    rows = [["2026/10/01 10:00", u] for u in [*ids, ids[0], "999999"]]
    path = write_csv(tmp_path / "entries.csv", ["応募日時", "ユーザーID"], rows, encoding="cp932")

    def enter() -> object:
        return record_entries(
            sample_copy, CAMPAIGN, campaign, path, tables, judged, settings, snap.as_of, snap.id
        )

    first, again = enter(), enter()
    assert set(campaign_entries(sample_copy, CAMPAIGN)["user_id"]) == set(ids)
    log = audit_entries(sample_copy, 100)
    logged = log[log["action"] == "campaign entries"].iloc[::-1]
    assert list(logged["count"]) == [first.added, again.added] == [3, 0]  # type: ignore[attr-defined]
    assert [d["refused"] for d in logged["detail"]] == [2, 2]
    assert [d["entered_before"] for d in logged["detail"]] == [0, 3]
    assert list(logged["snapshot"]) == [snap.id, snap.id]
