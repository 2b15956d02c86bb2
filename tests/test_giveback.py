"""Complements the final audit shows unnecessary are shown again, the largest first;
what privacy costs each publication set is counted, and on the sample no 事業部
of 10 or more people is hidden."""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import SAMPLE
from kakeai_ops.cli.demo import configure_sample
from kakeai_ops.config import load_settings
from kakeai_ops.jobs.division_report import Publication, build_publication
from kakeai_ops.privacy.audit import audit
from kakeai_ops.privacy.cells import COUNT_UNITS, PRIMARY, SECONDARY, Cell
from kakeai_ops.privacy.giveback import give_back
from kakeai_ops.privacy.publication import joint_cells
from kakeai_ops.store import latest_snapshot, load_tables


def sum_cell(division: str | None, raw: int, state: str = "") -> Cell:
    return Cell(
        table="overview",
        period="2026-11",
        division=division,
        department=None,
        metric="held",
        unit="meetings",
        raw=float(raw),
        size=raw,
        threshold=5,
        additive=True,
        state=state,
    )


def test_of_two_complements_where_one_is_enough_the_larger_is_shown() -> None:
    """A (3) is small; B (30) and C (67) were both hidden beside it. One complement
    keeps A from 0…4: C, the larger, is shown again, B stays hidden."""
    cells = [
        sum_cell(None, 100),
        sum_cell("A", 3, PRIMARY),
        sum_cell("B", 30, SECONDARY),
        sum_cell("C", 67, SECONDARY),
    ]
    assert give_back([cells]) == 1
    assert [c.shown for c in cells] == ["100", "<5", "(秘匿)", "67"]
    assert audit(cells) == []


def test_a_needed_complement_stays_hidden() -> None:
    cells = [sum_cell(None, 40), sum_cell("A", 3, PRIMARY), sum_cell("B", 37, SECONDARY)]
    assert give_back([cells]) == 0
    assert cells[2].shown == "(秘匿)"


def test_the_choice_does_not_depend_on_the_order_of_the_cells() -> None:
    names = [(None, 120), ("A", 2), ("B", 30), ("C", 30), ("D", 58)]
    shown = set()
    for seed in range(6):
        order = list(names)
        random.Random(seed).shuffle(order)
        cells = [
            sum_cell(d, n, "" if d is None else PRIMARY if n < 5 else SECONDARY) for d, n in order
        ]
        give_back([cells])
        assert audit(cells) == []
        shown.add(frozenset(c.division for c in cells if not c.hidden))
    # B and C are the same size: the name decides, the same way every time.
    assert shown == {frozenset({None, "D", "B"})}


def test_what_is_given_back_leaves_the_independent_attacker_nothing() -> None:
    """The attacker of test_publication, written from the published records alone."""
    from factories import organisation
    from kakeai_ops.config import Settings
    from test_publication import AS_OF as WHEN
    from test_publication import COMPLEMENT_SHAPE, attacker

    publication = build_publication(organisation(COMPLEMENT_SHAPE), Settings(), WHEN, "30d")
    assert publication.company.given_back > 0, "a weak test: nothing was given back"
    assert attacker([publication.company], COMPLEMENT_SHAPE) == []


# ---- the sample tenant -----------------------------------------------------


# The sample's tables, its settings, the publications built from them by period.
Sample = tuple[Any, Any, dict[str, Publication]]


