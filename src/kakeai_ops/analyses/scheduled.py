"""Booked 1on1s (予定): a person with one coming up needs no nudge to book one."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model import SIDES
from .definitions import day_end


def scheduled_soon(meetings: pd.DataFrame, as_of: dt.date, days: int) -> dict[str, pd.Timestamp]:
    """user id → the first 予定 1on1 (either role) from the as-of day through ``days``
    days after it."""
    start = pd.Timestamp(as_of)
    end = day_end(as_of + dt.timedelta(days=days))
    booked = meetings[
        (meetings["status"] == "scheduled")
        & (meetings["held_at"] >= start)
        & (meetings["held_at"] < end)
    ]
    if booked.empty:
        return {}
    both = pd.concat(
        [
            pd.DataFrame({"user_id": booked[f"{role}_id"].astype(str), "at": booked["held_at"]})
            for role in SIDES
        ]
    )
    first = both.groupby("user_id")["at"].min()
    return {str(k): v for k, v in first.items()}
