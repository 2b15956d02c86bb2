"""`kops campaign milestones --mark-delivered`: record the milestones reached before a day
as delivered without a mail (a backlog nobody should be congratulated on years later)."""

from __future__ import annotations

import datetime as dt

from ...config import Settings
from ...errors import KopsError
from ...i18n import _
from ...mail.milestone_mail import mark_delivered
from ...store import SnapshotInfo, load_tables
from ...store.lock import workspace_lock
from ...workspace import Workspace


def mark_backlog_delivered(
    ws: Workspace,
    settings: Settings,
    snap: SnapshotInfo,
    as_of: dt.date,
    before: dt.date | None = None,
) -> tuple[dt.date, int]:
    """Record every milestone reached by 1on1s held before ``before`` (default: up to
    ``as_of``, the data's last day) as delivered; (that day, how many were recorded).
    A day after the data is refused: the 1on1s after it are in no export yet, so their
    milestones would not be recorded, and would be mailed once a newer export brings them."""
    after_data = as_of + dt.timedelta(days=1)
    day = before if before else after_data
    if day > after_data:
        raise KopsError(
            _(
                "--before {day} is after the data: snapshot {snapshot} runs to {end}, so "
                "milestones reached from {after} on can't be recorded"
            ).format(day=day, snapshot=snap.id, end=as_of, after=after_data),
            hint=_(
                "leave --before out (everything up to {end}), or ingest exports that "
                "run to {needed} first"
            ).format(end=as_of, needed=day - dt.timedelta(days=1)),
        )
    with workspace_lock(ws, "kops campaign milestones --mark-delivered"):
        added = mark_delivered(ws, settings, load_tables(snap), day, snap.id)
    return day, added
