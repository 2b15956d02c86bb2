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


def _label_rows(path: Path, sheet: str) -> dict[str, list[object]]:
    """A sheet's rows by their first cell (its first row of that name), line breaks taken
    out."""
    found: dict[str, list[object]] = {}
    for row in load_workbook(path)[sheet].iter_rows(values_only=True):
        if row and row[0] is not None:
            found.setdefault(str(row[0]).replace("\n", ""), list(row))
    return found


def test_a_scope_of_part_of_a_division_names_its_departments(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """開発HRBP sees 製品開発部 and 品質保証部 only: their rows are not 開発本部's, and under
    the bare name a reader takes 31 people for the whole 事業部. The report names the part
    (「開発本部（製品開発部・品質保証部）」) and its total is 計, not 事業部計; a whole 事業部
    keeps its name."""
    with_advisors(sample_copy)
    publication, written = _write(sample_copy, tmp_path / "out")
    part = "開発本部（製品開発部・品質保証部）"
    book = load_workbook(written.files["開発HRBP"])
    assert part in book.sheetnames and "開発本部" not in book.sheetnames
    overview = _label_rows(written.files["開発HRBP"], "概要")
    assert part in overview and "開発本部" not in overview
    sheet = _label_rows(written.files["開発HRBP"], part)
    assert "事業部計" not in sheet and "計" in sheet
    assert sheet["計"][1] == sheet["製品開発部"][1] + sheet["品質保証部"][1]  # 人数
    assert sheet["計"][1] == overview[part][1]
    values = _label_rows(written.files["開発HRBP"], "グラフの値")
    # Its rate chart is drawn by 部署, under a title that names the part.
    assert any(str(key).endswith(f"・{part}の部署別") for key in values)
    assert "開発本部" not in values
    # The whole 事業部, in the company report, is more people under its own name.
    whole = publication.company.overview.set_index("division").loc["開発本部", "headcount"]
    assert whole > sheet["計"][1]
    sales = _label_rows(written.files["営業本部長"], "営業本部")
    assert "事業部計" in sales and "営業本部" in _label_rows(written.files["営業本部長"], "概要")


def test_a_division_listed_by_all_its_departments_keeps_its_name() -> None:
    import pandas as pd

    from kakeai_ops.analyses.advisor_scopes import part_captions
    from kakeai_ops.config import ScopeUnit

    users = pd.DataFrame(
        {
            "division": ["開発本部", "開発本部", "開発本部", "営業本部"],
            "department": ["製品開発部", "品質保証部", "品質保証部", "第一営業部"],
        }
    )
    both = [ScopeUnit(division="開発本部", department=d) for d in ("製品開発部", "品質保証部")]
    assert part_captions(users, both) == {}
    assert part_captions(users, both[:1]) == {"開発本部": "開発本部（製品開発部）"}
    assert part_captions(users, [*both[:1], ScopeUnit(division="開発本部")]) == {}
    # Someone of 開発本部 with no 部署 is outside every 部署 listed: still a part.
    users.loc[len(users)] = ["開発本部", None]
    assert part_captions(users, both) == {"開発本部": "開発本部（製品開発部・品質保証部）"}
