"""The report's one-pass figures (analyses/division_groups.py) against the plain rule
(analyses/divisions.py), frame for frame, on rows made to trip a shortcut."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import division_oracle as oracle
from factories import meeting, pair, tables, user
from kakeai_ops.analyses import divisions as dv
from kakeai_ops.analyses.division_groups import TOTAL, Figures, Grouping
from kakeai_ops.config import DEFAULT_RESPONSES, DEFAULT_TOPICS, ScopeUnit
from kakeai_ops.store import Tables

AS_OF = dt.date(2026, 11, 20)


def _tricky() -> Tables:
    users = [user("M1", division="B", department="b2"), user("M2", division="A", department="a1")]
    users += [user(f"A{i}", division="A", department=f"a{i % 3}") for i in range(7)]
    users += [user(f"B{i}", division="B", department="b1", last_login_at=None) for i in range(4)]
    users += [user("C0", division="C", department="c1")]  # a division no one met in
    users += [user("R", division="A", department="a1", employment_status="retired")]
    pairs: list[dict[str, Any]] = [pair("M2", f"A{i}") for i in range(7)]
    pairs += [pair("M1", f"B{i}") for i in range(3)] + [pair("M1", "B3", accepted=None)]
    pairs += [pair("M2", "R"), pair("M1", "C0")]
    meetings = [
        # the period's first instant, its last minute, and the day after it
        meeting("M2", "A0", "2026-10-22 00:00", sukkiri=5, growth=None),
        meeting("M2", "A1", "2026-11-20 23:59", topic="心身の状態", response="話を聞いてほしい"),
        meeting("M2", "A2", "2026-11-21 00:00"),
        meeting("M2", "A0", "2026-11-02 10:00", prepared="after", sukkiri=None),
        meeting("M2", "A3", "2026-11-03 10:00", topic=None, response=None, sukkiri=2),
        meeting("M2", "A3", "2026-11-04 10:00", status="cancelled"),
        meeting("M2", "A4", "2026-11-05 10:00", status="scheduled"),
        meeting("M2", "R", "2026-11-05 10:00"),  # a retired member's 1on1 counts nowhere
        meeting("M2", "X9", "2026-11-05 10:00"),  # nor one of someone not in the users
        meeting("M1", "B0", "2026-11-06 10:00", topic="人間関係", sukkiri=1, growth=1),
        meeting("M1", "B0", "2026-11-07 10:00", topic="人間関係", sukkiri=None, growth=5),
        meeting("M1", "B1", "2026-09-30 10:00", response="意見を聞きたい", sukkiri=3),
        meeting("M1", "B3", "2026-11-08 10:00", prepared=None),  # pair not formed
        meeting("M2", "M1", "2026-11-09 10:00"),  # a manager as someone's member
        meeting("M2", "A5", "2026-06-15 10:00"),  # a month before the chart's six
    ]
    return tables(users, pairs, meetings)


def _same(fast: pd.DataFrame, plain: pd.DataFrame) -> None:
    assert_frame_equal(fast, plain, check_dtype=False, check_index_type=False)


def _as_records(rows: list[dict[str, Any]], frame: pd.DataFrame) -> None:
    """Rows given without their frame are its records: the same keys, values and types
    (a report makes its cells of them; NaN where the frame has NaN)."""
    expected = frame.to_dict("records")
    assert [list(r) for r in rows] == [list(r) for r in expected]
    for row, wanted in zip(rows, expected, strict=True):
        assert [type(v) for v in row.values()] == [type(v) for v in wanted.values()]
        assert [None if v != v else v for v in row.values()] == [
            None if v != v else v for v in wanted.values()
        ]


def _lookup(mix: pd.DataFrame) -> dict[object, dict[str, tuple[int, int]]]:
    """A ``mix`` frame as the report reads it: 事業部 → value → (1on1s, members)."""
    out: dict[object, dict[str, tuple[int, int]]] = {}
    for row in mix.itertuples(index=False):
        out.setdefault(row.division, {})[str(row.value)] = (row.count, row.people)
    return out


def _whole(t: Tables) -> Tables:
    users = t.users.assign(division=TOTAL, department=TOTAL)
    return Tables(users=users, pairs=t.pairs, meetings=t.meetings)


A, A1, B = (
    ScopeUnit(division="A"),
    ScopeUnit(division="A", department="a1"),
    ScopeUnit(division="B"),
)


@pytest.mark.parametrize("text", ["30d", "90d", "month:2026-11", "quarter:2026Q3"])
@pytest.mark.parametrize("scope", [None, [A], [A1, B]])
def test_grouped_figures_are_the_plain_ones(text: str, scope: list[ScopeUnit] | None) -> None:
    scoped = dv.scope_tables(_tricky(), scope)
    period, before = dv.parse_period(text, AS_OF)
    figures = Figures(scoped, since=min(before.start, dv.last_months(AS_OF, 6)[-1].start))
    for levels in (["division"], ["division", "department"]):
        for p in (period, before):
            _same(figures.metrics(p, levels), oracle.metrics(scoped, p, levels))
            _as_records(figures.metric_rows(p, levels), figures.metrics(p, levels))
    for p in (period, before):
        _same(
            figures.metrics(p, ["division"], whole=True),
            oracle.metrics(_whole(scoped), p, ["division"]),
        )
        _as_records(
            figures.metric_rows(p, ["division"], whole=True),
            figures.metrics(p, ["division"], whole=True),
        )
    for column, vocabulary in (("topic", DEFAULT_TOPICS), ("response", DEFAULT_RESPONSES)):
        fast = figures.mix(period, ["division"], column, list(vocabulary))
        _same(fast, oracle.mix(scoped, period, ["division"], column, list(vocabulary)))
        assert figures.mix_counts(period, column) == _lookup(fast)
        fast = figures.mix(period, ["division"], column, list(vocabulary), whole=True)
        _same(fast, oracle.mix(_whole(scoped), period, ["division"], column, list(vocabulary)))
        assert figures.mix_counts(period, column, whole=True) == _lookup(fast)
    _same(
        figures.topic_response(period, ["division"]),
        oracle.topic_response(scoped, period, ["division"]),
    )
    frame = figures.topic_response(period, ["division"])
    keys = zip(frame["division"], frame["topic"], frame["response"], strict=True)
    values = zip(frame["sukkiri_avg"].to_numpy(), frame["people"].to_numpy(), strict=True)
    expected = dict(zip(keys, values, strict=True))
    lookup = figures.topic_response_lookup(period)
    assert lookup == expected  # (in the order of the codes: it is read by key)
    assert {type(v) for pair in lookup.values() for v in pair} == {
        type(v) for pair in expected.values() for v in pair
    }
    _same(figures.monthly(AS_OF), oracle.monthly(scoped, AS_OF))
    _as_records(figures.monthly_rows(AS_OF), figures.monthly(AS_OF))


def test_the_tricky_rows_reach_every_case() -> None:
    """The comparison above is only worth something if the figures are not all empty."""
    period, _ = dv.parse_period("30d", AS_OF)
    frame = Figures(_tricky()).metrics(period, ["division"]).set_index("division")
    assert frame.loc["A", "held"] == 4 and frame.loc["B", "held"] == 4
    assert frame.loc["A", "prepared_share"] == 0.5  # one prepared after, one without a topic
    assert frame.loc["C", "held"] == 0 and pd.isna(frame.loc["C", "sukkiri_avg"])
    assert frame.loc["B", "members"] == 3 and frame.loc["B", "members_with_1on1"] == 1


@pytest.mark.parametrize("levels", [["division"], ["division", "department"]])
def test_groupings_are_the_groupbys(levels: list[str]) -> None:
    """Each user's group as ``groupby(levels, sort=True)`` numbers it (``ngroup``, -1 where
    a level is missing) and the groups as its ``size().index``: names, order and types."""
    users = _tricky().users
    cases = [
        users,
        users.assign(division=TOTAL, department=TOTAL),
        users.iloc[:0],
        users.assign(department=users["department"].where(users.index % 3 != 0)),
        users.assign(division=users["division"].where(users.index % 4 != 1)),
    ]
    for frame in cases:
        grouped = frame[levels].groupby(levels, sort=True)
        index = grouped.size().index
        grouping = Grouping(frame, levels)
        assert grouping.index.equals(index) and grouping.index.names == index.names
        assert grouping.index.tolist() == index.tolist()
        assert list(grouping.codes) == list(grouped.ngroup().fillna(-1).astype(int))
        assert grouping.size == len(index)


def test_a_past_period_counts_the_members_of_its_time() -> None:
    """Four 部下, today. P1 paired in January; P2 paired in November, no 1on1 before: not
    a 部下 of September. P3 re-paired with a new manager in November (a new 承認日) but met
    as 部下 in August: a 部下 since then. P4's 承認日 is after the data's last day (a
    mistyped export): a 部下 of today, in today's rate as in 部下の人数."""
    users = [user("M", division="A", department="a")]
    users += [user(f"P{i}", division="A", department="a") for i in range(1, 5)]
    pairs = [
        pair("M", "P1", accepted="2026-01-05"),
        pair("M", "P2", accepted="2026-11-02"),
        pair("M", "P3", accepted="2026-11-03"),
        pair("M", "P4", accepted="2027-03-01"),
    ]
    meetings = [
        meeting("M", "P3", "2026-08-20 10:00"),
        meeting("M", "P1", "2026-09-10 10:00"),
        meeting("M", "P1", "2026-11-10 10:00"),
        meeting("M", "P2", "2026-11-12 10:00"),
        meeting("M", "P3", "2026-11-13 10:00"),
    ]
    figures = Figures(tables(users, pairs, meetings))
    september = dv.Period("2026-09", dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    now = dv.Period("30d", dt.date(2026, 10, 22), dt.date(2026, 11, 20))
    [was] = figures.metric_rows(september, ["division"])
    [today] = figures.metric_rows(now, ["division"])
    # September: P1 (paired) and P3 (met in August) are its 部下; P1 met.
    assert (was["period_members"], was["members_with_1on1"]) == (2, 1)
    assert was["implementation_rate"] == pytest.approx(1 / 2)
    # Today: all four, P4 too, as 部下の人数 says; three met.
    assert today["members"] == today["period_members"] == 4
    assert today["implementation_rate"] == pytest.approx(3 / 4)
    months = {r["month"]: r for r in figures.monthly_rows(dt.date(2026, 11, 20), 6)}
    assert months["2026-09"]["members"] == 2 and months["2026-11"]["members"] == 4
