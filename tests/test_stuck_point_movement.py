"""The snapshot `kops segment --since/--compare-to` compares with, and the movement as one
JSON record, called as the core."""

from __future__ import annotations

import datetime as dt

import pytest

from kakeai_ops.analyses import segmentation
from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.stuck_point_movement import earlier_snapshot, movement_record
from kakeai_ops.store import list_snapshots, load_tables
from kakeai_ops.workspace import Workspace


def test_the_earlier_snapshot_by_id_or_by_date(sample_ws: Workspace) -> None:
    first, latest = list_snapshots(sample_ws)[-2:]
    assert first.as_of is not None and latest.as_of is not None
    assert earlier_snapshot(sample_ws, latest, first.id, None) == (first, first.as_of)
    on_the_day = earlier_snapshot(sample_ws, latest, None, first.as_of)
    assert on_the_day == (first, first.as_of)


def test_itself_or_nothing_before_the_date_is_refused(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    latest = list_snapshots(sample_ws)[-1]
    with pytest.raises(KopsError, match="compared with itself"):
        earlier_snapshot(sample_ws, latest, latest.id, None)
    with pytest.raises(KopsError, match="no snapshot dated on or before 2000-01-01"):
        earlier_snapshot(sample_ws, latest, None, dt.date(2000, 1, 1))


def test_the_record_counts_what_the_movement_holds(sample_ws: Workspace) -> None:
    first, latest = list_snapshots(sample_ws)[-2:]
    assert first.as_of is not None and latest.as_of is not None
    rules = load_settings(sample_ws.config_path).rules
    before = segmentation.segment(load_tables(first), rules, first.as_of)
    after = segmentation.segment(load_tables(latest), rules, latest.as_of)
    movement = segmentation.compare(before, after)
    record = movement_record(first, first.as_of, latest, movement)
    assert record["before"] == {"snapshot": first.id, "as_of": str(first.as_of)}
    assert record["moved_on"] == list(movement.moved_on["user_id"])
    counted = sum(sum(row.values()) for row in record["transitions"].values())
    assert counted == int(movement.transitions.values.sum()) > 0
