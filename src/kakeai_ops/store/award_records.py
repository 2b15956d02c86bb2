"""Campaign awards and delivered milestone messages, each recorded once."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

from ..clock import now_text
from ..workspace import Workspace
from .state import connect, insert_new, read_frame


def record_awards(
    ws: Workspace, campaign: str, rows: pd.DataFrame, snapshot: str
) -> tuple[pd.DataFrame, int]:
    """Award the users in ``rows`` (user_id, run_start, run_end) once each.

    Returns the newly awarded rows and how many were awarded before.
    """
    with closing(connect(ws)) as db:
        before = {
            r[0] for r in db.execute("SELECT user_id FROM awards WHERE campaign = ?", (campaign,))
        }
        fresh = rows[~rows["user_id"].isin(before)]
        stamp = now_text()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR IGNORE INTO awards"
            " (campaign, user_id, awarded_at, run_start, run_end, snapshot)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (campaign, r.user_id, stamp, r.run_start, r.run_end, snapshot)
                for r in fresh.itertuples(index=False)
            ],
        )
        db.execute("COMMIT")
    return fresh, len(before & set(rows["user_id"]))


def awards(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    select = "SELECT campaign, user_id, awarded_at, run_start, run_end, snapshot FROM awards"
    with closing(connect(ws)) as db:
        return read_frame(db, select, "ORDER BY campaign, user_id", "campaign", campaign)


def delivered_milestones(ws: Workspace) -> pd.DataFrame:
    import pandas as pd

    with closing(connect(ws)) as db:
        return pd.read_sql_query(
            "SELECT user_id, milestone, role, delivered_at, run_id FROM milestones_delivered", db
        )


def milestones_already_delivered(ws: Workspace, user_id: str, due: list[tuple[str, int]]) -> bool:
    """Whether each (role, milestone) of ``due`` was delivered to ``user_id`` already (it
    or a higher one of that role): a run planned before another delivered them."""
    with closing(connect(ws)) as db:
        for role, step in due:
            row = db.execute(
                "SELECT 1 FROM milestones_delivered WHERE user_id = ? AND role = ?"
                " AND milestone >= ? LIMIT 1",
                (user_id, role, int(step)),
            ).fetchone()
            if row is None:
                return False
    return bool(due)


# The audit log's action of `kops campaign milestones --mark-delivered`.
MARK_ACTION = "campaign milestones --mark-delivered"


def last_milestone_mailing(ws: Workspace) -> str | None:
    """The day (ISO) milestones were last accounted for: the as-of day of the newest mail
    run that delivered one, or the last day ``--mark-delivered`` recorded (the day before
    its --before). None when neither has happened."""
    import datetime as dt
    import json

    with closing(connect(ws)) as db:
        row = db.execute(
            "SELECT MAX(r.as_of) FROM milestones_delivered AS d"
            " JOIN mail_runs AS r ON r.run_id = d.run_id WHERE r.as_of IS NOT NULL"
        ).fetchone()
        marks = db.execute("SELECT detail FROM audit WHERE command = ?", (MARK_ACTION,)).fetchall()
    days = [] if row is None or row[0] is None else [str(row[0])[:10]]
    for (detail,) in marks:
        before = (json.loads(detail) if detail else {}).get("before")
        if before:
            days.append(
                (dt.date.fromisoformat(str(before)[:10]) - dt.timedelta(days=1)).isoformat()
            )
    return max(days) if days else None


def record_milestones_delivered(
    ws: Workspace, rows: list[tuple[str, int, str]], run_id: str
) -> int:
    """Remember (user_id, milestone, role) as delivered, so it is never due again; returns
    how many were not recorded before."""
    stamp = now_text()
    return insert_new(
        ws,
        "INSERT OR IGNORE INTO milestones_delivered"
        " (user_id, milestone, role, delivered_at, run_id) VALUES (?, ?, ?, ?, ?)",
        [(u, int(m), r, stamp, run_id) for u, m, r in rows],
    )
