"""Division metrics on hand-made rows (privacy: test_audit.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

import division_oracle as oracle
from factories import meeting, pair, tables, user
from kakeai_ops.analyses import divisions as dv
from kakeai_ops.analyses.division_groups import Figures
from kakeai_ops.config import ScopeUnit
from kakeai_ops.errors import KopsError
from kakeai_ops.model import Tables

AS_OF = dt.date(2026, 11, 20)


def test_periods() -> None:
    period, before = dv.parse_period("30d", AS_OF)
    assert (period.start, period.end) == (dt.date(2026, 10, 22), AS_OF)
    assert (before.start, before.end) == (dt.date(2026, 9, 22), dt.date(2026, 10, 21))
    period, before = dv.parse_period("month:2026-01", AS_OF)
    assert (period.start, period.end, before.start) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
        dt.date(2025, 12, 1),
    )
    period, before = dv.parse_period("quarter:2026Q3", AS_OF)
    assert (period.start, period.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert (before.start, before.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    with pytest.raises(KopsError, match="is not a period"):
        dv.parse_period("last month", AS_OF)


def _company():  # type: ignore[no-untyped-def]
    users = [user("M", division="A", department="a1")]
    users += [user(f"A{i}", division="A", department="a1") for i in range(4)]
    users += [user("N", division="A", department="a2", last_login_at=None)]
    users += [
        user("R", division="A", department="a1", employment="退職", employment_status="retired")
    ]
    pairs = [pair("M", f"A{i}") for i in range(4)] + [pair("M", "N", accepted=None)]
    meetings = [
        meeting("M", "A0", "2026-11-02 10:00", topic="人間関係", response="報告したい", sukkiri=5),
        meeting(
            "M",
            "A0",
            "2026-11-09 10:00",
            topic="人間関係",
            response="報告したい",
            sukkiri=3,
            prepared=None,
        ),
        meeting(
            "M",
            "A1",
            "2026-11-10 10:00",
            topic="今後のキャリア",
            response="意見を聞きたい",
            sukkiri=None,
            growth=None,
        ),
        meeting("M", "A2", "2026-11-11 10:00", status="cancelled"),
        meeting("M", "A3", "2026-09-01 10:00"),  # before the period
    ]
    return tables(users, pairs, meetings)


class Grouped:
    """The report's one-pass figures, called as the plain oracle is."""

    @staticmethod
    def metrics(t: Tables, period: dv.Period, levels: list[str]) -> pd.DataFrame:
        return Figures(t, since=period.start).metrics(period, levels)

    @staticmethod
    def mix(
        t: Tables, period: dv.Period, levels: list[str], column: str, vocabulary: list[str]
    ) -> pd.DataFrame:
        return Figures(t, since=period.start).mix(period, levels, column, vocabulary)

    @staticmethod
    def topic_response(t: Tables, period: dv.Period, levels: list[str]) -> pd.DataFrame:
        return Figures(t, since=period.start).topic_response(period, levels)


# Hand counts, checked on the plain statement (the oracle the report's figures are compared
# with in test_division_groups.py) and on the report's figures themselves.
@pytest.mark.parametrize("figures", [oracle, Grouped], ids=["plain", "grouped"])
def test_metrics_values(figures: Any) -> None:
    period, _ = dv.parse_period("30d", AS_OF)
    frame = figures.metrics(_company(), period, ["division"]).set_index("division")
    row = frame.loc["A"]
    assert row["headcount"] == 6  # the retired one is left out
    assert row["activated"] == 5 and row["activation_rate"] == pytest.approx(5 / 6)
    assert row["in_pair"] == 5 and row["pair_rate"] == pytest.approx(
        5 / 6
    )  # N's pair is not formed
    assert row["members"] == 4
    assert row["members_with_1on1"] == 2 and row["implementation_rate"] == pytest.approx(0.5)
    assert row["held"] == 3
    assert row["per_member_month"] == pytest.approx(3 / 4 / (30 / dv.DAYS_PER_MONTH))
    assert row["prepared_share"] == pytest.approx(2 / 3)
    assert row["rated_share"] == pytest.approx(2 / 3)
    assert row["sukkiri_avg"] == pytest.approx(4.0)
    depts = figures.metrics(_company(), period, ["division", "department"]).set_index("department")
    assert depts.loc["a2", "headcount"] == 1 and depts.loc["a1", "headcount"] == 5
    topics = figures.mix(_company(), period, ["division"], "topic", ["人間関係", "今後のキャリア"])
    assert topics.set_index("value")["count"].to_dict() == {"人間関係": 2, "今後のキャリア": 1}
    assert topics.set_index("value")["people"].to_dict() == {"人間関係": 1, "今後のキャリア": 1}
    matrix = figures.topic_response(_company(), period, ["division"])
    assert (
        matrix.set_index(["topic", "response"]).loc[("人間関係", "報告したい"), "sukkiri_avg"]
        == 4.0
    )


def test_scope_keeps_only_the_scope() -> None:
    t = tables(
        users=[
            user("X", division="A", department="a1"),
            user("Y", division="A", department="a2"),
            user("Z", division="B"),
        ],
        pairs=[pair("X", "Y"), pair("Z", "X")],
        meetings=[meeting("X", "Y", "2026-11-02 10:00"), meeting("Z", "X", "2026-11-02 10:00")],
    )
    scoped = dv.scope_tables(t, [ScopeUnit(division="A", department="a2")])
    assert list(scoped.users["user_id"]) == ["Y"]
    assert list(scoped.meetings["member_id"]) == ["Y"]
    assert set(dv.scope_tables(t, [ScopeUnit(division="A")]).users["user_id"]) == {"X", "Y"}


@pytest.mark.parametrize(
    "text, slug, words",
    [
        ("90d", "90d", "直近90日"),
        ("month:2026-11", "2026-11", "2026年11月"),  # in progress on 11-20: still 11月
        ("quarter:2026Q4", "2026Q4", "2026年10〜12月"),
        ("half:2026H2", "2026H2", "2026年7〜12月"),
        ("year:2026", "2026", "2026年1〜12月"),
    ],
)
def test_a_period_in_a_file_name(text: str, slug: str, words: str) -> None:
    """A month's and its quarter's reports into one folder had one name: the period goes
    into the folder's name as --period says it, and into the attachment as people do."""
    period, _before = dv.parse_period(text, dt.date(2026, 11, 20))
    assert (period.slug, period.words) == (slug, words)
