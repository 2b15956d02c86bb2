"""Every advisor's division report written and recorded, without the CLI: the files, the
audit log's entries, the figures hidden as the dry run lists them, and the advisors whose
report would show nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from openpyxl import load_workbook

from kakeai_ops.analyses import divisions as division_figures
from kakeai_ops.config import load_settings
from kakeai_ops.jobs.advisor_reports import AdvisorReports, nothing_shown, write_advisor_reports
from kakeai_ops.jobs.division_report import Publication, publication_for
from kakeai_ops.store import audit_entries, load_tables, resolve_snapshot
from kakeai_ops.workspace import Workspace
from test_report import ADVISORS, with_advisors

AS_OF = dt.date(2026, 11, 20)


def _write(
    ws: Workspace, directory: Path, include_empty: bool = False
) -> tuple[Publication, AdvisorReports]:
    settings = load_settings(ws.config_path)
    snap = resolve_snapshot(ws, None)
    tables = load_tables(snap, columns=division_figures.NEEDED_COLUMNS)
    publication = publication_for(ws, settings, tables, snap.id, AS_OF, "90d")
    written = write_advisor_reports(
        ws, publication, snap.id, directory, list(settings.advisors), period="90d",
        audience="shared", include_empty=include_empty,
    )  # fmt: skip
    return publication, written


def test_each_advisor_gets_a_recorded_file(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    publication, written = _write(sample_copy, tmp_path / "out")
    assert list(written.files) == list(ADVISORS) and written.empty == []
    for name, path in written.files.items():
        assert path.parent == tmp_path / "out" and path.suffix == ".xlsx"
        load_workbook(path)  # a workbook Excel opens
        # A figure is a cell the workbook shows as a number; the trend arrows are not.
        cells = [c for c in publication.report(name).cells if c.unit != "trend"]
        hidden = sum(1 for c in cells if c.hidden)
        assert written.hidden[name] == f"{hidden:,} / {len(cells):,}"
    entries = audit_entries(sample_copy, 10)
    recorded = entries[entries["action"] == "report divisions"]
    assert sorted(recorded["target"]) == sorted(ADVISORS)
    assert written.caption == publication.company.period.caption


def test_a_report_showing_nothing_is_left_out_unless_asked(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["privacy"].update(min_group=400, min_group_sensitive=400)  # every group hidden
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    publication, written = _write(sample_copy, tmp_path / "a")
    assert all(nothing_shown(publication.report(name)) for name in ADVISORS)
    assert written.empty == list(ADVISORS) and written.files == {}
    assert not list((tmp_path / "a").glob("*.xlsx"))
    _publication, anyway = _write(sample_copy, tmp_path / "b", include_empty=True)
    assert list(anyway.files) == list(ADVISORS)
