"""The division report against an attacker who holds every published figure.

The tenant is built to defeat suppression: divisions with 4, 9, 10 and 12
people on 心身の状態, a division whose departments have 6, 8, 9 and 10 people,
one of them with only two members who have 1on1s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from factories import meeting, pair, tables, user
from kakeai_ops.config import ScopeUnit, Settings
from kakeai_ops.jobs.division_report import build_report
from kakeai_ops.outputs.report_xlsx import write_report
from kakeai_ops.privacy.audit import PrivacyAuditError, audit, check
from kakeai_ops.privacy.cells import SECONDARY
from kakeai_ops.store import Tables
from workbooks import label

AS_OF = dt.date(2026, 11, 20)
SENSITIVE = "心身の状態"
OTHER_TOPICS = ["業務の進捗や進め方", "業績目標の進捗", "人間関係", "今後のキャリア"]
RESPONSES = ["話を聞いてほしい", "意見を聞きたい", "報告したい"]


def hostile_tenant(sensitive: tuple[int, ...] = (4, 9, 10, 12), departments: bool = True) -> Tables:
    users: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    for count in sensitive:
        division = f"S{count}"
        boss = f"{division}M"
        users.append(user(boss, division=division, department=f"{division}-a"))
        for i in range(24):
            uid = f"{division}U{i:02d}"
            users.append(user(uid, division=division, department=f"{division}-{'ab'[i % 2]}"))
            pairs.append(pair(boss, uid))
            topic = SENSITIVE if i < count else OTHER_TOPICS[i % len(OTHER_TOPICS)]
            for day in (3, 10):
                meetings.append(
                    meeting(
                        boss,
                        uid,
                        f"2026-11-{day + i % 5:02d} 10:00",
                        topic=topic if day == 3 else OTHER_TOPICS[(i + 1) % 4],
                        response=RESPONSES[i % 3],
                        sukkiri=2 + i % 4,
                    )
                )
    # Departments of 6, 8, 9 and 10 people; in the first only two have 1on1s.
    for size, department in ((6, "d6"), (8, "d8"), (9, "d9"), (10, "d10")) if departments else ():
        boss = f"D{department}M"
        users.append(user(boss, division="D", department=department))
        for i in range(size - 1):
            uid = f"D{department}U{i}"
            users.append(user(uid, division="D", department=department))
            if department == "d6" and i >= 2:
                continue
            pairs.append(pair(boss, uid))
            meetings.append(
                meeting(boss, uid, f"2026-11-{5 + i:02d} 10:00", sukkiri=1 + i % 5, growth=i % 5)
            )
            meetings.append(meeting(boss, uid, f"2026-10-{5 + i:02d} 10:00", sukkiri=3))
    return tables(users, pairs, meetings)


def report(  # type: ignore[no-untyped-def]
    sensitive: tuple[int, ...] = (4, 9, 10, 12),
    scope: list[str] | None = None,
    departments: bool = True,
):
    units = None if scope is None else [ScopeUnit(division=d) for d in scope]
    return build_report(hostile_tenant(sensitive, departments), Settings(), AS_OF, "30d", units)


def workbook_topic(path: Path, sheet: str, topic: str) -> Any:
    """The topic mix count as the workbook shows it (the first row naming the topic);
    a topic missing from the table reads as 0, as an attacker would read it."""
    rows = load_workbook(path)[sheet].iter_rows(values_only=True)
    if sheet == "概要":
        rows = iter(list(rows)[_after(path, "トピックの内訳（対象範囲全体）") :])
    return next((r[1] for r in rows if r[0] is not None and label(r[0]) == topic), 0)


def _after(path: Path, title: str) -> int:
    rows = list(load_workbook(path)["概要"].iter_rows(values_only=True))
    return next(i for i, r in enumerate(rows) if r[0] == title)


def attacker_interval(total: int, shown: list[Any], target: int, k: int) -> tuple[int, float]:
    """What subtraction tells about ``shown[target]`` (hidden): total − visible
    = the sum of the hidden ones, each `<k` in 0…k−1, each (秘匿) at least 0."""
    hidden = [i for i, v in enumerate(shown) if isinstance(v, str)]
    rest = total - sum(v for v in shown if not isinstance(v, str))
    highs = {i: (k - 1 if shown[i].startswith("<") else float("inf")) for i in hidden}
    others_high = sum(highs[i] for i in hidden if i != target)
    low = max(0, rest - others_high)
    high = min(highs[target], rest)
    return low, high


@pytest.mark.parametrize(
    ("sensitive", "departments"), [((9, 10, 12), False), ((4, 9, 10, 12), True)]
)
def test_subtracting_divisions_from_the_company_gives_nothing_away(
    sensitive: tuple[int, ...], departments: bool, tmp_path: Path
) -> None:
    # The first case is the company 31 = S9 + S10 (10) + S12 (12): S9 = 31 − 22.
    target = tmp_path / "report.xlsx"
    write_report(report(sensitive, departments=departments), target)
    company = workbook_topic(target, "概要", SENSITIVE)
    sheets = [f"S{c}" for c in sensitive] + (["D"] if departments else [])
    shown = [workbook_topic(target, sheet, SENSITIVE) for sheet in sheets]
    assert shown[sensitive.index(9)] == "<10"
    if isinstance(company, str):
        return  # the total itself is hidden: nothing to subtract from
    for index, value in enumerate(shown):
        if isinstance(value, str) and value == "<10":
            low, high = attacker_interval(company, shown, index, 10)
            assert (low, high) == (0, 9), f"{sheets[index]} narrowed to {low}…{high}"


def test_every_hidden_count_keeps_its_whole_label_range() -> None:
    result = report()
    assert audit(result.cells) == []
    assert result.hidden_by_audit > 0  # the audit had work to do on this tenant
    cells = {(c.table, c.division, c.department, c.metric, c.topic): c for c in result.cells}
    # The department with two members is hidden, and never alone: the division's 26
    # minus the other departments would give it back.
    members = [cells[("departments", "D", d, "members", None)] for d in ("d6", "d8", "d9", "d10")]
    assert members[0].shown == "<5"
    assert cells[("overview", "D", None, "members", None)].value == 26
    hidden = [c for c in members if c.hidden]
    assert len(hidden) >= 2
    rest = 26 - sum(c.value for c in members if not c.hidden)
    # Each (秘匿) department has at least 5 members, so d6 can be anything in 0…4.
    assert rest - 5 * (len(hidden) - 1) >= 4


def test_audit_refuses_a_report_tampered_back_to_one_complement() -> None:
    result = report((9, 10, 12), departments=False)
    for cell in result.cells:
        if cell.state == SECONDARY and cell.topic == SENSITIVE:
            cell.state = ""
    with pytest.raises(PrivacyAuditError, match="could be worked out"):
        check(result.cells)


def test_a_cell_changed_after_a_passing_check_is_audited_again() -> None:
    result = report((9, 10, 12), departments=False)
    check(result.cells)  # passes, and is remembered
    small = next(c for c in result.cells if c.state == "" and c.unit == "people")
    small.size = small.threshold - 1  # the same figure, now of too few people
    with pytest.raises(PrivacyAuditError, match="shown although"):
        check(result.cells)


def test_averages_one_decimal_shares_whole_percents(tmp_path: Path) -> None:
    result = report()
    target = tmp_path / "report.xlsx"
    write_report(result, target)
    stored = [
        value
        for sheet in load_workbook(target).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, float)
    ]
    assert stored and all(round(v, 2) == v for v in stored)  # the values, not just formats
    for cell in result.cells:
        if cell.value is None:
            continue
        if cell.unit == "share":
            assert round(cell.value * 100, 9) == round(cell.value * 100)
            assert cell.shown.endswith("%")
        if cell.unit in ("average", "rate"):
            assert round(cell.value, 1) == cell.value


def test_small_average_is_hidden_with_what_would_recompute_it() -> None:
    cells = report().cells
    averages = [
        c
        for c in cells
        if c.table == "departments" and c.division == "D" and c.metric == "sukkiri_avg"
    ]
    by_department = {c.department: c for c in averages}
    assert by_department["d6"].shown == "<5"  # two people rated
    assert sum(c.hidden for c in averages) >= 2  # never alone under the division's average
    division = next(
        c
        for c in cells
        if c.table == "overview" and c.division == "D" and c.metric == "sukkiri_avg"
    )
    assert division.value is not None


def test_a_topic_no_one_took_reads_like_a_small_one(tmp_path: Path) -> None:
    result = report()
    target = tmp_path / "report.xlsx"
    write_report(result, target)
    # Division D took only one topic: every other one shows <5 / <10, not a gap.
    assert workbook_topic(target, "D", "プライベート") == "<5"
    assert workbook_topic(target, "D", SENSITIVE) == "<10"
    topics = [c for c in result.cells if c.table == "topics" and c.division == "D"]
    assert {c.topic for c in topics} == {*Settings().exports.topics, "計"}
    matrix = [c for c in result.cells if c.table == "topic_response" and c.division == "D"]
    assert all(c.shown for c in matrix)  # no blank cell tells "nobody" from "a few"


def test_trends_and_months_follow_their_figures() -> None:
    cells = report().cells
    for cell in cells:
        if cell.unit == "trend" or cell.table == "monthly":
            figure = cells[cell.depends[0]]
            if figure.hidden:
                assert cell.hidden, f"{cell.table} {cell.division} {cell.metric} shown"
        if cell.unit == "trend" and not cell.hidden:
            assert cell.size >= cell.threshold  # the previous period was big enough too
    months = [c for c in cells if c.table == "monthly" and c.division == "D"]
    assert months and all(c.period.startswith("2026-") for c in months)
    # S9 had no 1on1s in the previous period: its average shows, its trend does not.
    s9 = {c.metric: c for c in cells if c.table == "overview" and c.division == "S9"}
    assert s9["sukkiri_avg"].value is not None and s9["sukkiri_avg_trend"].shown == "－"
    d = {c.metric: c for c in cells if c.table == "overview" and c.division == "D"}
    # An average's trend: its arrow and the change of the published averages (「↓ -0.2」).
    trend = d["sukkiri_avg_trend"].shown
    now = d["sukkiri_avg"].value
    # The previous period is the 30 days before: its report publishes its average.
    earlier = build_report(hostile_tenant(), Settings(), AS_OF - dt.timedelta(days=30), "30d")
    before = next(
        c.value
        for c in earlier.cells
        if (c.table, c.division, c.metric) == ("overview", "D", "sukkiri_avg")
    )
    assert now is not None and before is not None and now != before
    tenths = round((now - before) * 10)
    expected = "→ ±0.0" if tenths == 0 else f"{'↑' if tenths > 0 else '↓'} {tenths / 10:+.1f}"
    assert trend == expected


def test_advisor_report_is_audited_too() -> None:
    result = report(scope=["D"])
    assert audit(result.cells) == []
    assert {c.division for c in result.cells} <= {"D", None}
    # One division in scope: its figures equal the scope's, so hiding one means hiding both.
    topics = {
        (c.division, c.topic): c
        for c in result.cells
        if c.table == "topics" and c.metric == "count"
    }
    assert topics[("D", SENSITIVE)].hidden and topics[(None, SENSITIVE)].hidden


def test_an_average_counts_only_the_people_who_rated() -> None:
    users, pairs, meetings = [], [], []
    for department in ("x1", "x2", "x3"):
        users.append(user(f"{department}M", division="X", department=department))
        for i in range(8):
            uid = f"{department}U{i}"
            users.append(user(uid, division="X", department=department))
            pairs.append(pair(f"{department}M", uid))
            rated = department != "x1" or i < 3
            meetings.append(
                meeting(
                    f"{department}M",
                    uid,
                    f"2026-11-{3 + i:02d} 10:00",
                    sukkiri=4 if rated else None,
                )
            )
    result = build_report(tables(users, pairs, meetings), Settings(), AS_OF, "30d")
    cells = {(c.department, c.metric): c for c in result.cells if c.table == "departments"}
    assert cells[("x1", "members")].value == 8
    assert cells[("x1", "rated_share")].value is not None  # 8 people met: their share shows
    assert cells[("x1", "sukkiri_avg")].shown == "<5"  # but only 3 rated
    assert cells[("x2", "sukkiri_avg")].hidden or cells[("x3", "sukkiri_avg")].hidden


def test_whole_numbers_can_tell_more_than_the_relaxation() -> None:
    import numpy as np

    from kakeai_ops.privacy.lp import Programme

    # x + 2y = 3: the relaxation lets x be 0 (y = 1.5); whole numbers do not.
    equation, total = np.array([[1.0, 2.0]]), np.array([3.0])
    bounds: list[tuple[float, float | None]] = [(0.0, None), (0.0, None)]
    programme = Programme({0: 0, 1: 1}, [], [], equation, total, None, None, bounds)
    assert not programme.reaches(0, 0)
    assert programme.reaches(0, 1)


def test_a_whole_number_question_the_relaxation_answers_takes_no_branch_and_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Infeasible relaxations and relaxations whose optimum is whole numbers answer the
    question alone; a fractional one goes on to whole numbers (and says what they say)."""
    import numpy as np

    from kakeai_ops.privacy import highs
    from kakeai_ops.privacy.lp import Programme

    asked: list[bool] = []
    solve = highs.Solver.solve

    def counted(
        self: highs.Solver, objective: Any, lower: Any, upper: Any, whole: bool = False
    ) -> highs.Solution:
        asked.append(whole)
        return solve(self, objective, lower, upper, whole)

    # x + y = 4, both at most 3.
    equation, total = np.array([[1.0, 1.0]]), np.array([4.0])
    bounds: list[tuple[float, float | None]] = [(0.0, 3.0), (0.0, 3.0)]
    programme = Programme({0: 0, 1: 1}, [], [], equation, total, None, None, bounds)
    monkeypatch.setattr(highs.Solver, "solve", counted)
    assert programme.reaches(0, 2)
    assert asked == [False]  # a vertex of x = 2 is (2, 2): whole numbers
    asked.clear()
    assert not programme.reaches(0, 0)  # y would be 4
    assert asked == [False]
    asked.clear()
    best = programme.whole_numbers(np.array([1.0, 0.0]), bounds)
    assert best.outcome is highs.Outcome.OPTIMAL and best.value == pytest.approx(1.0)
    assert best.row_duals is None and asked == [False]
    asked.clear()
    # x + 2y = 3 with x at most 2: the relaxation's x = 0 has y = 1.5; whole numbers
    # need x = 1.
    odd = Programme(
        {0: 0, 1: 1},
        [],
        [],
        np.array([[1.0, 2.0]]),
        np.array([3.0]),
        None,
        None,
        [(0.0, 2.0), (0.0, None)],
    )
    fitted = odd.whole_numbers(np.array([1.0, 0.0]), [(0.0, 2.0), (0.0, None)])
    assert asked == [False, True]
    assert fitted.value == pytest.approx(1.0) and fitted.x is not None
    assert list(np.round(fitted.x)) == [1.0, 1.0]


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_whole_numbers_answer_as_a_branch_and_bound_alone(data: st.DataObject) -> None:
    """Relaxation first or not, the same outcome and optimum on small programmes shaped
    like the audit's (sums of ±1 and a share's fraction, caps on some counts)."""
    import numpy as np

    from kakeai_ops.privacy.highs import Outcome, Solver
    from kakeai_ops.privacy.lp import Programme

    columns = data.draw(st.integers(1, 5))
    weight = st.sampled_from([0.0, 1.0, 1.0, -1.0, 0.3])
    equations = data.draw(st.integers(0, 3))
    at_most = data.draw(st.integers(0, 2))
    a_eq = np.array([[data.draw(weight) for _ in range(columns)] for _ in range(equations)])
    b_eq = np.array([float(data.draw(st.integers(0, 9))) for _ in range(equations)])
    a_ub = np.array([[data.draw(weight) for _ in range(columns)] for _ in range(at_most)])
    b_ub = np.array([float(data.draw(st.integers(-2, 9))) for _ in range(at_most)])
    bounds: list[tuple[float, float | None]] = [
        (float(data.draw(st.integers(0, 2))), data.draw(st.sampled_from([None, 2.0, 4.0])))
        for _ in range(columns)
    ]
    bounds = [(low, None if high is None else max(low, high)) for low, high in bounds]
    objective = np.array([data.draw(st.sampled_from([0.0, 1.0, -1.0])) for _ in range(columns)])
    programme = Programme(
        dict(enumerate(range(columns))),
        [],
        [],
        a_eq.reshape(equations, columns) if equations else None,
        b_eq,
        a_ub.reshape(at_most, columns) if at_most else None,
        b_ub if at_most else None,
        bounds,
    )
    ours = programme.whole_numbers(objective, bounds)
    width = np.zeros((0, columns))
    matrix = np.vstack(
        (
            a_ub.reshape(at_most, columns) if at_most else width,
            a_eq.reshape(equations, columns) if equations else width,
        )
    )
    lower = np.concatenate((np.full(at_most, -np.inf), b_eq))
    upper = np.concatenate((b_ub if at_most else np.zeros(0), b_eq))
    alone = Solver(matrix, lower, upper).solve(
        objective,
        np.array([low for low, _ in bounds]),
        np.array([np.inf if high is None else high for _, high in bounds]),
        whole=True,
    )
    if {ours.outcome, alone.outcome} <= {Outcome.INFEASIBLE, Outcome.UNBOUNDED}:
        return  # either may be said first of a programme that is both
    assert ours.outcome is alone.outcome
    if ours.outcome is Outcome.OPTIMAL:
        assert ours.value == pytest.approx(alone.value, abs=1e-6)
        assert ours.x is not None and np.allclose(ours.x, np.round(ours.x), atol=1e-6)
