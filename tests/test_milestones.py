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
    # MID: 3 as member + 9 as manager = 12 → the 10 message, in both roles.
    assert got[("MID", "member")] == 10 and got[("MID", "manager")] == 10
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
