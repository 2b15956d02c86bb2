"""Counts of a campaign's eligibility: who is eligible, who is not, and why not."""

from __future__ import annotations

import pandas as pd

# Who is judged but kept out of a campaign whatever their 1on1s (those who have left are
# not judged at all: streaks.eligibility).
AWAY = ("leave",)


def eligibility_counts(judged: pd.DataFrame, users: pd.DataFrame) -> dict[str, int]:
    """Counts for the summary line and sheet of ``kops campaign eligible``.

    ``judged`` is ``streaks.eligibility(...).users``; ``users`` the snapshot's users,
    whose ``employment_status`` says who is on leave.
    """
    status = judged["user_id"].map(users.set_index("user_id")["employment_status"])
    return {
        "eligible": int(judged["eligible"].sum()),
        "not_eligible": int((~judged["eligible"]).sum()),
        "on_leave": int(status.isin(AWAY).sum()),
        "qualify_but_on_leave": int((judged["qualifies_by_calendar"] & ~judged["eligible"]).sum()),
        "months_judged": int(judged["months_judged"].iloc[0]) if len(judged) else 0,
    }
