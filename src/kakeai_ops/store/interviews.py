"""Interviews done and people kept out of the interview shortlist."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

from ..clock import now_text
from ..workspace import Workspace
from .state import connect


def record_interview(ws: Workspace, manager_id: str, member_id: str, on: dt.date) -> bool:
    with closing(connect(ws)) as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO interviews (manager_id, member_id, interviewed_on, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            (manager_id, member_id, on.isoformat(), now_text()),
        )
        return cursor.rowcount > 0


def exclude_from_interviews(ws: Workspace, user_id: str, reason: str) -> bool:
    with closing(connect(ws)) as db:
        cursor = db.execute(
            "INSERT OR REPLACE INTO interview_exclusions (user_id, reason, added_at)"
            " VALUES (?, ?, ?)",
            (user_id, reason, now_text()),
        )
        return cursor.rowcount > 0


def include_in_interviews(ws: Workspace, user_id: str) -> bool:
    with closing(connect(ws)) as db:
        return (
            db.execute("DELETE FROM interview_exclusions WHERE user_id = ?", (user_id,)).rowcount
            > 0
        )


def interview_history(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(interviews done, people excluded)."""
    import pandas as pd

    with closing(connect(ws)) as db:
        done = pd.read_sql_query(
            "SELECT manager_id, member_id, interviewed_on, recorded_at FROM interviews"
            " ORDER BY interviewed_on, manager_id, member_id",
            db,
        )
        excluded = pd.read_sql_query(
            "SELECT user_id, reason, added_at FROM interview_exclusions ORDER BY added_at, user_id",
            db,
        )
    return done, excluded
