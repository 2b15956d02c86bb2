"""Milestones (rules.md §2): knowledge messages when a user's held 1on1s **in one role**
reach 1, 5, 10, …

A role's count is the 1on1s held as manager (or as member) only: a middle manager with
32 as manager and 22 as member is at 20 as member, not at 50.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..model import SIDES, Tables
from .definitions import current_users, day_end, user_positions

# A milestone counts the 1on1s held on one side of the pair.
ROLES = SIDES

MILESTONE_COLUMNS = [
    "user_id",
    "name",
    "email",
    "division",
    "department",
    "employment",
    "role",
    "held_in_role",
    "held_before",
    "milestone",
    "last_delivered",
]


def held_by_role(tables: Tables, before: pd.Timestamp) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Per current user: 1on1s held (実施済) strictly before ``before``, as manager and as
    member."""
    users = current_users(tables.users).set_index("user_id")
    index = users.index
    meetings = tables.meetings
    held = meetings[(meetings["status"] == "held") & (meetings["held_at"] < before)]
    n = len(index)
    counts = {
        role: np.bincount(_known(user_positions(index, held[f"{role}_id"])), minlength=n)
        for role in ROLES
    }
    return index, counts


def milestones_due(
    tables: Tables,
    milestones: list[int],
    as_of: dt.date,
    delivered: pd.DataFrame,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """Per user and role: the highest milestone their count in that role crossed after
    ``since`` (the end of that day; None: ever) and by the as-of date, unless a message for
    it (or a higher one) was delivered. ``held_in_role`` is the count as of the as-of date,
    ``held_before`` the count at ``since``.
    """
    users = current_users(tables.users).set_index("user_id")
    index, now = held_by_role(tables, day_end(as_of))
    if since is None:
        then = {role: np.zeros(len(index), dtype=int) for role in ROLES}
    else:
        _, then = held_by_role(tables, day_end(min(since, as_of)))
    steps = np.array(sorted(milestones), dtype=int)

    frames = []
    for role in ROLES:
        reached = _highest(steps, now[role])
        before = _highest(steps, then[role])
        crossed = reached > before
        frames.append(
            pd.DataFrame(
                {
                    "user_id": index[crossed],
                    "role": role,
                    "held_in_role": now[role][crossed],
                    "held_before": then[role][crossed],
                    "milestone": reached[crossed],
                }
            )
        )
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


def milestones_reached(tables: Tables, milestones: list[int], before: pd.Timestamp) -> pd.DataFrame:
    """Every (user_id, role, milestone) reached by 1on1s held before ``before``: the
    backlog that ``--mark-delivered`` records."""
    index, counts = held_by_role(tables, before)
    rows = []
    for role in ROLES:
        for step in sorted(milestones):
            reached = index[counts[role] >= step]
            rows.append(pd.DataFrame({"user_id": reached, "role": role, "milestone": step}))
    return pd.concat(rows, ignore_index=True).sort_values(["user_id", "role", "milestone"])


def _highest(steps: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The highest step at or below each count (0 below the first)."""
    at = np.searchsorted(steps, counts, side="right") - 1
    return np.where(at >= 0, steps[np.maximum(at, 0)], 0)


def _known(positions: np.ndarray) -> np.ndarray:
    return positions[positions >= 0]
