"""A seminar's summary as `kops seminar summary` and `kops review` show it: the invitees from
the invitation run's ledger, attendance and survey from the workspace, and movement against the
latest snapshot once one newer than the invitation exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import seminars
from .analyses import segment as segmentation
from .analyses.names import NameMatcher
from .analyses.seminar_summary import Summary, summarise
from .config import Settings
from .store import SnapshotInfo, Tables, seminar_attendance, seminar_survey
from .store.ledger import Ledger
from .survey_text import summarise_free_text
from .workspace import Workspace


def invited_users(ws: Workspace, run_id: str, rehearsal: bool = False) -> pd.DataFrame:
    """Who the invitation run reached, with their stuck point at the time.

    With ``rehearsal`` (mail.transport: outbox) those only written to the outbox count
    too: a rehearsed reminder follows a rehearsed invitation; a real one only real ones.
    """
    ledger = Ledger(ws)
    try:
        rows = ledger.rows(run_id, ["sent", "written"] if rehearsal else ["sent"])
    finally:
        ledger.close()
    return pd.DataFrame(
        {
            "user_id": [r.user_id for r in rows],
            "stuck_point": [r.extra.get("stuck_point", "") for r in rows],
        },
        columns=["user_id", "stuck_point"],
    )


@dataclass
class SeminarSummary:
    seminar_id: str
    title: str
    run_id: str
    invitation_sent: bool  # an invitation run exists
    movement_pending: bool  # invited, but no snapshot newer than the invitation yet
    summary: Summary


def summarise_seminar(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    latest: SnapshotInfo,
    load: Callable[[SnapshotInfo], Tables],
) -> SeminarSummary:
    config = seminars.seminar(settings, seminar_id)
    run_id = seminars.invite_run_id(seminar_id, config)
    ledger = Ledger(ws)
    try:
        run = ledger.run(run_id)
    finally:
        ledger.close()
    tables = load(latest)
    later = None
    pending = False
    if run is not None and run["snapshot"] != latest.id and latest.as_of is not None:
        later = segmentation.segment(tables, settings.rules, latest.as_of)
    elif run is not None:
        pending = True
    answers = seminar_survey(ws, seminar_id)
    free_text = summarise_free_text(
        list(answers["free_text"]), settings, NameMatcher(tables.users["name"])
    )
    summary = summarise(
        invited_users(ws, run_id, settings.mail.transport == "outbox"),
        seminar_attendance(ws, seminar_id),
        answers,
        tables.users,
        (free_text.groups, free_text.themes),
        later,
    )
    return SeminarSummary(
        seminar_id=seminar_id,
        title=config.title or seminar_id,
        run_id=run_id,
        invitation_sent=run is not None,
        movement_pending=pending,
        summary=summary,
    )
