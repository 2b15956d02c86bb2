"""Booked 1on1s: each person's first 予定 in the window, checked against a recount."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from factories import meeting, tables, user
from kakeai_ops.analyses.scheduled import scheduled_soon

AS_OF = dt.date(2026, 11, 20)


def recount(rows: list[dict[str, object]], days: int) -> dict[str, pd.Timestamp]:
    start = pd.Timestamp(AS_OF)
    end = pd.Timestamp(AS_OF + dt.timedelta(days=days + 1))
    first: dict[str, pd.Timestamp] = {}
    for row in rows:
        at = pd.Timestamp(str(row["held_at"]))
        if row["status"] != "scheduled" or not start <= at < end:
            continue
        for person in (str(row["manager_id"]), str(row["member_id"])):
            first[person] = min(first.get(person, at), at)
    return first


def test_the_first_booked_1on1_of_each_side_within_the_days_and_no_other() -> None:
    chance = random.Random(7)
    people = [f"{n:06d}" for n in range(1, 13)]
    rows = [
        meeting(
            chance.choice(people[:4]),
            chance.choice(people[4:]),
            f"2026-11-{chance.randint(10, 30)} {chance.randint(9, 18)}:{chance.choice(['00', '30'])}",
            status=chance.choice(["scheduled", "scheduled", "held", "cancelled"]),
        )
        for _ in range(120)
    ]
    made = tables([user(p) for p in people], meetings=rows)
    for days in (0, 1, 7, 30):
        found = scheduled_soon(made.meetings, AS_OF, days)
        assert found == recount(rows, days)
        assert list(found) == sorted(found)  # by user id
    assert scheduled_soon(made.meetings, dt.date(2027, 1, 1), 7) == {}
    # The last day counts to its end; the as-of day from its start.
    edge = [
        meeting("000001", "000005", "2026-11-27 23:59", status="scheduled"),
        meeting("000002", "000006", "2026-11-20 00:00", status="scheduled"),
        meeting("000003", "000007", "2026-11-28 00:00", status="scheduled"),
    ]
    made = tables([user(p) for p in people], meetings=edge)
    assert set(scheduled_soon(made.meetings, AS_OF, 7)) == {"000001", "000005", "000002", "000006"}
