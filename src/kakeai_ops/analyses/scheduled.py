"""Booked 1on1s (予定): a person with one coming up needs no nudge to book one."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model import SIDES

# The stuck points whose mails ask people to book a 1on1: a booked one answers them.
ASKS_FOR_A_BOOKING = ("lapsed", "no_1on1")


def first_booked(meetings: pd.DataFrame, as_of: dt.date) -> dict[str, pd.Timestamp]:
    """user id → the first 予定 1on1 (either role) from the as-of day on, by user id.

    However far ahead: a booking answers a mail that asks for one (over 年末年始 the
    first free slot is often two or three weeks away, and 「1on1を予約しましょう」 to
    someone who has is untrue)."""
    held = meetings["held_at"]
    booked = (meetings["status"] == "scheduled") & (held >= pd.Timestamp(as_of))
    if not booked.any():
        return {}
    # The few booked rows, person by person (a frame, a concat and a groupby cost more
    # than the whole walk): each side's id as astype(str) writes it, a missing one left out.
    rows = booked.to_numpy().nonzero()[0]
    times = held.take(rows).tolist()
    first: dict[str, pd.Timestamp] = {}
    for role in SIDES:
        ids = meetings[f"{role}_id"].take(rows).astype(str).tolist()
        for user_id, at in zip(ids, times, strict=True):
            if type(user_id) is str and (user_id not in first or at < first[user_id]):
                first[user_id] = at
    return dict(sorted(first.items()))
