"""The publication set: an attacker holding the company report and every advisor's
report of the same period narrows no hidden figure, and no small unit's figures.

The attacker here is written from the published records alone: each row is a set
of the tenant's 部署 read off its label (a 部署 name, 「X・その他の部署（n部署）」,
「その他の部署（n部署）」, a 事業部 or 「A・B」), the figures are sums of per-部署
unknowns, and linear programming gives each hidden figure's narrowest range.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pytest

from conftest import DECK, REPORT_30D, REPORT_THEN_DECK, RunSample, SampleRun
from factories import organisation
from kakeai_ops import glossary
from kakeai_ops.config import Advisor, ScopeUnit, Settings
from kakeai_ops.jobs.division_report import DivisionReport, Publication, build_publication
from kakeai_ops.privacy.cells import SECONDARY
from kakeai_ops.workspace import Workspace

AS_OF = dt.date(2026, 11, 20)
OTHERS = re.compile(r"^(?:(.+)・)?その他の部署（\d+部署）$")
MINIMUM = 5

SHAPE = {
    "製造本部": {"生産管理部": 18, "第一工場": 17, "調達部": 17, "(未設定)": 2},
    "管理本部": {"人事部": 14, "経理部": 17, "総務部": 16, "(未設定)": 1},
    "経営企画室": {"経営企画室": 3},
    "営業本部": {"営業企画部": 19, "第一営業部": 14},
}
ADVISORS = {
    "製造HRBP": ["製造本部/調達部"],
    "管理本部長": ["管理本部"],
    "営業本部長": ["営業本部"],
    "製造本部長": ["製造本部/生産管理部", "製造本部/第一工場"],
}


def settings(advisors: dict[str, list[str]]) -> Settings:
    return Settings(
        advisors={
            name: Advisor(email=f"a{i}@example.jp", scope=scope)
            for i, (name, scope) in enumerate(advisors.items())
        }
    )


Unit = tuple[str, str]


def row_units(label: str | None, department: str | None, shape: dict, rows: set) -> set[Unit]:
    """The tenant's 部署 behind a row, from its labels only."""
    divisions = [d for d in (label or "").split("・") if d in shape] if label else list(shape)
    if department is None:
        return {(d, p) for d in divisions for p in shape[d]}
    found = OTHERS.match(department)
    if found is None:
        return {(d, department) for d in divisions if department in shape[d]} or {
            (d, p) for d in divisions for p in shape[d] if f"{d}/{p}" == department
        }
    host = found.group(1)
    units = {
        (d, p)
        for d in divisions
        for p, n in shape[d].items()
        if n < MINIMUM and (label, p) not in rows
    }
    if host:
        units |= {(d, host) for d in divisions if host in shape[d]}
    return units


def record_units(
    records: list[dict[str, Any]], shape: dict
) -> Iterator[tuple[dict[str, Any], set[Unit]]]:
    """Each record with the tenant's 部署 its figure sums over, from the labels only: a
    部署 row its own, a 事業部 row the 部署 rows shown under it (or all its 部署), the
    company row every 部署 shown."""
    rows = {(r["division"], r["department"]) for r in records if r["department"]}
    parts: dict[str | None, set[Unit]] = defaultdict(set)
    for division, department in rows:
        parts[division] |= row_units(division, department, shape, rows)
    scope = set().union(*parts.values()) if parts else set()
    if not parts:  # no 部署 rows (the deck's headline figures): the 事業部 rows shown
        divisions = {r["division"] for r in records if r["division"] is not None}
        scope = set().union(set(), *(row_units(d, None, shape, set()) for d in divisions))
    for record in records:
        if record["department"] is not None:
            yield record, row_units(record["division"], record["department"], shape, rows)
        elif record["division"] is not None:
            division = record["division"]
            yield record, parts[division] or row_units(division, None, shape, set())
        else:
            yield record, scope


