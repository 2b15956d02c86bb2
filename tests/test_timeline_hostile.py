"""Hostile snapshots: the same older export given twice makes one snapshot."""

from __future__ import annotations

from conftest import SAMPLE, Cli, tree_digest
from kakeai_ops.store import list_snapshots
from kakeai_ops.workspace import Workspace

OCTOBER = sorted(map(str, (SAMPLE / "2026-10").iterdir()))


def test_the_same_older_export_twice_makes_one_snapshot(sample_copy: Workspace) -> None:
    """--older stores an older export once; the same files again add nothing (the merged
    1on1s keep November's, so the export always looks older than the snapshot)."""
    cli = Cli(sample_copy)
    cli("ingest", "--older", *OCTOBER)
    before = tree_digest(sample_copy.root)
    result = cli("ingest", "--older", *OCTOBER)
    assert "already ingested as snapshot 0003" in result.stderr
    assert [s.id for s in list_snapshots(sample_copy)] == ["0001", "0002", "0003"]
    assert tree_digest(sample_copy.root) == before
