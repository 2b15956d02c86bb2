"""Booked 1on1s (予定): a person with one coming up needs no nudge to book one."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model import SIDES
from .definitions import is_prepared

# The stuck points whose mails ask people to book a 1on1: a booked one answers them.
ASKS_FOR_A_BOOKING = ("lapsed", "no_1on1")
# The stuck point whose mail asks the member to prepare their next 1on1: a booked one
# already prepared answers it.
ASKS_TO_PREPARE = "no_prep"


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


def next_prepared(meetings: pd.DataFrame, as_of: dt.date) -> dict[str, pd.Timestamp]:
    """member id → their first 予定 1on1 as member from the as-of day on, where it is
    already prepared (a topic chosen beforehand, ``is_prepared``): 「話したいことを選んで
    おく」 asked someone who had, two days before their 1on1."""
    held = meetings["held_at"]
    booked = meetings[(meetings["status"] == "scheduled") & (held >= pd.Timestamp(as_of))]
    if booked.empty:
        return {}
    first = booked.sort_values("held_at", kind="stable").drop_duplicates("member_id")
    ready = first[is_prepared(first).to_numpy(dtype=bool) & first["member_id"].notna()]
    return {
        str(member): at
        for member, at in zip(ready["member_id"].astype(str), ready["held_at"], strict=True)
    }
