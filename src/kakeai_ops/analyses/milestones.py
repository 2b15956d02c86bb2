"""Milestones (rules.md §2): knowledge messages when a user's held 1on1s reach 1, 5, 10, …"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..model import Tables
from .common import current_users, held_meetings, user_positions

MILESTONE_COLUMNS = [
    "user_id",
    "name",
    "email",
    "division",
    "department",
    "employment",
    "role",
    "held_total",
    "held_in_role",
    "milestone",
    "last_delivered",
]


def milestones_due(
    tables: Tables, milestones: list[int], as_of: dt.date, delivered: pd.DataFrame
) -> pd.DataFrame:
    """Users whose held 1on1s (either role) reached a milestone whose message they lack.

    One row per user and role (a middle manager can be due both the manager's and
    the member's message). Only the highest milestone reached is due: someone
    who passed 1, 5 and 10 before kops ran gets the 10 message, not three.
    """
    users = current_users(tables.users).set_index("user_id")
    index = users.index
    n = len(index)
    held = held_meetings(tables.meetings, as_of)
    as_manager = np.bincount(_known(user_positions(index, held["manager_id"])), minlength=n)
    as_member = np.bincount(_known(user_positions(index, held["member_id"])), minlength=n)
    total = as_manager + as_member
    steps = np.array(sorted(milestones), dtype=int)
    reached_at = np.searchsorted(steps, total, side="right") - 1
    reached = np.where(reached_at >= 0, steps[np.maximum(reached_at, 0)], 0)

    frames = []
    for role, count in (("manager", as_manager), ("member", as_member)):
        has_role = (count > 0) & (reached > 0)
        frame = pd.DataFrame(
            {
                "user_id": index[has_role],
                "role": role,
                "held_total": total[has_role],
                "held_in_role": count[has_role],
                "milestone": reached[has_role],
            }
        )
        frames.append(frame)
    due = pd.concat(frames, ignore_index=True)
    last = (
        delivered.groupby(["user_id", "role"])["milestone"].max().rename("last_delivered")
        if len(delivered)
        else pd.Series(dtype=int, name="last_delivered")
    )
    due = (
        due.join(last, on=["user_id", "role"])
        if len(delivered)
        else due.assign(last_delivered=np.nan)
    )
    due = due[due["last_delivered"].isna() | (due["milestone"] > due["last_delivered"])]
    details = users.loc[due["user_id"], ["name", "email", "division", "department", "employment"]]
    due = pd.concat([due.reset_index(drop=True), details.reset_index(drop=True)], axis=1)
    due["last_delivered"] = due["last_delivered"].astype("Int64")
    return due[MILESTONE_COLUMNS].sort_values(["user_id", "role"]).reset_index(drop=True)


def _known(positions: np.ndarray) -> np.ndarray:
    return positions[positions >= 0]
