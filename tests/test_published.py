"""What kops recorded as published, read back for the next audit (store/published.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import Cli, copied
from kakeai_ops.store import list_snapshots
from kakeai_ops.store.published import published_reports
from kakeai_ops.workspace import Workspace

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 20))


def recorded_rows(ws: Workspace) -> int:
    with sqlite3.connect(ws.db_path) as db:
        return int(db.execute("SELECT count(*) FROM published WHERE figure != ''").fetchone()[0])


@dataclass(frozen=True)
class Twice:
    """The sample after `report divisions --format csv` ran twice, and what was known
    after the first run."""

    ws: Workspace
    outputs: list[str]
    rows_once: int
    reports_once: tuple[int, int]
    nodes_once: list[list[object]]


@pytest.fixture(scope="module")
def twice(sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Twice:
    ws = copied(sample_ws, tmp_path_factory.mktemp("published") / "ws")
    cli = Cli(ws)
    snapshot = list_snapshots(ws)[-1].id
    first = cli("report", "divisions", "--format", "csv").stdout
    same, other = published_reports(ws, snapshot, *NOVEMBER)
    rows_once = recorded_rows(ws)
    again = cli("report", "divisions", "--format", "csv").stdout
    nodes = [[c.node for c in r] for r in same]
    return Twice(ws, [first, again], rows_once, (len(same), len(other)), nodes)


def test_a_report_made_again_is_read_once_and_changes_nothing(twice: Twice, tmp_path: Path) -> None:
    """Each run is recorded (who got which figures in which file), but a report made again
    with the same figures adds nothing an attacker did not have: the next audit reads it
    once, so a month of rehearsals does not slow every later report, and what it hides
    stays the same."""
    ws = copied(twice.ws, tmp_path / "ws")
    snapshot = list_snapshots(ws)[-1].id
    assert twice.rows_once > 0 and twice.reports_once[0] > 0
    assert twice.outputs[1] == twice.outputs[0]  # the same figures hidden each time
    assert recorded_rows(ws) == 2 * twice.rows_once  # every run is on record
    same, other = published_reports(ws, snapshot, *NOVEMBER)
    assert (len(same), len(other)) == twice.reports_once
    assert [[c.node for c in r] for r in same] == twice.nodes_once


def test_copies_are_told_apart_by_their_figures_alone(twice: Twice, tmp_path: Path) -> None:
    """Two records that differ in one figure (here: one shown value changed by hand) are
    two reports, both read."""
    ws = copied(twice.ws, tmp_path / "ws")
    snapshot = list_snapshots(ws)[-1].id
    with sqlite3.connect(ws.db_path) as db:
        rowid, text = db.execute(
            "SELECT rowid, figure FROM published WHERE figure GLOB '*\"value\": [0-9]*' "
            "ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE published SET figure = ? WHERE rowid = ?",
            (text.replace('"value": ', '"value": 1000', 1), rowid),
        )
    assert len(published_reports(ws, snapshot, *NOVEMBER)[0]) == twice.reports_once[0] + 1


def test_a_figure_is_recorded_as_its_json_and_each_node_under_its_own_name() -> None:
    # The record's text is put together from the node's JSON made once per node, and the
    # node's name (its digest) is remembered per node: each must be that node's own.
    import hashlib
    import json

    from factories import organisation
    from kakeai_ops.jobs.division_report import build_publication
    from kakeai_ops.privacy.publication import node_digest, node_key
    from kakeai_ops.store.published import _figure, _figure_text
    from test_publication import ADVISORS, AS_OF, SHAPE, settings

    publication = build_publication(organisation(SHAPE), settings(ADVISORS), AS_OF, "30d")
    names: dict[str, str] = {}
    for number, report in enumerate(publication.family):
        for index, cell in enumerate(report.cells):
            if cell.node is None:
                continue
            text = json.dumps(node_key(cell.node), ensure_ascii=False, default=str)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
            assert node_digest(cell) == digest
            assert names.setdefault(digest, text) == text
            written = _figure_text(cell, index, f"{number:032d}")
            assert written == json.dumps(_figure(cell, index, f"{number:032d}"), ensure_ascii=False)
            assert json.loads(written)["node"] == json.loads(text)
    assert len(names) > 100
