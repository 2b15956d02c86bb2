"""The canonical tables every layer speaks: what a snapshot holds and analyses read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# The columns of each canonical table, as a snapshot stores them (see exports/canonical.py).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": (
        "user_id",
        "name",
        "email",
        "division",
        "department",
        "job_type",
        "age_band",
        "employment",
        "employment_status",
        "created_at",
        "last_login_at",
    ),
    "pairs": ("manager_id", "member_id", "invited_at", "accepted_at", "recurring"),
    "meetings": (
        "meeting_id",
        "manager_id",
        "member_id",
        "held_at",
        "status",
        "topic",
        "response",
        "prepared_at",
        "sukkiri",
        "growth",
    ),
}


@dataclass(frozen=True)
class Tables:
    """The three canonical tables of one snapshot (columns: exports/tables.py)."""

    users: pd.DataFrame
    pairs: pd.DataFrame
    meetings: pd.DataFrame

    def get(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, name)
        return frame
