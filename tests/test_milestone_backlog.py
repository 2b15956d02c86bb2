"""Marking the milestone backlog as delivered, called as the core: up to the data's last
day by default, and never for a day the data does not reach."""

from __future__ import annotations

import datetime as dt

import pytest

from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.campaigns.milestone_backlog import mark_backlog_delivered
from kakeai_ops.store import delivered_milestones, latest_snapshot
from kakeai_ops.workspace import Workspace


def test_the_backlog_up_to_the_data_is_recorded_and_no_later_day(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    settings = load_settings(sample_copy.config_path)
    snap = latest_snapshot(sample_copy)
    assert snap is not None and snap.as_of is not None
    too_late = snap.as_of + dt.timedelta(days=2)
    with pytest.raises(KopsError, match=f"--before {too_late} is after the data"):
        mark_backlog_delivered(sample_copy, settings, snap, snap.as_of, too_late)
    assert delivered_milestones(sample_copy).empty
    day, added = mark_backlog_delivered(sample_copy, settings, snap, snap.as_of)
    assert day == snap.as_of + dt.timedelta(days=1)
    assert added == len(delivered_milestones(sample_copy)) > 0
