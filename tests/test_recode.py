"""Recode before you hide: small units are merged, every organisation gets a report.

Shapes built to defeat the report: small 部署 beside large ones, all-small 部署,
a one-事業部 pilot, a single 部署 of 5, a small 事業部 beside large ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import organisation as tenant
from kakeai_ops.config import Settings
from kakeai_ops.config.rule_settings import Privacy
from kakeai_ops.jobs.division_report import build_report
from kakeai_ops.privacy.audit import audit
from kakeai_ops.privacy.recode import RecodingError, recode

AS_OF = dt.date(2026, 11, 20)


def privacy(**more: Any) -> Privacy:
    return Privacy(**more)


def test_small_departments_become_one_row_within_their_division() -> None:
    rows = recode({("A", "a1"): 3, ("A", "a2"): 4, ("A", "a3"): 20}, privacy())
    assert rows.department("A", "a1") == rows.department("A", "a2") == "その他の部署（2部署）"
    assert rows.department("A", "a3") == "a3"
    assert rows.merged_people == 7
    assert any("その他の部署（2部署）" in note for note in rows.notes)


def test_a_lone_small_department_joins_the_smallest_department_beside_it() -> None:
    rows = recode({("A", "a1"): 2, ("A", "a2"): 30, ("A", "a3"): 12}, privacy())
    assert rows.department("A", "a1") == rows.department("A", "a3") == "a3・その他の部署（1部署）"
    assert rows.department("A", "a2") == "a2"


def test_small_departments_with_a_few_members_together_join_a_department_beside_them() -> None:
    """Two small 部署 make 5 people, enough for a row, but 1 部下: its 部下 figures would be
    hidden, and 人事部's whole with them (else subtracted from the total). The row joins
    the smallest 部署 beside it that no advisor sees alone (the merged row less that one
    would give the small ones back); with none, it stays apart and hiding protects it."""
    sizes = {("A", "a1"): 2, ("A", "a2"): 3, ("A", "人事部"): 14, ("A", "経理部"): 17}
    members = {("A", "a1"): 1, ("A", "人事部"): 11, ("A", "経理部"): 13}
    rows = recode(sizes, privacy(), members=members)
    assert (
        rows.department("A", "a1") == rows.department("A", "a2") == "人事部・その他の部署（2部署）"
    )
    assert rows.department("A", "人事部") == "人事部・その他の部署（2部署）"
    assert rows.department("A", "経理部") == "経理部"
    # 人事部 seen alone by an advisor: the row joins 経理部 instead; both seen alone: apart.
    one = recode(sizes, privacy(), published_alone={"A/人事部"}, members=members)
    assert one.department("A", "a1") == "経理部・その他の部署（2部署）"
    assert one.department("A", "人事部") == "人事部"
    both = recode(sizes, privacy(), published_alone={"A/人事部", "A/経理部"}, members=members)
    assert both.department("A", "a1") == "その他の部署（2部署）"
    assert both.department("A", "人事部") == "人事部"
    no_members = recode(sizes, privacy(), members={("A", "人事部"): 11})
    assert no_members.department("A", "a1") == "その他の部署（2部署）"  # no 部下 figure to hide
    enough = recode(sizes, privacy(), members={**members, ("A", "a2"): 4})
    assert enough.department("A", "a1") == "その他の部署（2部署）"  # 5 部下: shown


def test_the_merge_note_names_a_blank_department_without_brackets_in_brackets() -> None:
    rows = recode({("A", "(未設定)"): 2, ("A", "a2"): 30, ("A", "a3"): 12}, privacy())
    assert rows.department("A", "(未設定)") == "a3・その他の部署（1部署）"
    assert rows.notes == [
        "A：5人未満の部署（部署未設定）はa3と合わせて「a3・その他の部署（1部署）」として表示しています。"
    ]


def test_a_small_division_joins_its_configured_sibling_else_the_smallest() -> None:
    sizes = {
        ("管理本部", "人事部"): 49,
        ("経営企画室", "経営企画室"): 3,
        ("営業本部", "営業企画部"): 46,
    }
    default = recode(sizes, privacy())
    assert default.division("経営企画室") == "営業本部・経営企画室"
    assert default.division("管理本部") == "管理本部"
    paired = recode(sizes, privacy(merge=[["経営企画室", "管理本部"]]))
    assert paired.division("経営企画室") == paired.division("管理本部") == "管理本部・経営企画室"
    assert paired.division("営業本部") == "営業本部"
    # An advisor receives 営業本部 alone: merging into it would let them subtract.
    avoided = recode(sizes, privacy(), published_alone={"営業本部"})
    assert avoided.division("経営企画室") == "管理本部・経営企画室"


def test_the_recoding_follows_the_structure_not_the_order_of_the_rows() -> None:
    sizes = {("C", "c"): 3, ("B", "b"): 40, ("A", "a"): 40, ("D", "d"): 2}
    again = dict(reversed(list(sizes.items())))
    assert recode(sizes, privacy()).divisions == recode(again, privacy()).divisions


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (["経営企画室", "存在しない本部"], "no 事業部 or 事業部/部署"),
        (["経営企画室", "管理本部/人事部"], "not siblings"),
        (["管理本部/人事部", "経営企画室/経営企画室"], "not siblings"),
        (["経営企画室"], "two units"),
        (["管理本部", "管理本部"], "named twice"),
    ],
)
def test_a_bad_merge_pair_is_refused_naming_it(pair: list[str], message: str) -> None:
    sizes = {("管理本部", "人事部"): 49, ("経営企画室", "経営企画室"): 3}
    with pytest.raises(RecodingError, match=message) as caught:
        recode(sizes, privacy(merge=[pair]))
    assert "privacy.merge[0]" in str(caught.value)


SHAPES = {
    "two small 部署 beside a normal one": {
        "A": {"a-small3": 3, "a-small4": 4, "a-big": 20},
        "B": {"b1": 12, "b2": 15},
    },
    "one-事業部 pilot of 6 in 部署 of 4 and 2": {"P": {"p4": 4, "p2": 2}},
    "all-small 部署": {"A": {f"a{i}": 3 for i in range(5)}, "B": {"b": 30}},
    "a single 部署 of 5": {"S": {"s": 5}},
    "a small 事業部 beside large ones": {
        "管理本部": {"人事部": 16, "経理部": 17, "総務部": 16},
        "経営企画室": {"経営企画室": 3},
        "営業本部": {"営業企画部": 19, "第一営業部": 14},
    },
    "small 部署 everywhere": {
        "X": {"x1": 2, "x2": 3, "x3": 9},
        "Y": {"y1": 1, "y2": 11, "y3": 12},
        "Z": {"z1": 4},
    },
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_organisation_gets_an_audited_report(name: str) -> None:
    shape = SHAPES[name]
    report = build_report(tenant(shape), Settings(), AS_OF, "30d")
    assert audit(report.cells) == []
    overview = report.overview.set_index("division")
    people = sum(sum(d.values()) for d in shape.values())
    assert overview.loc["全社", "headcount"] == people
    # No 事業部 row of 5 or more people is hidden: small ones were merged instead.
    for division in report.divisions:
        shown = overview.loc[division, "headcount"]
        assert not isinstance(shown, str), (division, shown)
    # The rows add up to the company, people counted once.
    assert sum(overview.loc[d, "headcount"] for d in report.divisions) == people


def test_the_sample_shape_hides_no_large_division_and_says_what_was_merged() -> None:
    shape = SHAPES["a small 事業部 beside large ones"]
    report = build_report(tenant(shape), Settings(), AS_OF, "30d")
    assert "営業本部・経営企画室" in report.divisions and "管理本部" in report.divisions
    assert any("経営企画室は5人未満" in note for note in report.notes)
    assert report.merged_people == 3 + 14  # 経営企画室 with 第一営業部, the smallest 部署


def test_an_advisors_report_keeps_a_merged_label_only_for_a_whole_merged_row() -> None:
    sizes = {
        ("営業本部", "第一営業部"): 14,
        ("営業本部", "営業企画部"): 19,
        ("営業本部", "a"): 2,
        ("営業本部", "b"): 3,
        ("経営企画室", "経営企画室"): 3,
    }
    rows = recode(sizes, privacy())
    assert rows.division("経営企画室") == "営業本部・経営企画室"
    # The advisor of 営業本部 sees 営業本部 alone: its own name, never the other 事業部's.
    sales = rows.within({k: n for k, n in sizes.items() if k[0] == "営業本部"})
    assert sales.division("営業本部") == "営業本部"
    assert not any("経営企画室" in note for note in sales.notes)
    # a and b share a row with 経営企画室's people: in the scope each is its own unit.
    assert rows.department("営業本部", "a") == "その他の部署（3部署）"
    assert sales.department("営業本部", "a") == "a"
    # A scope holding every unit of each merged row keeps every row.
    assert rows.within(sizes).departments == rows.departments
    assert rows.within(sizes).divisions == rows.divisions


def test_the_information_loss_is_counted_from_what_the_report_publishes() -> None:
    report = build_report(
        tenant(SHAPES["two small 部署 beside a normal one"]), Settings(), AS_OF, "30d"
    )
    records = report.records()
    loss = report.loss()
    assert loss["figures"] == sum(r["unit"] != "trend" for r in records)
    assert loss["hidden"] == sum(r["value"] is None and r["unit"] != "trend" for r in records)
    assert loss["rows_hidden"] == 0 and loss["people_hidden"] == 0
    assert loss["people_merged"] == 3 + 4  # the two small 部署, one row of 7
    assert f"まとめた行でのみ数えた人 {3 + 4}人" in report.loss_text()


def test_on_the_sample_the_rows_are_the_same_month_after_month(sample_ws: Any) -> None:
    """October's and November's snapshots: the same rows, none hidden in the overview,
    so the deck's change column has a figure for every 事業部 (管理本部 included)."""
    from kakeai_ops.jobs.division_report import build_publication
    from kakeai_ops.store import list_snapshots, load_tables

    rows = []
    for snapshot in list_snapshots(sample_ws):
        assert snapshot.as_of is not None
        report = build_publication(load_tables(snapshot), Settings(), snapshot.as_of, "30d").company
        overview = report.overview.set_index("division")
        assert not any(isinstance(v, str) for v in overview["headcount"])
        assert not any(isinstance(v, str) for v in overview["implementation_rate"])
        rows.append(list(overview.index))
    assert len(rows) == 2 and rows[0] == rows[1]
    assert "管理本部" in rows[1]


def test_a_bad_merge_pair_in_kops_yaml_is_refused_before_anything_is_written(
    sample_copy: Any, tmp_path: Any
) -> None:
    import yaml

    from conftest import Cli

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data.setdefault("privacy", {})["merge"] = [["経営企画室", "管理本部/人事部"]]
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    target = tmp_path / "report.xlsx"
    result = Cli(sample_copy)("report", "divisions", "--out", str(target), ok=False)
    assert "privacy.merge[0]" in result.stderr and "not siblings" in result.stderr
    assert not target.exists()
    data["privacy"]["merge"] = [["経営企画室", "管理本部"]]  # a good pair: the row it names
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    Cli(sample_copy)("report", "divisions", "--out", str(target))
    from openpyxl import load_workbook

    assert "管理本部・経営企画室" in load_workbook(target).sheetnames
