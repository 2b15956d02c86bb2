"""Booked 1on1s: each person's first 予定 from the data's day on, checked against a recount."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from factories import meeting, tables, user
from kakeai_ops.analyses.scheduled import first_booked, next_prepared

AS_OF = dt.date(2026, 11, 20)


def recount(rows: list[dict[str, object]], as_of: dt.date) -> dict[str, pd.Timestamp]:
    first: dict[str, pd.Timestamp] = {}
    for row in rows:
        at = pd.Timestamp(str(row["held_at"]))
        if row["status"] != "scheduled" or at.date() < as_of:
            continue
        for person in (str(row["manager_id"]), str(row["member_id"])):
            first[person] = min(first.get(person, at), at)
    return first


def test_the_first_booked_1on1_of_each_side_however_far_ahead_and_no_other() -> None:
    chance = random.Random(7)
    people = [f"{n:06d}" for n in range(1, 13)]
    rows = [
        meeting(
            chance.choice(people[:4]),
            chance.choice(people[4:]),
            f"{chance.choice(['2026-11', '2026-12', '2027-03'])}-{chance.randint(10, 28)}"
            f" {chance.randint(9, 18)}:{chance.choice(['00', '30'])}",
            status=chance.choice(["scheduled", "scheduled", "held", "cancelled"]),
        )
        for _ in range(120)
    ]
    made = tables([user(p) for p in people], meetings=rows)
    for as_of in (AS_OF, dt.date(2026, 12, 20), dt.date(2027, 3, 1)):
        found = first_booked(made.meetings, as_of)
        assert found == recount(rows, as_of)
        assert list(found) == sorted(found)  # by user id
    assert any(
        at > pd.Timestamp("2027-03-01") for at in recount(rows, dt.date(2027, 3, 1)).values()
    )
    assert first_booked(made.meetings, dt.date(2027, 4, 1)) == {}
    # The as-of day counts from its start; a 予定 left from the day before is no booking.
    edge = [
        meeting("000001", "000005", "2026-11-19 23:59", status="scheduled"),
        meeting("000002", "000006", "2026-11-20 00:00", status="scheduled"),
        meeting("000003", "000007", "2027-11-28 00:00", status="scheduled"),
    ]
    made = tables([user(p) for p in people], meetings=edge)
    assert set(first_booked(made.meetings, AS_OF)) == {"000002", "000006", "000003", "000007"}


def prepared_recount(rows: list[dict[str, object]], as_of: dt.date) -> dict[str, pd.Timestamp]:
    """Each member's first 予定 from the day on, kept when a topic was chosen and the
    preparation made by then."""
    first: dict[str, dict[str, object]] = {}
    for row in rows:
        at = pd.Timestamp(str(row["held_at"]))
        member = str(row["member_id"])
        if row["status"] != "scheduled" or at.date() < as_of:
            continue
        if member not in first or at < pd.Timestamp(str(first[member]["held_at"])):
            first[member] = row
    return {
        member: pd.Timestamp(str(row["held_at"]))
        for member, row in first.items()
        if row["topic"] is not None
        and row["prepared_at"] is not None
        and not pd.isna(row["prepared_at"])
        and pd.Timestamp(str(row["prepared_at"])) <= pd.Timestamp(str(row["held_at"]))
    }


def test_a_members_next_booked_1on1_already_prepared_and_no_other() -> None:
    """「話したいことを選んでおく」 reached a member whose next 1on1, two days later, was
    prepared with a topic: their next booking as member, prepared, answers the mail."""
    chance = random.Random(11)
    people = [f"{n:06d}" for n in range(1, 13)]
    rows = [
        meeting(
            chance.choice(people[:6]),  # 000005 and 000006 are managers and members
            chance.choice(people[4:]),
            f"2026-{chance.choice(['11', '12'])}-{chance.randint(10, 28)} {chance.randint(9, 18)}:00",
            status=chance.choice(["scheduled", "scheduled", "held"]),
            topic=chance.choice(["人間関係", "人間関係", None]),
            prepared=chance.choice(["before", "before", "after", None]),
        )
        for _ in range(150)
    ]
    made = tables([user(p) for p in people], meetings=rows)
    for as_of in (AS_OF, dt.date(2026, 12, 1)):
        assert next_prepared(made.meetings, as_of) == prepared_recount(rows, as_of)
    found = next_prepared(made.meetings, AS_OF)
    assert found and len(found) < len(people[4:])  # some prepared, some not: not a weak test
