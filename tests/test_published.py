"""What kops recorded as published, read back for the next audit (store/published.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from conftest import Cli
from kakeai_ops.store import list_snapshots
from kakeai_ops.store.published import published_reports
from kakeai_ops.workspace import Workspace

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 20))


def recorded_rows(ws: Workspace) -> int:
    with sqlite3.connect(ws.db_path) as db:
        return int(db.execute("SELECT count(*) FROM published WHERE figure != ''").fetchone()[0])


def test_a_report_made_again_is_read_once_and_changes_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """Each run is recorded (who got which figures in which file), but a report made again
    with the same figures adds nothing an attacker did not have: the next audit reads it
    once, so a month of rehearsals does not slow every later report, and what it hides
    stays the same."""
    cli = Cli(sample_copy)
    snapshot = list_snapshots(sample_copy)[-1].id
    first = cli("report", "divisions", "--format", "csv").stdout
    rows_once = recorded_rows(sample_copy)
    same_once, other_once = published_reports(sample_copy, snapshot, *NOVEMBER)
    assert rows_once > 0 and same_once

    again = [cli("report", "divisions", "--format", "csv").stdout for _ in range(2)]
    assert again == [first, first]  # the same figures hidden each time
    assert recorded_rows(sample_copy) == 3 * rows_once  # every run is on record
    same, other = published_reports(sample_copy, snapshot, *NOVEMBER)
    assert len(same) == len(same_once) and len(other) == len(other_once)
    assert [[c.node for c in r] for r in same] == [[c.node for c in r] for r in same_once]

    # A report of another period is not a copy: it is read beside the first.
    cli("report", "divisions", "--period", "month:2026-11", "--out", str(tmp_path / "m.xlsx"))
    assert len(published_reports(sample_copy, snapshot, *NOVEMBER)[0]) > len(same_once)


def test_copies_are_told_apart_by_their_figures_alone(sample_copy: Workspace) -> None:
    """Two records that differ in one figure (here: one shown value changed by hand) are
    two reports, both read."""
    cli = Cli(sample_copy)
    snapshot = list_snapshots(sample_copy)[-1].id
    cli("report", "divisions", "--format", "csv")
    cli("report", "divisions", "--format", "csv")
    with sqlite3.connect(sample_copy.db_path) as db:
        (count,) = db.execute("SELECT count(*) FROM published WHERE figure != ''").fetchone()
        rowid, text = db.execute(
            "SELECT rowid, figure FROM published WHERE figure GLOB '*\"value\": [0-9]*' "
            "ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE published SET figure = ? WHERE rowid = ?",
            (text.replace('"value": ', '"value": 1000', 1), rowid),
        )
    same, _ = published_reports(sample_copy, snapshot, *NOVEMBER)
    with sqlite3.connect(sample_copy.db_path) as db:
        db.execute("UPDATE published SET figure = ? WHERE rowid = ?", (text, rowid))
    unchanged, _ = published_reports(sample_copy, snapshot, *NOVEMBER)
    assert len(same) == len(unchanged) + 1
    assert count > 0