class Equations:
    """What an attacker knows: every shown sum equals its value, every count is 0 or
    more; ``interval`` is the range a sum of counts can take under that.

    Sums that share no unknown, directly or through others, do not constrain each
    other: a figure's range is solved on the sums linked to its own unknowns (the same
    range as on all of them, on a programme a fraction of the size), once the whole
    system is known to have a solution."""

    def __init__(self, sums: list[tuple[dict[Any, float], Any, dict[str, Any]]]) -> None:
        self.variables = sorted({v for terms, _, _ in sums for v in terms}, key=str)
        self.where = {v: i for i, v in enumerate(self.variables)}
        shown = [(t, v) for t, v, _ in sums if v is not None]
        self.a_eq = np.zeros((len(shown), len(self.variables)))
        for row, (terms, _) in enumerate(shown):
            for v, w in terms.items():
                self.a_eq[row, self.where[v]] = w
        self.b_eq = np.array([float(v) for _, v in shown])
        # The linked groups of unknowns (union-find over the shown sums).
        parent = list(range(len(self.variables)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for terms, _ in shown:
            for v in terms:
                parent[root(self.where[v])] = root(self.where[next(iter(terms))])
        self.group = np.array([root(i) for i in range(len(self.variables))], dtype=int)
        # A sum of no unknowns constrains nothing but the whole system (-1: no group).
        self.row_group = np.array(
            [self.group[self.where[next(iter(t))]] if t else -1 for t, _ in shown], dtype=int
        )
        from scipy.optimize import linprog

        whole = linprog(
            np.zeros(len(self.variables)),
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=(0, None),
            method="highs",
        )
        self.status = whole.status
        # A figure several reports show (the company's and an advisor's) is one sum.
        self.solved: dict[frozenset[tuple[Any, float]], tuple[int, float, float]] = {}

    def interval(self, terms: dict[Any, float]) -> tuple[int, float, float]:
        """The lowest programme's status (0: solved, and the whole system has a
        solution), the lowest and the highest value."""
        key = frozenset(terms.items())
        if key not in self.solved:
            self.solved[key] = self._interval(terms)
        return self.solved[key]

    def _interval(self, terms: dict[Any, float]) -> tuple[int, float, float]:
        if not terms:
            return self.status, 0.0, 0.0
        groups = {self.group[self.where[v]] for v in terms}
        columns = np.flatnonzero(np.isin(self.group, list(groups)))
        rows = np.flatnonzero(np.isin(self.row_group, list(groups)))
        at = {column: i for i, column in enumerate(columns)}
        c = np.zeros(len(columns))
        for v, w in terms.items():
            c[at[self.where[v]]] = w
        a_eq = self.a_eq[np.ix_(rows, columns)] if len(rows) else None
        b_eq = self.b_eq[rows] if len(rows) else None
        from scipy.optimize import linprog

        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        top = np.inf if high.status == 3 else -high.fun
        return low.status or self.status, low.fun, top


def attacker(
    reports: list[DivisionReport],
    shape: dict,
    months_of: dict[str, list[str]] | None = None,
    small: Sequence[set[Unit]] = (),
) -> list[str]:
    """Every hidden count narrowed below its label, and every small 部署 whose
    headcount or members are pinned (a row of 5 with 3 members bounds its 部署 by
    3, which is what publishing that row means; pinned or kept from 0 is a leak);
    and the 1on1s with a topic of each group of ``small`` units narrowed as a hidden
    「<5」 may not be (no report publishes it; a difference of two may)."""
    sums: list[tuple[dict[Any, float], Any, dict[str, Any]]] = []
    for report in reports:
        records = [r for r in report.records() if r["additive"]]
        for record, units in record_units(records, shape):
            rest = (record["table"], record["metric"], record["topic"], record["response"])
            if record["table"] == "responses" and record["response"] == glossary.MIX_TOTAL:
                # The 対応 table's 計 is the topic table's: every 1on1 here has both (as
                # KAKEAI asks for both at once), and an attacker takes one for the other.
                rest = ("topics", record["metric"], glossary.MIX_TOTAL, None)
            periods = [record["period"]]
            if months_of and record["unit"] == "meetings" and record["period"] in months_of:
                periods = months_of[record["period"]]  # a quarter's 1on1s: its months' sum
            terms = {(u, (p, *rest)): 1.0 for u in units for p in periods}
            sums.append((terms, record["value"], record))
    equations = Equations(sums)

    def interval(terms: dict[Any, float]) -> tuple[float, float]:
        _, low, high = equations.interval(terms)
        return low, high

    found = []
    for terms, value, record in sums:
        if value is None and record["shown"].startswith("<"):
            need = int(record["shown"][1:]) - 1
            low, high = interval(terms)
            if low > 0.5 or high < need - 0.5:
                found.append(f"{record}: {low}…{high}")
    periods = {key[0] for _unit, key in equations.variables}
    for units in small:
        for period in periods:
            total = ("topics", "count", glossary.MIX_TOTAL, None)
            terms = {(u, (period, *total)): 1.0 for u in units}
            if not terms.keys() <= equations.where.keys():
                continue  # a unit in no sum of this period: unbounded
            low, high = interval(terms)
            if low > 0.5 or high < MINIMUM - 1.5:  # as a hidden 「<5」: 0…4 all possible
                found.append(f"{sorted(units)} topic 計 {period}: {low}…{high}")
    for division, departments in shape.items():
        for department, size in departments.items():
            if size >= MINIMUM:
                continue
            for unit, key in equations.variables:
                if unit == (division, department) and key[2] in ("headcount", "members"):
                    low, high = interval({(unit, key): 1.0})
                    if low > 0.5 or high < low + 0.5:
                        found.append(f"{unit} {key}: {low}…{high}")
    return found


_published: dict[tuple[tuple[str, tuple[str, ...]], ...], Publication] = {}


def shape_publication(advisors: dict[str, list[str]]) -> Publication:
    """The 30 days' set of SHAPE with these advisors (in this order), built once for
    the file: the tests only read it."""
    key = tuple((name, tuple(scope)) for name, scope in advisors.items())
    if key not in _published:
        _published[key] = build_publication(organisation(SHAPE), settings(advisors), AS_OF, "30d")
    return _published[key]


@pytest.mark.parametrize("advisors", [ADVISORS, {"管理本部長": ["管理本部"]}, {}])
def test_the_company_and_every_advisor_report_together_narrow_nothing(
    advisors: dict[str, list[str]],
) -> None:
    publication = shape_publication(advisors)
    reports = [publication.company, *publication.advisors.values()]
    assert attacker(reports, SHAPE) == []
    # The company report still shows every 事業部 row.
    overview = publication.company.overview.set_index("division")
    assert not any(isinstance(v, str) for v in overview["headcount"])


# A 事業部 of one large 部署 and a small one, with a small 事業部 merged into it; its
# division head receives the large 部署 alone.
SPLIT = {
    "管理本部": {"管理部": 46, "法務部": 3},
    "経営企画室": {"経営企画室": 3},
    "営業本部": {"営業企画部": 19, "第一営業部": 14},
    "製造本部": {"生産管理部": 18, "調達部": 17},
}


def test_the_topic_and_response_totals_are_one_figure_to_the_attacker() -> None:
    """The company's 管理本部・経営企画室 topic 計 less the 管理部長's 計 is the small
    units' 1on1s: the 管理部長's topic 計 hidden beside its 対応 計 shown gave them."""
    publication = build_publication(
        organisation(SPLIT), settings({"管理部長": ["管理本部/管理部"]}), AS_OF, "30d"
    )
    small = {("管理本部", "法務部"), ("経営企画室", "経営企画室")}
    reports = [publication.company, *publication.advisors.values()]
    assert attacker(reports, SPLIT, small=[small]) == []


def test_the_audit_knows_the_response_total_is_the_topic_total() -> None:
    """Each 事業部's 対応 計 is tied to its topic 計 in the attacker's programme (every
    1on1 here has both), in the company's report and the advisor's."""
    from kakeai_ops.privacy.lp import additive_relations

    publication = build_publication(
        organisation(SPLIT), settings({"管理部長": ["管理本部/管理部"]}), AS_OF, "30d"
    )
    for report in (publication.company, publication.advisors["管理部長"]):
        cells = report.cells
        totals = {
            (c.division, c.table): i
            for i, c in enumerate(cells)
            if glossary.MIX_TOTAL in (c.topic, c.response) and c.unit == "meetings"
        }
        relations = {(parent, tuple(kids)) for parent, kids in additive_relations(cells)}
        divisions = {division for division, table in totals if table == "responses"}
        assert divisions
        for division in divisions:
            topic, response = totals[division, "topics"], totals[division, "responses"]
            assert cells[topic].raw == cells[response].raw
            assert (response, (topic,)) in relations


PILOT = {"A": {"a1": 20, "a2": 12}, "B": {"b": 3}}


def test_an_unavoidable_merge_is_held_whole_in_the_advisors_report() -> None:
    """B (3 people) can only join A, whose every 部署 an advisor receives: the
    advisor's report shows the merged row as the company report does."""
    advisors = {"A本部長": ["A/a1", "A/a2"]}
    publication = build_publication(organisation(PILOT), settings(advisors), AS_OF, "30d")
    reports = [publication.company, *publication.advisors.values()]
    assert attacker(reports, PILOT) == []
    advisor = publication.advisors["A本部長"]
    departments = {r["department"] for r in advisor.records() if r["department"]}
    assert "a2・その他の部署（1部署）" in departments and "a2" not in departments
    assert any("全社レポートと同じ行" in note for note in advisor.notes)


def test_the_attacker_finds_what_a_report_cut_at_the_scope_gives_away() -> None:
    """The same advisor's report cut to their people only, as each report alone
    would be: a2 (12) beside the company's 「a2・その他」 (15) gives B's 3 back."""
    from kakeai_ops.analyses.divisions import scope_tables
    from kakeai_ops.jobs.division_report import build_report

    tables = organisation(PILOT)
    company = build_report(tables, settings({"A本部長": ["A/a1", "A/a2"]}), AS_OF, "30d")
    units = [ScopeUnit(division="A", department=d) for d in ("a1", "a2")]
    cut = build_report(scope_tables(tables, units), Settings(), AS_OF, "30d")
    found = attacker([company, cut], PILOT)
    assert any("('B', 'b')" in f for f in found)


def test_the_hidden_choice_does_not_depend_on_the_order_of_the_advisors() -> None:
    one = shape_publication(ADVISORS)
    reversed_advisors = dict(reversed(list(ADVISORS.items())))
    two = build_publication(organisation(SHAPE), settings(reversed_advisors), AS_OF, "30d")
    assert one.company.records() == two.company.records()
    for name in ADVISORS:
        assert one.advisors[name].records() == two.advisors[name].records()


COMPLEMENT_SHAPE = {
    "X": {"x1": 30, "x2": 30},
    "Y": {"y1": 25, "y2": 25},
    "Z": {"z1": 8, "z2": 7},
}


def test_a_complement_one_report_hides_is_not_shown_by_another() -> None:
    """Z's 心身の状態 count is `<10`; the company report hides a second 事業部's as a
    complement. An advisor receiving that 事業部 whole would show it, and
    subtraction from the company total would give Z's back: the set hides it in both."""
    from kakeai_ops.jobs.division_report import build_report

    tables = organisation(COMPLEMENT_SHAPE)
    company = build_report(tables, Settings(), AS_OF, "30d")
    sensitive = {
        r["division"]: r["shown"]
        for r in company.records()
        if r["table"] == "topics" and r["topic"] == "心身の状態" and r["metric"] == "count"
    }
    assert sensitive["Z"] == "<10"
    complement = next(d for d, shown in sensitive.items() if shown == "(秘匿)")
    advisors = {"本部長": [complement]}
    alone = build_report(
        tables, settings(advisors), AS_OF, "30d", [ScopeUnit(division=complement)], "本部長"
    )
    found = attacker([company, alone], COMPLEMENT_SHAPE)
    assert found, "each report alone: the advisor's figure undoes the complement"
    publication = build_publication(tables, settings(advisors), AS_OF, "30d")
    assert attacker([publication.company, *publication.advisors.values()], COMPLEMENT_SHAPE) == []


def quarter_tenant() -> Any:
    """Z's 心身の状態: 12 people in October, 3 in November (Q4 − October = November)."""
    from factories import meeting, pair, tables, user

    users, pairs, meetings = [], [], []
    for division, size in (("X", 60), ("Y", 60), ("Z", 60)):
        boss = f"{division}-M"
        users.append(user(boss, division=division, department=f"{division}1"))
        for i in range(size - 1):
            uid = f"{division}-{i}"
            users.append(user(uid, division=division, department=f"{division}{1 + i % 2}"))
            pairs.append(pair(boss, uid))
            other = ("業務の進捗や進め方", "業績目標の進捗", "人間関係", "今後のキャリア")[i % 4]
            october = "心身の状態" if i < (12 if division == "Z" else 14) else other
            november = "心身の状態" if i < (3 if division == "Z" else 15) else other
            meetings.append(meeting(boss, uid, f"2026-10-{1 + i % 28:02d} 10:00", topic=october))
            meetings.append(meeting(boss, uid, f"2026-11-{1 + i % 19:02d} 10:00", topic=november))
    return tables(users, pairs, meetings)


def test_a_month_its_quarter_and_the_other_month_together_narrow_nothing() -> None:
    tables = quarter_tenant()
    shape = {d: {f"{d}1": 12, f"{d}2": 12} for d in "XYZ"}  # every 部署 of 12 or more
    # One build holds the whole family: the month asked for, its quarter, the other month.
    family = build_publication(tables, Settings(), AS_OF, "month:2026-11").family
    by_period = {r.period.label: r for r in family if r.scope_label == family[0].scope_label}
    reports = [by_period[label] for label in ("2026-10", "2026-11", "2026Q4")]
    november = {
        r["division"]: r["shown"]
        for r in reports[1].records()
        if r["table"] == "topics" and r["topic"] == "心身の状態" and r["metric"] == "count"
    }
    assert november["Z"] == "<10"
    months_of = {"2026Q4": ["2026-10", "2026-11"]}
    assert attacker(reports, shape, months_of) == []
    # Whichever member of the family is asked for, the same figures are published.
    again = build_publication(tables, Settings(), AS_OF, "quarter:2026Q4").company
    assert again.records() == reports[2].records()


def test_the_attacker_finds_november_in_the_quarter_without_the_family() -> None:
    from kakeai_ops.jobs.division_report import build_report

    tables = quarter_tenant()
    shape = {d: {f"{d}1": 12, f"{d}2": 12} for d in "XYZ"}
    alone = [
        build_report(tables, Settings(), AS_OF, text)
        for text in ("month:2026-10", "month:2026-11", "quarter:2026Q4")
    ]
    assert attacker(alone, shape, {"2026Q4": ["2026-10", "2026-11"]}) != []


def test_only_the_shared_windows_are_published() -> None:
    from kakeai_ops.errors import KopsError

    with pytest.raises(KopsError, match="only the windows 30d and 90d"):
        build_publication(quarter_tenant(), Settings(), AS_OF, "31d")


def test_what_an_earlier_run_published_stays_known_to_the_audit() -> None:
    """Run 1 publishes with the default minimums; then 心身の状態's minimum is raised to
    16. Run 2 would hide counts run 1 showed; those are out already, so the audit
    treats them as shown (and never hides them again)."""
    from kakeai_ops.config.rule_settings import Privacy
    from kakeai_ops.privacy.publication import node_digest

    tables = organisation(COMPLEMENT_SHAPE)
    first = build_publication(tables, Settings(), AS_OF, "30d").company
    published: dict[str, list[str]] = {}
    for cell in first.cells:
        digest = node_digest(cell)
        if digest is not None:
            published.setdefault(digest, []).append(cell.shown)
    stricter = Settings(privacy=Privacy(min_group_sensitive=16))
    fresh = build_publication(tables, stricter, AS_OF, "30d").company
    shown_before = {node_digest(c): c.shown for c in first.cells if not c.hidden}
    would_hide = [c for c in fresh.cells if c.hidden and node_digest(c) in shown_before]
    assert would_hide, "a weak test: the stricter run hides nothing run 1 showed"
    # Run 1's figures already pin a count that is small under the new minimum: no
    # report of this snapshot can undo that, so run 2 is refused, saying why.
    from kakeai_ops.privacy.audit import PrivacyAuditError

    with pytest.raises(PrivacyAuditError, match="published earlier for this snapshot"):
        build_publication(tables, stricter, AS_OF, "30d", published)
    # With the settings of run 1, the same figures come out again.
    same = build_publication(tables, Settings(), AS_OF, "30d", published).company
    assert same.records() == first.records()
    assert attacker([first, same], COMPLEMENT_SHAPE) == []


def _merge_host(first: DivisionReport, small: str) -> str:
    """The advisor scope that run 1's merge of ``small`` makes tempting: the unit it was
    merged into (a 事業部, or 事業部/部署 for a 部署 merged into 「X・その他の部署」)."""
    if small == "経営企画室":
        [merged] = [d for d in first.overview["division"].dropna() if small in d]
        return merged.replace("・", "").replace(small, "")
    rows = first.departments["製造本部"]["department"].dropna()
    [merged] = [d for d in rows if OTHERS.match(d) and OTHERS.match(d).group(1)]
    host = OTHERS.match(merged)
    assert host
    return f"製造本部/{host.group(1)}"


@pytest.mark.parametrize("small", ["経営企画室", "(未設定)"])
def test_an_advisor_added_later_cannot_undo_the_merge_published_before(small: str) -> None:
    """Run 1 publishes the company report alone, a small unit merged into a larger one:
    経営企画室 (3 people) into a 事業部, 製造本部's 部署未設定 (2) into a 部署 as
    「第一工場・その他の部署（1部署）」. An advisor added later whose scope is the larger
    unit would be shown it alone: with run 1's merged row, the small unit comes out by
    subtraction. The audit holds run 1's row as the sum of the company figures inside
    it, and a 部署 row as one figure in every report that shows it: run 2 hides what
    keeps the small unit unknown, or is refused."""
    from kakeai_ops.privacy.audit import PrivacyAuditError
    from kakeai_ops.privacy.publication import node_digest

    tables = organisation(SHAPE)
    first = build_publication(tables, Settings(), AS_OF, "30d").company
    host = _merge_host(first, small)
    later = settings({"後から": [host]})
    # Without run 1 on record, run 2 hides nothing that protects the small unit from it:
    second = build_publication(tables, later, AS_OF, "30d")
    assert attacker([first, second.company, *second.advisors.values()], SHAPE), (
        "a weak test: run 1 and run 2 together give nothing away"
    )
    published: dict[str, list[str]] = {}
    for cell in first.cells:
        digest = node_digest(cell)
        if digest is not None:
            published.setdefault(digest, []).append(cell.shown)
    try:
        # As read back from the record: copies, the shown ones released (out already).
        recorded = [c.changed(released=not c.hidden) for c in first.cells]
        third = build_publication(tables, later, AS_OF, "30d", published, [recorded])
    except PrivacyAuditError as refused:  # or refused, saying why
        assert "published earlier for this snapshot" in str(refused)
        return
    assert attacker([first, third.company, *third.advisors.values()], SHAPE) == []


# The deck, then the 30 days' report (the other order is REPORT_THEN_DECK): each made
# once on a fresh copy of the sample (nothing published).
DECK_THEN_REPORT = (*DECK, REPORT_30D[1])


def _published_rows(run: SampleRun) -> list[tuple[str, str, str, str, str, str]]:
    """(snapshot, node, shown, audience, file, figure) of every published figure, in
    order."""
    from contextlib import closing

    from kakeai_ops.store.state import connect

    with closing(connect(run.ws)) as db:
        return db.execute(
            "SELECT snapshot, node, shown, audience, file, figure FROM published ORDER BY at, rowid"
        ).fetchall()


def test_each_report_run_records_what_it_published(sample_run: RunSample) -> None:
    from kakeai_ops.store import latest_snapshot

    run = sample_run(*REPORT_THEN_DECK)
    snapshot = latest_snapshot(run.ws)
    assert snapshot is not None
    workbook, deck = str(run.out / "r.xlsx"), str(run.out / "deck.pptx")
    # The copy started from nothing published: what each command recorded, by its file.
    by_file: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, node, shown, _, file, _ in _published_rows(run):
        if s == snapshot.id:
            by_file[file][node].append(shown)
    assert set(by_file) == {workbook, "stdout", deck}
    records = json.loads(run.results[1].stdout)
    new = by_file[workbook]
    assert len(new) == len(records)  # one node per published figure
    assert all(len(shown) == 1 for shown in new.values())
    # The same report to stdout: the same nodes, the same figures.
    assert by_file["stdout"] == new


def test_the_deck_records_its_figures_and_the_order_of_outputs_changes_nothing(
    sample_run: RunSample,
) -> None:
    """The deck (kops review) records the report figures it shows, with its audience and
    file; a report and the deck made in either order publish the same hidden cells."""
    from kakeai_ops.store import latest_snapshot

    report_first = sample_run(*REPORT_THEN_DECK)  # the report, then the deck
    deck_first = sample_run(*DECK_THEN_REPORT)  # the deck, then the report
    first = json.loads(report_first.results[1].stdout)
    second = json.loads(deck_first.results[1].stdout)
    assert first == second
    snapshot = latest_snapshot(report_first.ws)
    assert snapshot is not None
    deck = str(report_first.out / "deck.pptx")
    rows = [(s, a, f) for s, _, _, a, file, f in _published_rows(report_first) if file == deck]
    assert rows
    figures = [json.loads(f) for s, _, f in rows if s == snapshot.id]
    assert {a for _, a, _ in rows} == {"shared"}
    shown = {
        (f["division"], f["metric"]): f["state"] or f["value"]
        for f in figures
        if f["table"] == "overview"
    }
    # Every 事業部 row of the deck's division slide, as the report shows it.
    rows_of_report = {
        (r["division"], r["metric"]): r["shown"]
        for r in first
        if r["table"] == "overview" and r["metric"] == "headcount"
    }
    for key, label in rows_of_report.items():
        assert key in shown
        assert str(shown[key]) == label.replace(",", "") or shown[key] in ("primary", "complement")


def _one_more(cells: list[Any]) -> int:
    """A stand-in for ``audit.protect``, as it is to ``protect_set``: the same cells give
    the same answer, and it may leave more to hide than it hid: here one shown figure
    after a hidden one, per call, in a report (the joint list, whose advisors' figures
    are not ``named``, is left as it is)."""
    if not all(c.named for c in cells):
        return 0
    for before, cell in pairwise(cells):
        if before.hidden and not cell.hidden and not cell.released:
            cell.state = SECONDARY
            return 1
    return 0


def _second_after_first(cells: list[Any]) -> int:
    """As ``_one_more``, where a report needs more hidden once the set hides in it: its
    second figure, once its first is hidden."""
    if not all(c.named for c in cells) or not cells[0].hidden or cells[1].hidden:
        return 0
    cells[1].state = SECONDARY
    return 1


def _plain_protect_set(reports: list[list[Any]], companies: int = 1) -> int:
    """``protect_set`` as stated plainly: every report protected again in every round."""
    from kakeai_ops.privacy import publication

    added = 0
    for _ in range(publication.ROUNDS):
        joint, where = publication.joint_cells(reports, companies)
        before = sum(c.hidden for c in joint)
        publication.protect(joint)
        changed = publication._hide_in_reports(reports, joint, where)
        for cells in reports:
            changed += publication.protect(cells)
        added += sum(c.hidden for c in joint) - before
        if not changed:
            break
    return added


class _SetHides:
    """The set's hiding in its reports, and with ``first`` the first report's first
    figure hidden in the first round and the last report's in the second."""

    def __init__(self, first: bool) -> None:
        from kakeai_ops.privacy import publication

        self.shared = publication._hidden_in_reports
        self.first = first
        self.rounds = 0

    def __call__(self, reports: list[list[Any]], joint: list[Any], where: Any) -> list[int]:
        counts = self.shared(reports, joint, where)
        self.rounds += 1
        which = 0 if self.rounds == 1 else -1
        if self.first and self.rounds <= 2 and not reports[which][0].hidden:
            reports[which][0].state = SECONDARY
            counts[which] += 1
        return counts


@pytest.mark.parametrize("protect", [_one_more, _second_after_first])
def test_the_set_protects_again_every_report_that_changed_or_had_more_to_hide(
    monkeypatch: pytest.MonkeyPatch, protect: Any
) -> None:
    # protect_set leaves out a report that protect() left as it was and nothing touched
    # since (the same answer again): it must end as protecting every report every round.
    from kakeai_ops.privacy import publication

    sets = [build_publication(organisation(SHAPE), settings(ADVISORS), AS_OF, "30d") for _ in "ab"]
    monkeypatch.setattr(publication, "protect", protect)
    ends = []
    for protect_set, made in zip((publication.protect_set, _plain_protect_set), sets, strict=True):
        reports = [r.cells for r in made.family]
        before = sum(c.hidden for cells in reports for c in cells)
        hides = _SetHides(first=protect is _second_after_first)
        monkeypatch.setattr(publication, "_hidden_in_reports", hides)
        protect_set(reports, made.companies)
        hidden = sum(c.hidden for cells in reports for c in cells) - before
        ends.append((hidden, [[(c.state, c.threshold) for c in r] for r in reports]))
        assert hides.rounds >= 2
    assert ends[0] == ends[1]
    assert ends[0][0] > 1


def test_a_department_row_is_one_figure_in_every_report_that_shows_it(
    sample_ws: Workspace,
) -> None:
    """On the sample: the company report publishes 「第一工場・その他の部署（1部署）」, 第一工場
    and 製造本部's one person of no 部署. An advisor of 第一工場 added later is shown
    第一工場 alone, under 製造本部 as they see it (第一工場 only). The company report of
    the same set would hide 第一工場 as a complement while the advisor's showed it: the
    two rows are one figure (the same people), hidden in both or shown in both."""
    from kakeai_ops.config import load_settings
    from kakeai_ops.privacy.audit import PrivacyAuditError
    from kakeai_ops.privacy.publication import node_digest
    from kakeai_ops.store import latest_snapshot, load_tables

    snapshot = latest_snapshot(sample_ws)
    assert snapshot is not None and snapshot.as_of is not None
    tables = load_tables(snapshot)
    users = tables.users[tables.users["employment_status"] != "retired"]
    shape: dict[str, dict[str, int]] = {}
    for (division, department), n in users.groupby(["division", "department"]).size().items():
        shape.setdefault(str(division), {})[str(department)] = int(n)
    base = load_settings(sample_ws.config_path)
    first = build_publication(tables, base, snapshot.as_of, "90d")
    merged = [d for d in first.company.departments["製造本部"]["department"] if "第一工場・" in d]
    assert merged, "the sample no longer merges a 部署 into 第一工場"
    advisors = dict(base.advisors) | {
        "後から": Advisor(email="later@example.jp", scope=["製造本部/第一工場"])
    }
    later = base.model_copy(update={"advisors": advisors})
    published: dict[str, list[str]] = {}
    for cell in (c for r in [first.company, *first.advisors.values()] for c in r.cells):
        digest = node_digest(cell)
        if digest is not None:
            published.setdefault(digest, []).append(cell.shown)
    # As read back from the record: copies, the shown ones released (out already).
    recorded = [
        [c.changed(released=not c.hidden) for c in r.cells]
        for r in [first.company, *first.advisors.values()]
    ]
    try:
        again = build_publication(tables, later, snapshot.as_of, "90d", published, recorded)
    except PrivacyAuditError as refused:
        assert "published earlier for this snapshot" in str(refused)
        return
    reports = [first.company, *first.advisors.values(), again.company, *again.advisors.values()]
    assert attacker(reports, shape) == []


def test_a_figure_hidden_under_a_higher_minimum_keeps_that_label(sample_ws: Workspace) -> None:
    """Run 1 publishes September under privacy.min_group 16 (「<16」 for 経理部's 13 部下);
    run 2, the minimum back at 5, holds that figure hidden as run 1 did: under its 「<16」
    (0…15), not today's 「<5」 (0…4), which its true 13 and the published sums contradict
    (the audit stopped with 「the linear programme failed (Infeasible)」)."""
    from kakeai_ops.config import load_settings
    from kakeai_ops.config.rule_settings import Privacy
    from kakeai_ops.privacy.publication import node_digest
    from kakeai_ops.store import latest_snapshot, load_tables

    snapshot = latest_snapshot(sample_ws)
    assert snapshot is not None and snapshot.as_of is not None
    tables, base = load_tables(snapshot), load_settings(sample_ws.config_path)
    strict = base.model_copy(update={"privacy": Privacy(min_group=16, min_group_sensitive=16)})
    first = build_publication(tables, strict, snapshot.as_of, "month:2026-09")
    reports = [first.company, *first.advisors.values()]
    published: dict[str, list[str]] = {}
    for cell in (c for r in reports for c in r.cells):
        digest = node_digest(cell)
        if digest is not None:
            published.setdefault(digest, []).append(cell.shown)
    recorded = [[c.changed(released=not c.hidden) for c in r.cells] for r in reports]
    second = build_publication(
        tables, base, snapshot.as_of, "month:2026-09", published, recorded
    ).company
    labels = {node_digest(c): c.shown for c in second.cells}
    kept = [
        labels[node_digest(c)]
        for c in first.company.cells
        if c.shown == "<16" and c.size >= 10 and node_digest(c) in labels
    ]
    assert kept and set(kept) <= {"<16", "(秘匿)"}  # hidden still, as published


def test_a_refusal_names_the_days_published_before_not_the_month_asked_for() -> None:
    """30 and 90 days published, then a month of those days with a stricter minimum: the
    refusal named 「次の月など」, the very month asked for. It names the days published."""
    from kakeai_ops.config.rule_settings import Privacy
    from kakeai_ops.privacy.audit import PrivacyAuditError

    tables = organisation(COMPLEMENT_SHAPE)
    recorded = [
        [c.changed(released=not c.hidden) for c in report.cells]
        for window in ("30d", "90d")
        for report in [build_publication(tables, Settings(), AS_OF, window).company]
    ]
    stricter = Settings(privacy=Privacy(min_group_sensitive=16))
    with pytest.raises(PrivacyAuditError, match="published earlier for this snapshot") as refused:
        build_publication(tables, stricter, AS_OF, "month:2026-11", {}, recorded)
    start = AS_OF - dt.timedelta(days=89)  # the 90 days' first day; the 30 days' lie inside
    assert refused.value.hint is not None
    assert f"{start.year}年{start.month}月{start.day}日〜11月20日" in refused.value.hint
    assert "the next month" not in refused.value.hint
    # As read back from the record, the days are ISO text: the same words.
    from kakeai_ops.jobs.division_report import published_days

    as_text = [
        [
            c.changed(node=(c.node[0], tuple(str(d) for d in c.node[1]), *c.node[2:]))
            for c in cells
            if c.node is not None and isinstance(c.node[1][0], dt.date)
        ]
        for cells in recorded
    ]
    assert published_days(as_text) == published_days(recorded)