@pytest.fixture(scope="module")
def sample(sample_ws: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    """The sample tenant with the sample company's advisors (as `kops demo` sets them),
    and the publications built from it so far: a period's set is built once for the file
    (the tests only read it)."""
    snapshot = latest_snapshot(sample_ws)
    assert snapshot is not None
    root = tmp_path_factory.mktemp("sample-settings")
    shutil.copy(sample_ws.config_path, root / "kops.yaml")
    configure_sample(root)
    yield load_tables(snapshot), load_settings(root / "kops.yaml"), {}


AS_OF = dt.date(2026, 11, 20)


def _publication(sample: Sample, period: str) -> Publication:
    tables, settings, built = sample
    if period not in built:
        built[period] = build_publication(tables, settings, AS_OF, period)
    return built[period]


def _reports(publication: Publication) -> list[list[Cell]]:
    return [publication.company.cells, *(r.cells for r in publication.advisors.values())]


@pytest.mark.parametrize("period", ["30d", "90d"])
def test_every_complement_left_on_the_sample_is_needed(sample: Sample, period: str) -> None:
    """Independently of the trial audit: the full audit of the set finds nothing, and
    each complementary count left hidden, shown with the figures computed from it,
    lets it work something out."""
    publication = _publication(sample, period)
    # The whole set: 30d is published with 90d, and each constrains the other.
    reports = [r.cells for r in publication.family]
    for cells in reports:
        assert audit(cells) == []
    joint, _ = joint_cells(reports, publication.companies)
    assert audit(joint) == []
    complements = [i for i, c in enumerate(joint) if c.state == SECONDARY and c.unit in COUNT_UNITS]
    assert complements, "a weak test: nothing complementary left on the sample"
    for i in complements:
        shown = {i} | {
            j
            for j, c in enumerate(joint)
            if c.state == SECONDARY and c.unit not in COUNT_UNITS and i in c.depends
        }
        saved = {j: joint[j].state for j in shown}
        for j in shown:
            joint[j].state = ""
        assert audit(joint), f"complement {joint[i].record()} was not needed"
        for j, state in saved.items():
            joint[j].state = state


def _hidden_complements(publication: Publication) -> set[tuple[Any, ...]]:
    return {
        (c.table, c.division, c.department, c.metric)
        for c in publication.company.cells
        if c.state == SECONDARY and c.table in ("overview", "departments")
    }


def test_the_hidden_choice_is_the_same_in_two_consecutive_months(
    sample: Sample,
) -> None:
    october = _publication(sample, "month:2026-10")
    november = _publication(sample, "month:2026-11")
    assert _hidden_complements(october) == _hidden_complements(november)
    for publication in (october, november):
        joint, _ = joint_cells(_reports(publication))
        assert not [c for c in joint if c.table == "overview" and c.hidden and c.size >= 10]


# ---- independent recounts from the sample's export files ----------------------


def _users(month: str) -> list[dict[str, str]]:
    with (SAMPLE / month / "users.csv").open(encoding="cp932", newline="") as handle:
        return list(csv.DictReader(handle))


def _people(month: str, divisions: set[str]) -> int:
    return sum(1 for u in _users(month) if u["事業部"] in divisions and u["在籍状況"] != "退職")


@pytest.mark.parametrize("period", ["30d", "90d"])
def test_no_division_of_ten_or_more_is_hidden_in_the_overview(sample: Sample, period: str) -> None:
    publication = _publication(sample, period)
    for report in [publication.company, *publication.advisors.values()]:
        rows = {c.division: c for c in report.cells if c.table == "overview"}
        for cell in report.cells:
            if cell.table == "overview" and cell.unit != "trend":
                people = rows[cell.division].size if cell.metric == "headcount" else cell.size
                assert not (cell.hidden and people >= 10 and cell.state == SECONDARY), cell
    overview = publication.company.overview.set_index("division")
    # 管理本部 (49) is shown, alone or with the small 経営企画室 (3) it was merged with.
    row = next(label for label in overview.index if "管理本部" in str(label).split("・"))
    assert overview.loc[row, "headcount"] == _people("2026-11", set(row.split("・")))
    assert all(not isinstance(v, str) for v in overview["headcount"])


def test_the_loss_of_the_set_counts_every_report(sample: Sample) -> None:
    publication = _publication(sample, "90d")
    loss = publication.loss()
    reports = [publication.company, *publication.advisors.values()]
    assert loss["reports"] == len(reports)
    assert loss["figures"] == sum(len([c for c in r.cells if c.unit != "trend"]) for r in reports)
    assert loss["hidden"] == sum(
        1 for r in reports for c in r.cells if c.unit != "trend" and c.hidden
    )
    # Only inside a merged row: 経営企画室 and 管理本部's unassigned, whose one row would
    # hold a single 部下, with 人事部 (人事部・その他の部署（2部署）); 製造本部's unassigned
    # with 第一工場 (第一工場・その他の部署（1部署）).
    merged = {
        ("管理本部", ""),
        ("管理本部", "人事部"),
        ("経営企画室", "経営企画室"),
        ("製造本部", ""),
        ("製造本部", "第一工場"),
    }
    users = [u for u in _users("2026-11") if u["在籍状況"] != "退職"]
    recount = sum(1 for u in users if (u["事業部"], u["部署"]) in merged)
    assert loss["people_merged"] == publication.company.merged_people == recount
    assert loss["rows_hidden"] == loss["people_hidden"] == 0
