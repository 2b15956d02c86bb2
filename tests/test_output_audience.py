"""Every output says who may see it (事務局内限り / 共有可): on the file, on the
terminal and in the audit log; each command's default follows its audience; a
list of people has no shared form; a window other than 30d and 90d is the
secretariat's own view only. Files are read back; figures recounted from the
sample's export files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from conftest import DECK, REPORT_30D, REPORT_THEN_DECK, SAMPLE, Cli, RunSample
from kakeai_ops.privacy.audiences import DEFAULTS, SECRETARIAT, SHARED, AudienceError, resolve
from kakeai_ops.store import latest_snapshot
from kakeai_ops.store.published import published_figures
from kakeai_ops.workspace import Workspace
from workbooks import overview_records


def test_each_command_has_its_audience_and_lists_of_people_no_shared_form() -> None:
    assert resolve("report divisions", None) == SHARED
    assert resolve("review", None) == SHARED
    assert resolve("mail report", None) == SHARED
    assert resolve("segment", None) == SECRETARIAT
    assert resolve("report divisions", "Secretariat") == SECRETARIAT
    for command, audience in DEFAULTS.items():
        if audience == SECRETARIAT:
            with pytest.raises(AudienceError, match="lists people by name"):
                resolve(command, "shared")
    with pytest.raises(AudienceError, match="choose secretariat"):
        resolve("review", "everyone")


def _audit(ws: Any) -> list[dict[str, Any]]:
    result = Cli(ws)("audit", "--format", "json", "--limit", "5")
    return list(json.loads(result.stdout))


def _header(path: Path) -> str:
    sheet = load_workbook(path).worksheets[0]
    header = sheet.oddHeader
    return " ".join(part.text or "" for part in (header.left, header.center, header.right))


def _people(divisions: set[str]) -> int:
    with (SAMPLE / "2026-11" / "users.csv").open(encoding="cp932", newline="") as handle:
        users = list(csv.DictReader(handle))
    return sum(1 for u in users if u["事業部"] in divisions and u["在籍状況"] != "退職")


def test_the_division_report_is_shared_and_shows_kanri_honbu(
    sample_run: RunSample,
) -> None:
    run = sample_run(*REPORT_THEN_DECK)  # the workbook, the same report as JSON, the deck
    sample_copy, target, result = run.ws, run.out / "r.xlsx", run.results[0]
    assert "Audience: shared" in result.stderr
    assert "共有可" in _header(target) and "事務局内限り" not in _header(target)
    [entry] = [e for e in _audit(sample_copy) if e.get("files") and str(target) in e["files"]]
    assert '"audience": "shared"' in json.dumps(entry, ensure_ascii=False)
    rows = {
        name: figures["人数"]
        for name, figures in overview_records(load_workbook(target)["概要"]).items()
        if "管理本部" in name.split("・")
    }
    [(label, headcount)] = rows.items()
    assert headcount == _people(set(label.split("・")))  # a number, not (秘匿)
    # The information loss is on the sheet, as on the terminal, counted from the cells.
    cells = [str(c) for r in load_workbook(target)["概要"].iter_rows(values_only=True) for c in r]
    [loss] = [c for c in cells if c.startswith("少人数の集計を守るため: ")]
    json_cells = json.loads(run.results[1].stdout)
    figures = [c for c in json_cells if c["unit"] != "trend"]
    hidden = sum(1 for c in figures if c["value"] is None)
    assert f"非表示にした値 {hidden:,} / {len(figures):,}" in loss


def test_another_window_is_the_secretariats_own_view_only(sample_copy: Any, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    shared = tmp_path / "shared.xlsx"
    refused = cli("report", "divisions", "--period", "31d", "--out", str(shared), ok=False)
    assert refused.exit_code != 0 and "--audience secretariat" in refused.stderr
    assert not shared.exists()
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    before = published_figures(sample_copy, snapshot.id)
    own = tmp_path / "own.xlsx"
    args = ["report", "divisions", "--period", "31d", "--audience", "secretariat"]
    result = cli(*args, "--out", str(own))
    assert "Audience: secretariat" in result.stderr
    assert "事務局内限り" in _header(own)
    # Never shared, so not part of what later shared reports are audited with.
    assert published_figures(sample_copy, snapshot.id) == before
    mailing = cli(*args, "--all-advisors", "--out", str(tmp_path / "a"), "--mail", ok=False)
    assert mailing.exit_code != 0 and "--mail" in mailing.stderr


def test_a_list_of_people_is_the_secretariats_and_refuses_shared(
    sample_copy: Any, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    target = tmp_path / "segment.xlsx"
    result = cli("segment", "--list", "--out", str(target))
    assert "Audience: secretariat" in result.stderr
    assert "事務局内限り" in _header(target)
    other = tmp_path / "shared.xlsx"
    refused = cli("segment", "--list", "--audience", "shared", "--out", str(other), ok=False)
    assert refused.exit_code != 0 and "lists people by name" in refused.stderr
    assert not other.exists()


def _slides(path: Path) -> list[str]:
    texts = []
    for slide in Presentation(str(path)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
        texts.append("\n".join(parts))
    return texts


def test_the_shared_deck_names_no_one_and_shows_kanri_honbu(sample_run: RunSample) -> None:
    secretariat_run = sample_run(("review", "--out", "{out}/own.pptx", "--audience", "secretariat"))
    own = secretariat_run.out / "own.pptx"
    # The shared deck of the sample as the tests of the deck's figures read it.
    shared_run = sample_run(*DECK, REPORT_30D[1])
    deck, result = shared_run.out / "deck.pptx", shared_run.results[0]
    assert "Audience: shared" in result.stderr
    shared, secretariat = _slides(deck), _slides(own)
    assert "社外秘・共有可" in shared[0] and "社外秘・事務局内限り" in secretariat[0]
    # The secretariat's version names the interview candidates; the shared one nobody.
    with (SAMPLE / "2026-11" / "users.csv").open(encoding="cp932", newline="") as handle:
        names = {u["氏名"] for u in csv.DictReader(handle)}
    named = {n for n in names if any(n in text for text in secretariat)}
    assert named, "a weak test: the secretariat's deck names no one"
    assert not {n for n in names if any(n in text for text in shared)}
    book = load_workbook(shared_run.out / "deck.xlsx")
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row}
    assert not named & cells
    # The division slide shows 管理本部 (with 経営企画室 merged in), its people recounted.
    division = next(text for text in shared if "事業部別の主要指標" in text)
    label = next(line for line in division.split("\n") if line.startswith("管理本部"))
    lines = division.split("\n")
    people = lines[lines.index(label) + 1]
    assert people == f"{_people(set(label.split('・')))}人"


def test_the_audience_line_is_said_in_each_language(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    japanese = cli("segment", env={"KOPS_LANG": "ja", "KOPS_QUIET": None})
    assert "公開範囲: 事務局内限り（secretariat）" in japanese.stderr
    english = cli("segment", env={"KOPS_QUIET": None})
    assert "Audience: secretariat" in english.stderr and "公開範囲" not in english.stderr
