"""A hostile user of kops review: bad --out, one snapshot, nothing the report hides, seminar groups as the summary counts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import DECK, Cli, RunSample, SampleRun
from kakeai_ops.workspace import Workspace
from test_entries_hostile import _refused_unchanged
from test_survey_text_hostile import _survey
from workbooks import sheet_records


def test_review_out_that_is_a_directory_is_refused(sample_copy: Workspace, tmp_path: Path) -> None:
    (tmp_path / "deck.pptx").mkdir()
    (tmp_path / "figures.xlsx").mkdir()
    for args in (
        ["--out", str(tmp_path / "deck.pptx")],
        ["--out", str(tmp_path / "d.pptx"), "--xlsx", str(tmp_path / "figures.xlsx")],
    ):
        stderr = _refused_unchanged(sample_copy, "review", *args)
        assert "is a directory" in stderr
    assert not (tmp_path / "d.pptx").exists()


@pytest.fixture(scope="module")
def seminar_review(
    seminar_ws: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A copy of the sample with Month1 held and a survey whose free texts make a group
    too small to show, its summary, and its deck written to paths that look like Rich
    markup: one review run read by the test of the printed paths and the test of the
    seminar groups."""
    base = tmp_path_factory.mktemp("seminar-review")
    shutil.copytree(seminar_ws.root, base / "ws")
    cli = Cli(Workspace(base / "ws"))
    texts = [f"1on1の頻度はどのくらいが良いか{i}" for i in range(7)]
    cli("seminar", "survey", "month1", str(_survey(base, texts)))
    summary = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    (base / "[").mkdir()
    deck, figures = base / "[/bold]deck.pptx", base / "[red]figures.xlsx"
    result = cli("review", "--out", str(deck), "--xlsx", str(figures))
    return {"summary": summary, "deck": deck, "figures": figures, "result": result}


def test_review_paths_are_printed_as_written(seminar_review: dict[str, Any]) -> None:
    deck, figures = seminar_review["deck"], seminar_review["figures"]
    stderr = seminar_review["result"].stderr
    assert f"Wrote the review deck to {deck}" in stderr
    assert f"Wrote every figure to {figures}" in stderr
    assert deck.is_file() and figures.is_file()


def test_review_of_a_workspace_with_one_snapshot(october_review: SampleRun) -> None:
    book = load_workbook(october_review.out / "figures.xlsx")
    first = sheet_records(book, book.sheetnames[0])
    assert all(r["before"] is None for r in first) and all(r["now"] is not None for r in first)


def _published(report_json: str) -> dict[str, str]:
    rows = json.loads(report_json)
    return {
        r["division"]: r["shown"]
        for r in rows
        if r["table"] == "overview" and r["metric"] == "headcount" and r["division"]
    }


def test_review_divisions_reveal_nothing_the_report_hides(
    sample_run: RunSample,
) -> None:
    # The deck, then the division report (what it published) on the same workspace.
    run = sample_run(*DECK, ("report", "divisions", "--period", "30d", "--format", "json"))
    published = _published(run.result.stdout)
    # The sample's small 事業部 is merged, not hidden (hidden rows: test_monthly_review.py).
    assert any("経営企画室" in d for d in published) and "経営企画室" not in published
    book = load_workbook(run.out / "deck.xlsx")
    sheet = next(s for s in book.worksheets if "事業部" in s.title)
    for record in sheet_records(book, sheet.title):
        row = list(record.values())
        if record["division"] in published:
            assert str(record["headcount"]) == published[str(record["division"])]
            if not published[str(record["division"])].isdigit():
                hidden = [v for v in row if isinstance(v, int | float)]
                assert not hidden, f"{record['division']}: a figure next to a hidden one"


def test_review_seminar_groups_are_the_summary_counts(seminar_review: dict[str, Any]) -> None:
    summary = seminar_review["summary"]
    # The summary is the secretariat's (every count exact); the review is shared, and
    # shows a group under min_group as 「<5」.
    groups = {g["group"]: g["answers"] for g in summary["自由記述"]}
    assert all(isinstance(n, int) for n in groups.values())
    assert any(n < 5 for n in groups.values()), "nothing hidden: a weak test"
    book = load_workbook(seminar_review["figures"])
    sheet = next(s for s in book.worksheets if "month1" in s.title)
    shown = {
        str(r["label"]).removeprefix("今、知りたいこと："): r["value"]
        for r in sheet_records(book, sheet.title)
        if str(r["label"]).startswith("今、知りたいこと：")
    }
    assert shown
    for group, value in shown.items():
        assert value == (groups[group] if groups[group] >= 5 else "<5"), (group, value, groups)


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError])
def test_a_review_stopped_before_its_workbook_is_written_leaves_the_old_pair(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: type
) -> None:
    """Ctrl-C after the deck was written but before the workbook left a new deck beside
    last month's workbook, and no audit entry: the two are put in place together."""
    from kakeai_ops.jobs import monthly_review

    out = tmp_path / "out"
    out.mkdir()
    deck, book = out / "review.pptx", out / "review.xlsx"
    deck.write_bytes(b"last month's deck")
    book.write_bytes(b"last month's workbook")

    def stopped(*_args: Any) -> None:
        raise stop()

    monkeypatch.setattr(monthly_review, "write_review_workbook", stopped)
    audit_before = Cli(sample_copy)("audit", "--format", "json").stdout
    result = Cli(sample_copy)("review", "--out", str(deck), "--xlsx", str(book), ok=False)
    assert result.exit_code != 0
    assert deck.read_bytes() == b"last month's deck"
    assert book.read_bytes() == b"last month's workbook"
    assert sorted(p.name for p in out.iterdir()) == ["review.pptx", "review.xlsx"]
    assert Cli(sample_copy)("audit", "--format", "json").stdout == audit_before
    monkeypatch.undo()
    Cli(sample_copy)("review", "--out", str(deck), "--xlsx", str(book))
    assert deck.read_bytes()[:2] == book.read_bytes()[:2] == b"PK"  # both new, together


def test_the_seminar_sheet_ranks_the_chosen_themes_as_the_slide_does(
    seminar_review: dict[str, Any],
) -> None:
    """The slide ranked the chosen themes; the sheet did not, and called the free text's
    groups 「知りたいテーマ」 (the chosen ones' name). Recounted from the summary (the
    secretariat's exact counts), a choice of fewer than five hidden as on the slide."""
    summary = seminar_review["summary"]
    book = load_workbook(seminar_review["figures"])
    sheet = next(s for s in book.worksheets if "month1" in s.title)
    rows = {str(r["label"]): r["value"] for r in sheet_records(book, sheet.title)}
    chosen = {
        label.removeprefix("知りたいテーマ（選んだ人）："): value
        for label, value in rows.items()
        if label.startswith("知りたいテーマ（選んだ人）：")
    }
    exact = {r["interest"]: r["chosen_by"] for r in summary["知りたいテーマ"]}
    assert chosen == {k: (n if n >= 5 else "<5") for k, n in exact.items()}
    assert any(v == "<5" for v in chosen.values()) and any(v != "<5" for v in chosen.values())
