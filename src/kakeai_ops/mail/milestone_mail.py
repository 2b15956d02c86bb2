"""Which milestones a milestone mail run may mail, and recording the backlog as delivered.

A milestone is mailed only when it was crossed since the previous snapshot: the first
run of a workspace reaches back to ``milestones_since`` in kops.yaml (or, unset, to the
previous snapshot), never to milestones crossed years ago. What was reached before can
be recorded as delivered without a mail (``kops campaign milestones --mark-delivered``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..analyses.milestones import milestones_reached
from ..config import Settings
from ..errors import KopsError
from ..i18n import _
from ..model import Tables, whole
from ..store import SnapshotInfo, audit, delivered_milestones, list_snapshots
from ..store import record_milestones_delivered as record
from ..store.award_records import MARK_ACTION, last_milestone_mailing
from ..workspace import Workspace

MARK_RUN = "mark-delivered"


@dataclass(frozen=True)
class Baseline:
    """Milestones crossed after ``since`` (the end of that day) are mailed; None: every
    milestone not yet recorded as delivered."""

    since: dt.date | None
    why: str  # for the operator, e.g. "the previous snapshot 0001 (as of 2026-10-20)"


def milestone_baseline(
    ws: Workspace, settings: Settings, snap: SnapshotInfo, as_of: dt.date
) -> Baseline:
    """From when a run on ``snap`` as of ``as_of`` mails milestones."""
    first_run = delivered_milestones(ws).empty
    if first_run and settings.milestones_since is not None:
        return Baseline(settings.milestones_since, _("milestones_since in kops.yaml (first run)"))
    earlier = [
        s
        for s in list_snapshots(ws)
        if s.as_of is not None and s.as_of < as_of and int(s.id) < int(snap.id)
    ]
    if earlier:
        return _since_delivered(ws, earlier, first_run)
    if settings.milestones_since is not None:  # no snapshot before this one
        return Baseline(settings.milestones_since, _("milestones_since in kops.yaml"))
    if not first_run:
        # The backlog was recorded (`--mark-delivered`, the hint below): what is not
        # recorded was reached after it, so it is new.
        return Baseline(None, _("no previous snapshot and no milestones_since"))
    raise KopsError(
        _("no previous snapshot to tell which milestones are new, and milestones_since is not set"),
        hint=_(
            "set milestones_since: YYYY-MM-DD in kops.yaml (milestones crossed after it are "
            "mailed), or record what was reached so far with "
            "`kops campaign milestones --mark-delivered`"
        ),
    )


def _since_delivered(ws: Workspace, earlier: list[SnapshotInfo], first_run: bool) -> Baseline:
    """The previous snapshot, or further back to where milestones were last mailed: a
    month whose milestones were only written to the outbox, or not sent at all, is not
    skipped (its people never had their message), and a workspace that has mailed none
    reaches back to its first snapshot. Recording the backlog as delivered
    (``--mark-delivered``) counts as mailing up to the day before its --before."""
    previous = earlier[-1]
    mailed = None if first_run else last_milestone_mailing(ws)
    if first_run and earlier[0] is not previous:
        first = earlier[0]
        return Baseline(
            first.as_of,
            _(
                "snapshot {snapshot} (as of {as_of}): milestones crossed since then have not "
                "been mailed (the runs after it were written to the outbox or not sent)"
            ).format(snapshot=first.id, as_of=first.as_of),
        )
    if mailed is not None and previous.as_of is not None and mailed < previous.as_of.isoformat():
        # The day itself, not the snapshot after it: a run made --as-of 10-10 on data to
        # 10-20 left 10-11…10-20 to mail.
        return Baseline(
            dt.date.fromisoformat(mailed),
            _(
                "milestones last mailed or recorded as of {day}: those crossed since have not "
                "been mailed (the runs after it were written to the outbox or not sent)"
            ).format(day=mailed),
        )
    return Baseline(
        previous.as_of,
        _("the previous snapshot {snapshot} (as of {as_of})").format(
            snapshot=previous.id, as_of=previous.as_of
        ),
    )


def mark_delivered(
    ws: Workspace, settings: Settings, tables: Tables, before: dt.date, snapshot: str
) -> int:
    """Record every milestone reached by 1on1s held before ``before`` (that day excluded)
    as delivered, without a mail; returns how many were new. Nothing new is an error: a
    second run would otherwise look like a success."""
    reached = milestones_reached(tables, settings.milestones, pd.Timestamp(before))
    rows = [
        (str(r.user_id), whole(r.milestone), str(r.role)) for r in reached.itertuples(index=False)
    ]
    known = {
        (str(r.user_id), whole(r.milestone), str(r.role))
        for r in delivered_milestones(ws).itertuples(index=False)
    }
    fresh = [row for row in rows if row not in known]
    if not rows:
        raise KopsError(
            _("no milestone was reached before {day}; nothing changed").format(day=before),
            hint=_("`kops campaign milestones` lists what is due now"),
        )
    if not fresh:
        raise KopsError(
            _(
                "every milestone reached before {day} is already recorded as delivered "
                "({n:,} of them); nothing changed"
            ).format(day=before, n=len(rows)),
            hint=_("`kops campaign milestones` lists what is due now"),
        )
    added = record(ws, fresh, MARK_RUN)
    audit(
        ws,
        MARK_ACTION,
        scope=f"before {before}",
        snapshot=snapshot,
        rows=added,
        detail={"before": str(before), "reached": len(rows)},
    )
    return added
