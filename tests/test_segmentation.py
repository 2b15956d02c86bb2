"""Stuck points (rules.md §1) on hand-made rows: each rule at its thresholds."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.segmentation import compare, explain, segment, summary
from kakeai_ops.config import Rules

AS_OF = dt.date(2026, 11, 20)
RULES = Rules()


def run(t, rules: Rules = RULES, as_of: dt.date = AS_OF) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    result = segment(t, rules, as_of)
    assert_the_list_without_pandas_is_the_same(t, rules, as_of, result)
    return result.set_index("user_id")


def assert_the_list_without_pandas_is_the_same(
    t, rules: Rules, as_of: dt.date, result: pd.DataFrame
) -> None:  # type: ignore[no-untyped-def]
    """`segment --list --format csv` judges from the snapshot's Arrow tables and writes
    them without pandas: byte for byte the CSV the frame gives (and the same invitations
    waiting, which the mails read), unless the tables are not as a snapshot keeps them."""
    import numpy as np
    import pyarrow as pa

    from kakeai_ops.analyses.segment_facts import arrow_fact_rows, facts_of
    from kakeai_ops.analyses.segmentation import LIST_COLUMNS, segment_table
    from kakeai_ops.outputs.csv_fields import table_csv_text
    from kakeai_ops.outputs.files import csv_text

    def arrow(frame: pd.DataFrame) -> pa.Table:  # as a snapshot stores it (store._write_parquet)
        return pa.Table.from_pandas(frame, preserve_index=False)

    pairs, meetings = arrow(t.pairs), arrow(t.meetings)
    current = [
        i
        for i, s in zip(t.users["user_id"], t.users["employment_status"], strict=True)
        if s != "retired"
    ]
    if current != sorted(current):  # out of id order: the frames' path (which sorts)
        assert segment_table(arrow(t.users), pairs, meetings, rules, as_of) is None
    users = arrow(t.users.sort_values("user_id", kind="stable"))
    table = segment_table(users, pairs, meetings, rules, as_of)
    if table is None:  # an id twice, or nobody: the frames' path
        assert len(set(current)) < len(current) or not current
        return
    assert table_csv_text(table) == csv_text(result[LIST_COLUMNS])
    rows = arrow_fact_rows(table.column("user_id").combine_chunks(), pairs, meetings, as_of)
    assert rows is not None
    waiting = facts_of(rows, rules, as_of)["invites_to_accept"]
    assert np.array_equal(waiting, result["invites_to_accept"].to_numpy())


def weekly(manager: str, member: str, last: str = "2026-11-18", n: int = 4, **kw) -> list[dict]:  # type: ignore[no-untyped-def]
    end = pd.Timestamp(last)
    return [meeting(manager, member, str(end - pd.Timedelta(weeks=i)), **kw) for i in range(n)]


def test_funnel_basics() -> None:
    t = tables(
        users=[
            user("M"),
            user("A", last_login_at=None),  # never logged in
            user("B"),  # invited, not accepted
            user("C"),  # formed pair, only cancelled/scheduled 1on1s
            user("D"),  # healthy
        ],
        pairs=[
            pair("M", "A", accepted=None),
            pair("M", "B", accepted=None),
            pair("M", "C"),
            pair("M", "D"),
        ],
        meetings=[
            meeting("M", "C", "2026-11-10 10:00", status="cancelled"),
            meeting(
                "M", "C", "2026-11-01 10:00", status="scheduled"
            ),  # a 予定 in the past is not held
            *weekly("M", "D"),
        ],
    )
    result = run(t)
    assert result.loc["A", "stuck_point"] == "not_activated"
    assert result.loc["A", "flags"] == "not_activated;no_pair"
    assert result.loc["B", "stuck_point"] == "no_pair"
    assert result.loc["C", "stuck_point"] == "no_1on1"
    assert result.loc["C", "held_total"] == 0
    assert result.loc["D", "stuck_point"] == "healthy" and result.loc["D", "flags"] == "healthy"
    assert result.loc["M", "role"] == "manager" and result.loc["D", "role"] == "member"
    assert result.loc["A", "role"] == "none"
    assert result.loc["A", "stuck_point_label"] == "未ログイン"


def test_lapse_window_edges() -> None:
    # lapse_days = 30: the window is as-of − 29 … as-of (2026-10-22 … 2026-11-20).
    t = tables(
        users=[user("M"), user("IN"), user("OUT"), user("FUT")],
        pairs=[pair("M", "IN"), pair("M", "OUT"), pair("M", "FUT")],
        meetings=[
            meeting("M", "IN", "2026-10-22 00:00"),
            meeting("M", "OUT", "2026-10-21 23:59"),
            meeting("M", "FUT", "2026-09-01 10:00"),
            meeting("M", "FUT", "2026-11-21 09:00"),  # after as-of: not held yet
        ],
    )
    result = run(t)
    assert "lapsed" not in result.loc["IN", "flags"]
    assert result.loc["OUT", "stuck_point"] == "lapsed"
    assert result.loc["FUT", "stuck_point"] == "lapsed"
    assert result.loc["FUT", "held_total"] == 1
    assert run(t, Rules(lapse_days=31)).loc["OUT", "stuck_point"] != "lapsed"


def test_no_prep_counts_only_the_last_three_and_only_real_preparation() -> None:
    t = tables(
        users=[user("M"), user("P1"), user("P2"), user("LATE"), user("NOTOPIC"), user("OLD")],
        pairs=[pair("M", u) for u in ("P1", "P2", "LATE", "NOTOPIC", "OLD")],
        meetings=[
            # 1 of 3 prepared → 33% < 50%
            *weekly("M", "P1", n=2, prepared=None),
            meeting("M", "P1", "2026-11-01 10:00"),
            # 2 of 3 prepared → 67%
            *weekly("M", "P2", n=2),
            meeting("M", "P2", "2026-11-01 10:00", prepared=None),
            # chosen after the 1on1: not preparation
            *weekly("M", "LATE", n=3, prepared="after"),
            # a time but no topic: not preparation
            *weekly("M", "NOTOPIC", n=3, topic=None),
            # the last three unprepared; older prepared ones do not count
            *weekly("M", "OLD", n=3, prepared=None),
            *weekly("M", "OLD", last="2026-10-01", n=5),
        ],
    )
    result = run(t)
    assert result.loc["P1", "stuck_point"] == "no_prep"
    assert result.loc["P1", "recent_prepared"] == 1 and result.loc["P1", "recent_count"] == 3
    assert result.loc["P2", "stuck_point"] == "healthy"
    assert result.loc["LATE", "stuck_point"] == "no_prep"
    assert result.loc["NOTOPIC", "stuck_point"] == "no_prep"
    assert result.loc["OLD", "stuck_point"] == "no_prep"
    # Exactly at the threshold is not below it.
    two = tables(
        users=[user("M"), user("X")],
        pairs=[pair("M", "X")],
        meetings=[
            meeting("M", "X", "2026-11-18 10:00"),
            meeting("M", "X", "2026-11-11 10:00", prepared=None),
        ],
    )
    assert run(two, Rules(recent_n=2)).loc["X", "prep_share"] == 0.5
    assert "no_prep" not in run(two, Rules(recent_n=2)).loc["X", "flags"]
    assert "no_prep" in run(two, Rules(recent_n=2, min_prep_share=0.6)).loc["X", "flags"]


def test_fewer_recent_meetings_than_recent_n() -> None:
    t = tables(
        users=[user("M"), user("X")],
        pairs=[pair("M", "X")],
        meetings=[meeting("M", "X", "2026-11-18 10:00", sukkiri=None)],
    )
    result = run(t)
    assert result.loc["X", "recent_count"] == 1
    assert result.loc["X", "stuck_point"] == "no_rating"
    assert result.loc["X", "rating_share"] == 0.0


def test_no_rating_and_precedence() -> None:
    t = tables(
        users=[user("M"), user("R"), user("BOTH")],
        pairs=[pair("M", "R"), pair("M", "BOTH")],
        meetings=[
            *weekly("M", "R", n=3, sukkiri=None),
            *weekly("M", "BOTH", n=3, sukkiri=None, prepared=None),
        ],
    )
    result = run(t)
    assert result.loc["R", "stuck_point"] == "no_rating"
    assert result.loc["BOTH", "stuck_point"] == "no_prep"  # earlier in the funnel
    assert result.loc["BOTH", "flags"] == "no_prep;no_rating"


def test_no_recurrence_and_middle_managers() -> None:
    t = tables(
        users=[user("HEAD"), user("MID"), user("X"), user("Y")],
        pairs=[
            pair("HEAD", "MID", recurring=True),
            pair("MID", "X", recurring=False),
            pair("MID", "Y", recurring=False),
        ],
        meetings=[
            # MID as member: unprepared, so no_prep is judged on these only…
            *weekly("HEAD", "MID", n=3, prepared=None),
            # …not on the well-prepared 1on1s MID holds as manager.
            *weekly("MID", "X", n=3),
            *weekly("MID", "Y", n=3),
        ],
    )
    result = run(t)
    assert result.loc["MID", "role"] == "both"
    assert result.loc["MID", "flags"] == "no_prep;no_recurrence"
    assert result.loc["MID", "stuck_point"] == "no_prep"
    assert result.loc["MID", "held_as_manager"] == 6 and result.loc["MID", "held_as_member"] == 3
    assert result.loc["HEAD", "stuck_point"] == "healthy"  # its one pair recurs
    assert result.loc["HEAD", "seminar_month"] == 4  # healthy managers → Month4


def test_leave_kept_and_retired_left_out() -> None:
    t = tables(
        users=[
            user("M"),
            user("L", employment="育休", employment_status="leave"),
            user("R", employment="退職", employment_status="retired"),
        ],
        pairs=[pair("M", "L"), pair("M", "R")],
        meetings=[*weekly("M", "L"), *weekly("M", "R")],
    )
    result = run(t)
    assert "L" in result.index and "R" not in result.index
    assert result.loc["L", "employment"] == "育休"


def test_summary_and_shares() -> None:
    t = tables(users=[user("A", last_login_at=None), user("B"), user("C")])
    table = summary(segment(t, RULES, AS_OF)).set_index("stuck_point")
    assert table.loc["not_activated", "total"] == 1
    assert table.loc["no_pair", "total"] == 2
    assert table.loc["no_pair", "none"] == 2
    assert abs(table["share"].sum() - 1.0) < 1e-9
    assert table.index[0] == "not_activated" and table.index[-1] == "healthy"


def test_explain_states_facts_thresholds_and_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    t = tables(
        users=[user("M"), user("X")],
        pairs=[pair("M", "X")],
        meetings=weekly("M", "X", n=3, prepared=None),
    )
    row = segment(t, RULES, AS_OF).set_index("user_id").loc["X"].copy()
    row["user_id"] = "X"
    checks = {c.key: c for c in explain(row, RULES, AS_OF)}
    assert list(checks) == [
        "not_activated",
        "no_pair",
        "no_1on1",
        "lapsed",
        "no_prep",
        "no_rating",
        "no_recurrence",
        "healthy",
    ]
    assert checks["no_prep"].applies and not checks["lapsed"].applies
    assert "事前準備あり 0 回（0%）" in checks["no_prep"].facts
    assert "< 50%" in checks["no_prep"].threshold
    assert "2026-10-22〜2026-11-20" in checks["lapsed"].threshold


def test_compare_transitions() -> None:
    before = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "stuck_point": ["no_pair", "healthy", "no_prep", "lapsed"],
        }
    )
    after = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "e"],
            "name": list("abce"),
            "division": "x",
            "department": "y",
            "role": "member",
            "employment": ["在籍", "休職", "在籍", "在籍"],
            "stuck_point": ["no_1on1", "lapsed", "no_prep", "healthy"],
        }
    )
    movement = compare(before, after)
    assert movement.transitions.loc["no_pair", "no_1on1"] == 1
    assert movement.transitions.loc["healthy", "lapsed"] == 1
    assert movement.transitions.loc["no_prep", "no_prep"] == 1
    assert int(movement.transitions.to_numpy().sum()) == 3
    assert movement.moved_on["user_id"].tolist() == ["a"]
    assert movement.slid_back["user_id"].tolist() == ["b"]
    assert movement.slid_back["employment"].tolist() == ["休職"]  # why b slid back
    assert movement.joined == 1 and movement.left == 1


def test_same_minute_ties_break_by_meeting_id_whatever_the_row_order() -> None:
    rows = [
        meeting("M", "X", "2026-11-18 10:00", prepared=None, meeting_id="M0002"),
        meeting("M", "X", "2026-11-18 10:00", meeting_id="M0001"),
    ]
    for ordered in (rows, rows[::-1]):
        t = tables(users=[user("M"), user("X")], pairs=[pair("M", "X")], meetings=ordered)
        # recent_n = 1: the 'newest' is the higher id, M0002, which was not prepared.
        assert run(t, Rules(recent_n=1)).loc["X", "recent_prepared"] == 0


def test_the_list_without_pandas_leaves_other_kinds_of_column_to_the_frames() -> None:
    """Columns not of the kinds a snapshot stores (ids as numbers, recurring as text, a
    time with a zone) are not judged from Arrow: None, and the command judges the frames."""
    import pyarrow as pa

    from kakeai_ops.analyses.segmentation import segment_table

    t = tables(users=[user("M"), user("X")], pairs=[pair("M", "X")], meetings=weekly("M", "X"))
    users, pairs, meetings = (
        pa.Table.from_pandas(t.get(name), preserve_index=False)
        for name in ("users", "pairs", "meetings")
    )
    assert segment_table(users, pairs, meetings, RULES, AS_OF) is not None

    def replaced(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.schema.get_field_index(name), name, values)

    odd = [
        (users, replaced(pairs, "recurring", pa.array(["true"] * len(pairs))), meetings),
        (users, replaced(pairs, "member_id", pa.array([2] * len(pairs))), meetings),
        (users, pairs, replaced(meetings, "status", pa.array([1] * len(meetings)))),
        (
            users,
            pairs,
            replaced(
                meetings, "held_at", meetings.column("held_at").cast(pa.timestamp("us", "UTC"))
            ),
        ),
    ]
    for kinds in odd:
        assert segment_table(*kinds, RULES, AS_OF) is None
