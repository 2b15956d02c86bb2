"""``kops campaign milestones``: knowledge messages due at 1, 5, 10, … held 1on1s."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import KopsError
from ..i18n import _
from ..store import SnapshotInfo, delivered_milestones
from .console import people_table
from .options import (
    AsOfOpt,
    AudienceOpt,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    WorkspaceOpt,
    date_option,
    role_option,
)
from .output_audience import records_audience
from .shared import Session, emit, err, out, parse_as_of, session

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Tables
    from ..workspace import Workspace

# The analyses and the mail's modules are imported where used: `kops campaign` loads
# this module with the group, and `campaign eligible` needs none of them.

# The columns the terminal shows, one row per user and role.
SHOWN = [
    "user_id",
    "name",
    "division",
    "role",
    "held_before",
    "held_in_role",
    "milestone",
    "last_delivered",
]


@records_audience("campaign milestones")
def milestones_command(
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    role: Annotated[str | None, role_option(help="Only manager or member (上司/部下).")] = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
    mark: Annotated[
        bool,
        typer.Option(
            "--mark-delivered",
            help="Record the milestones reached so far as delivered, without sending a mail.",
        ),
    ] = False,
    before: Annotated[
        dt.date | None,
        date_option(
            "--before",
            help="With --mark-delivered: only milestones reached by 1on1s held before "
            "this date (YYYY-MM-DD).",
        ),
    ] = None,
) -> None:
    """Users whose held 1on1s in one role (as manager, as member) crossed a milestone
    (1, 5, 10, …) since the previous snapshot, and whose knowledge message they lack.

    One row per user and role, counted in that role only; only the highest milestone
    crossed is due. Delivered messages are remembered (by `kops mail send --milestones`);
    --mark-delivered records the backlog as delivered without mail.

    Example: kops campaign milestones --role manager
    """
    from ..analyses.segmentation import role_key

    if role is not None:
        role = role_key(role, "--role", allowed=("manager", "member"))
    if before is not None and not mark:
        raise KopsError(_("--before goes with --mark-delivered"))
    opened = session(workspace)
    snap = opened.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    if mark:
        _mark_backlog(opened, snap, when, before)
        return
    due = _due(opened, snap, when)
    if role is not None:
        due = due[due["role"] == role]
    if emit(due, fmt, out_file, as_of=when, sheet="milestones", text_columns=["user_id"]):
        return
    _show_due(due, when)
    _say_mails(due, opened.tables(snap), opened.workspace)


def _mark_backlog(
    opened: Session, snap: SnapshotInfo, when: dt.date, before: dt.date | None
) -> None:
    from ..jobs.campaigns.milestone_backlog import mark_backlog_delivered

    day, added = mark_backlog_delivered(opened.workspace, opened.settings, snap, when, before)
    err.print(
        _("Recorded {n:,} milestone(s) reached before {day} as delivered (no mail sent).").format(
            n=added, day=day
        ),
        highlight=False,
    )


def _due(opened: Session, snap: SnapshotInfo, when: dt.date) -> pd.DataFrame:
    """The milestones crossed since the baseline (said on stderr) and not yet delivered."""
    from ..analyses.milestones import milestones_due
    from ..mail.milestone_mail import milestone_baseline

    baseline = milestone_baseline(opened.workspace, opened.settings, snap, when)
    said = (
        _("Milestones reached up to {end} and not yet delivered ({why})").format(
            why=baseline.why, end=when
        )
        if baseline.since is None
        else _("Milestones crossed after {since} ({why}) up to {end}").format(
            since=baseline.since, why=baseline.why, end=when
        )
    )
    err.print(said, highlight=False)
    return milestones_due(
        opened.tables(snap),
        opened.settings.milestones,
        when,
        delivered_milestones(opened.workspace),
        since=baseline.since,
    )


def _show_due(due: pd.DataFrame, when: dt.date) -> None:
    """How many are due per milestone and role, then who."""
    if len(due):
        counts = due.groupby(["milestone", "role"]).size().unstack(fill_value=0).reset_index()
        out.print(
            people_table(
                counts,
                title=_("Milestone notices due (as of {as_of}; people)").format(as_of=when),
            )
        )
    out.print(
        people_table(
            due[SHOWN],
            title=_("Due: {n:,}").format(n=len(due)),
            max_rows=100,
        )
    )


def _say_mails(due: pd.DataFrame, tables: Tables, ws: Workspace) -> None:
    """What sending the notices makes: one mail a person (both roles in one), none for
    those a send leaves out. 「送付予定 49件」 read as 49 mails; `mail send --milestones`
    then planned 47 (one person due in both roles, one on leave)."""
    import pandas as pd

    from ..jobs.monthly_review.good_practice import cannot_mail, suppressed_keys

    if due.empty:
        return
    people = pd.Index(due["user_id"].astype(str).unique())
    left_out = cannot_mail(tables, people, suppressed_keys(ws))
    err.print(
        _(
            "Sent, they make {mails:,} mail(s): one a person ({people:,} people; both roles "
            "in one mail), none for {on_leave:,} on leave, {no_email:,} without an address "
            "and {suppressed:,} on the suppression list"
        ).format(
            mails=len(people) - sum(left_out.values()),
            people=len(people),
            on_leave=left_out.get("on_leave", 0),
            no_email=left_out.get("no_email", 0),
            suppressed=left_out.get("suppressed", 0),
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``milestones`` to the ``campaign`` group."""
    app.command("milestones")(milestones_command)
