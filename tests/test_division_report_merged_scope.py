"""An advisor whose scope is a small unit merged with a sibling (経営企画室, 3 people,
shown in the company report as 「管理本部・経営企画室」) receives rows of their scope
only: not the merged row, which holds 管理本部's 49 people. Their own figures are
too few to show, so the report shows them hidden, with one sentence saying why;
no figure or name of 管理本部 reaches their file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from factories import organisation
from kakeai_ops.config import Advisor, Settings
from kakeai_ops.config.rule_settings import Privacy
from kakeai_ops.jobs.division_report import build_publication
from kakeai_ops.outputs.report_xlsx import write_report
from test_publication import AS_OF, SHAPE, attacker

MERGED = Privacy(merge=[["経営企画室", "管理本部"]])


def settings(advisors: dict[str, list[str]]) -> Settings:
    return Settings(
        advisors={
            name: Advisor(email=f"a{i}@example.jp", scope=scope)
            for i, (name, scope) in enumerate(advisors.items())
        },
        privacy=MERGED,
    )


def _strings(records: list[dict[str, Any]], notes: list[str]) -> str:
    return " ".join(str(v) for r in records for v in r.values()) + " ".join(notes)


def test_the_small_units_advisor_gets_their_own_rows_hidden_not_the_merged_row(
    tmp_path: Path,
) -> None:
    advisors = {"経営企画室長": ["経営企画室"], "管理本部長": ["管理本部"]}
    publication = build_publication(organisation(SHAPE), settings(advisors), AS_OF, "30d")
    company = publication.company.overview.set_index("division")
    assert "管理本部・経営企画室" in company.index  # the company report merges them
    own = publication.advisors["経営企画室長"]
    records = own.records()
    assert {r["division"] for r in records} <= {None, "経営企画室"}
    assert {r["department"] for r in records} <= {None, "経営企画室"}
    assert all(r["value"] is None for r in records), "a figure of 3 people was shown"
    assert "管理本部" not in _strings(records, own.notes)
    [why] = [n for n in own.notes if "値を表示しません" in n]
    assert why.startswith("経営企画室は5人未満")
    # 管理本部長 holds the merged row whole (管理本部 alone would give 経営企画室 back).
    head = publication.advisors["管理本部長"].overview.set_index("division")
    assert list(head.index) == ["管理本部・経営企画室"]
    assert head.loc["管理本部・経営企画室", "headcount"] == sum(SHAPE["管理本部"].values()) + 3
    assert attacker([publication.company, *publication.advisors.values()], SHAPE) == []
    # The file says it on the overview sheet, under the table.
    path = tmp_path / "own.xlsx"
    write_report(own, path)
    cells = [str(c) for row in load_workbook(path)["概要"].iter_rows(values_only=True) for c in row]
    # A note wider than the sheet is written on lines broken between its clauses.
    assert why in [c.replace("\n", "") for c in cells]
    assert not any("管理本部" in c for c in cells)


def test_a_scope_of_a_small_merged_unit_and_a_large_one_shows_the_large_one() -> None:
    advisors = {"本部長": ["経営企画室", "営業本部"]}
    publication = build_publication(organisation(SHAPE), settings(advisors), AS_OF, "30d")
    report = publication.advisors["本部長"]
    overview = report.overview.set_index("division")
    assert overview.loc["営業本部", "headcount"] == sum(SHAPE["営業本部"].values())
    assert isinstance(overview.loc["経営企画室", "headcount"], str)  # <5
    assert "管理本部" not in _strings(report.records(), report.notes)
    assert attacker([publication.company, *publication.advisors.values()], SHAPE) == []
