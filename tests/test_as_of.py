"""The day a command judges as of, against the snapshot: the sample's snapshot 0001 runs
to 2026-10-20, 0002 to 2026-11-20."""

from __future__ import annotations

import datetime as dt

import pytest

from kakeai_ops.errors import KopsError
from kakeai_ops.store import resolve_snapshot
from kakeai_ops.store.as_of import judged_as_of
from kakeai_ops.workspace import Workspace


def test_the_snapshots_day_unless_an_earlier_one_is_asked(sample_ws: Workspace) -> None:
    latest = resolve_snapshot(sample_ws, None)
    assert judged_as_of(latest, None) == dt.date(2026, 11, 20)
    assert judged_as_of(latest, dt.date(2026, 11, 20)) == dt.date(2026, 11, 20)
    assert judged_as_of(latest, dt.date(2025, 1, 1)) == dt.date(2025, 1, 1)


def test_a_day_after_the_data_points_at_a_newer_snapshot(sample_ws: Workspace) -> None:
    first = resolve_snapshot(sample_ws, "1")
    with pytest.raises(KopsError) as refused:
        judged_as_of(first, dt.date(2026, 11, 10))
    assert str(refused.value) == (
        "--as-of 2026-11-10 is after the data: snapshot 0001 runs to 2026-10-20"
    )
    assert refused.value.hint == "snapshot 0002 runs to 2026-11-20: pass --snapshot 0002"


def test_a_day_after_every_snapshot_asks_for_newer_exports(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_NOW", "2026-12-06T10:00:00+09:00")
    with pytest.raises(KopsError) as refused:
        judged_as_of(resolve_snapshot(sample_ws, None), dt.date(2027, 1, 5))
    assert str(refused.value).endswith(
        "runs to 2026-11-20 (and in the future: today is 2026-12-06)"
    )
    assert "kops ingest" in (refused.value.hint or "")
    assert "on or before 2026-11-20" in (refused.value.hint or "")
