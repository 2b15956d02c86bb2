"""Milestones (rules.md §2): due once per milestone and role, remembered when delivered."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.milestones import milestones_due
from kakeai_ops.store import delivered_milestones, record_milestones_delivered
from kakeai_ops.workspace import Workspace

AS_OF = dt.date(2026, 11, 20)
STEPS = [1, 5, 10, 20, 50, 100]


def n_meetings(manager: str, member: str, n: int, status: str = "held") -> list[dict]:
    start = pd.Timestamp("2026-01-05 10:00")
    return [
        meeting(manager, member, str(start + pd.Timedelta(days=7 * i)), status=status)
        for i in range(n)
    ]


def test_highest_milestone_reached_per_role() -> None:
    t = tables(
        users=[user("HEAD"), user("MID"), user("A"), user("B"), user("C")],
        pairs=[pair("HEAD", "MID"), pair("MID", "A"), pair("MID", "B"), pair("MID", "C")],
        meetings=[
            *n_meetings("HEAD", "MID", 3),
            *n_meetings("MID", "A", 4),
            *n_meetings("MID", "B", 5),
            *n_meetings("MID", "C", 1, status="cancelled"),  # cancelled: no milestone
        ],
    )
    due = milestones_due(t, STEPS, AS_OF, pd.DataFrame(columns=["user_id", "milestone", "role"]))
    got = {(r.user_id, r.role): r.milestone for r in due.itertuples()}
    assert got[("A", "member")] == 1
    assert got[("B", "member")] == 5
    assert ("C", "member") not in got
    # MID: 3 as member, 9 as manager: each role counts its own (not 12 in both).
    assert got[("MID", "member")] == 1 and got[("MID", "manager")] == 5
    assert got[("HEAD", "manager")] == 1


def test_delivered_milestones_are_not_due_again(ws: Workspace) -> None:
    t = tables(
        users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=n_meetings("M", "A", 5)
    )
    record_milestones_delivered(
        ws, [("A", 5, "member"), ("M", 1, "manager")], run_id="milestones-2026-11"
    )
    record_milestones_delivered(ws, [("A", 5, "member")], run_id="again")  # idempotent
    delivered = delivered_milestones(ws)
    assert len(delivered) == 2
    due = milestones_due(t, STEPS, AS_OF, delivered)
    got = {(r.user_id, r.role): (r.milestone, r.last_delivered) for r in due.itertuples()}
    assert ("A", "member") not in got
    assert got[("M", "manager")] == (5, 1)  # reached 5 since the 1 message


def test_future_held_and_retired_do_not_count() -> None:
    t = tables(
        users=[user("M"), user("A"), user("R", employment="退職", employment_status="retired")],
        pairs=[pair("M", "A"), pair("M", "R")],
        meetings=[meeting("M", "A", "2026-12-01 10:00"), *n_meetings("M", "R", 5)],
    )
    due = milestones_due(t, STEPS, AS_OF, pd.DataFrame(columns=["user_id", "milestone", "role"]))
    assert "A" not in set(due["user_id"]) and "R" not in set(due["user_id"])
    assert set(due["user_id"]) == {"M"}  # the 5 with R still count for M


def test_only_milestones_crossed_since_the_baseline_are_due() -> None:
    # A: 4 held by Oct 20, 6 by Nov 20 → crossed 5 in the window.
    # B: 12 held by Oct 20, 13 by Nov 20 → nothing crossed in the window (10 long ago).
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=[
            *[meeting("M", "A", f"2026-10-{d:02d} 10:00") for d in (1, 5, 8, 12)],
            *[meeting("M", "A", f"2026-11-{d:02d} 10:00") for d in (2, 9)],
            *n_meetings("M", "B", 12),
            meeting("M", "B", "2026-11-10 10:00"),
        ],
    )
    none = pd.DataFrame(columns=["user_id", "milestone", "role"])
    due = milestones_due(t, STEPS, AS_OF, none, since=dt.date(2026, 10, 20))
    got = {
        (r.user_id, r.role): (r.milestone, r.held_before, r.held_in_role) for r in due.itertuples()
    }
    assert got == {("A", "member"): (5, 4, 6)}  # M: 19 as manager, 20 not yet reached
    # A 1on1 on the baseline day itself belongs before it.
    t2 = tables(
        users=[user("M"), user("A")],
        pairs=[pair("M", "A")],
        meetings=[meeting("M", "A", "2026-10-20 18:00")],
    )
    assert milestones_due(t2, STEPS, AS_OF, none, since=dt.date(2026, 10, 20)).empty
    assert len(milestones_due(t2, STEPS, AS_OF, none, since=dt.date(2026, 10, 19))) == 2


def test_the_backlog_is_every_milestone_reached_before_the_date() -> None:
    from kakeai_ops.analyses.milestones import milestones_reached

    t = tables(
        users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=n_meetings("M", "A", 6)
    )
    # n_meetings: weekly from 2026-01-05; before 2026-02-02 → 4 held (Jan 5, 12, 19, 26).
    reached = milestones_reached(t, STEPS, pd.Timestamp("2026-02-02"))
    assert sorted(map(tuple, reached[["user_id", "role", "milestone"]].values.tolist())) == [
        ("A", "member", 1),
        ("M", "manager", 1),
    ]
    reached = milestones_reached(t, STEPS, pd.Timestamp("2026-03-01"))
    assert ("A", "member", 5) in set(
        map(tuple, reached[["user_id", "role", "milestone"]].values.tolist())
    )
