"""``kops seminar``: the monthly seminar series, invitations, attendance and survey."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from .. import seminars
from ..clock import now
from ..mail.runs import RunRequest, start_run
from ..outputs.files import csv_text, json_text, percent, write_table
from ..seminar_summary import invited_users, summarise_seminar
from ..store import (
    seminar_attendance,
)
from .common import (
    AsOfOpt,
    Format,
    FormatOpt,
    OutOpt,
    Session,
    SnapshotOpt,
    WorkspaceOpt,
    emit_data,
    err,
    note,
    out,
    session,
    writes_state,
)
from .console import frame_table
from .run_console import TerminalOperator
from .seminar_themes import print_groups, print_themes, themes_command

app = typer.Typer(
    help="The monthly seminar series (Month1–4): invite, remind, attendance, survey.",
    no_args_is_help=True,
)

SeminarArg = Annotated[
    str, typer.Argument(help="Seminar id from kops.yaml (see `kops seminar list`).")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Send without asking (required when not interactive).")
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", help="Write the invitations as .eml to the outbox; send nothing."),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, help="Send at most N messages in this invocation.")
]
TestOpt = Annotated[
    str | None, typer.Option("--to-test", help="Send every message to this tester address instead.")
]


def _invited(context: Session, run_id: str) -> pd.DataFrame:
    return invited_users(context.workspace, run_id, context.settings.mail.transport == "outbox")


@app.command("list")
def list_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """The seminars in kops.yaml: theme, date, links, who each invites, invited and attended.

    Example: kops seminar list
    """
    context = session(workspace)
    rows = []
    for seminar_id, config in context.settings.seminars.items():
        spec = seminars.listed_spec(seminar_id, config)
        audience = "-"
        if spec is not None:
            audience = ", ".join(spec.segments) + (" + managers" if spec.managers else "")
        invited = (
            _invited(context, seminars.invite_run_id(seminar_id, config))
            if spec is not None
            else pd.DataFrame()
        )
        rows.append(
            {
                "seminar": seminar_id,
                "month": config.month,
                "title": config.title or "",
                "points": " / ".join(config.points),
                "date": "" if config.date is None else str(config.date),
                "url": config.url or "",
                "recording_url": config.recording_url or "",
                "invites": audience.strip(", "),
                "invited": len(invited),
                "attended": len(seminar_attendance(context.workspace, seminar_id)),
            }
        )
    frame = pd.DataFrame(rows)
    if fmt is Format.table:
        out.print(frame_table(frame.drop(columns=["url", "recording_url"]), title="Seminars"))
    else:
        emit_data(frame, fmt)


@app.command("invite")
@writes_state("seminar invite")
def invite_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    division: Annotated[str | None, typer.Option("--division", help="Only this 事業部.")] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    to_test: TestOpt = None,
    limit: LimitOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Invite the people the theme helps: Month1 → not_activated/no_pair/no_1on1/no_rating,
    Month2 → no_prep, Month3 → no_recurrence, Month4 → managers. Sent through `kops mail`.

    Example: kops seminar invite month2 --dry-run
    """
    context = session(workspace)
    config = seminars.seminar(context.settings, seminar_id)
    if config.date is None or config.url is None:
        note(
            f"seminars.{seminar_id}: date or url not set yet; the invitation says they will follow"
        )
    request = RunRequest(
        spec=seminars.invite_spec(seminar_id, config, division),
        yes=yes,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
        snapshot=snapshot,
        as_of=as_of,
    )
    start_run(context, TerminalOperator(context.settings), request)


@app.command("remind")
@writes_state("seminar remind")
def remind_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    to_test: TestOpt = None,
    limit: LimitOpt = None,
) -> None:
    """After the seminar: send the recording to those invited who did not attend.

    Example: kops seminar remind month1 --yes
    """
    context = session(workspace)
    config = seminars.seminar(context.settings, seminar_id)
    seminars.check_remind_ready(seminar_id, config, now().date())
    invited = _invited(context, seminars.invite_run_id(seminar_id, config))
    attended = seminar_attendance(context.workspace, seminar_id)
    absent = seminars.absentees(seminar_id, invited, attended)
    if not attended:
        note(f"no attendance recorded for {seminar_id}: everyone invited gets the recording")
    err.print(
        f"invited {len(invited):,}, attended {len(attended & set(invited['user_id'])):,}, "
        f"to remind {len(absent):,}",
        highlight=False,
    )
    if not absent:
        err.print("Everyone invited attended; nothing to send.", highlight=False)
        return
    request = RunRequest(
        spec=seminars.recording_spec(seminar_id, absent),
        yes=yes,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
    )
    start_run(context, TerminalOperator(context.settings), request)


@app.command("attendance")
@writes_state("seminar attendance")
def attendance_command(
    seminar_id: SeminarArg,
    file: Annotated[
        Path, typer.Argument(help="The attendance list (CSV/XLSX): user id or email per row.")
    ],
    workspace: WorkspaceOpt = None,
) -> None:
    """Record who attended (replaces the seminar's earlier attendance). All or nothing.

    Example: kops seminar attendance month1 出席者.csv
    """
    context = session(workspace)
    seminars.seminar(context.settings, seminar_id)
    snap = context.snapshot()
    users = context.tables(snap).users
    count = seminars.import_attendance(
        context.workspace, context.settings, seminar_id, file, snap.id, users
    )
    err.print(
        f"{seminar_id}: {count:,} attendee(s) recorded from {escape(file.name)}",
        highlight=False,
    )


@app.command("survey")
@writes_state("seminar survey")
def survey_command(
    seminar_id: SeminarArg,
    file: Annotated[
        Path,
        typer.Argument(
            help="The survey export (CSV/XLSX): user, 満足度, 知りたいテーマ, 今、知りたいこと."
        ),
    ],
    workspace: WorkspaceOpt = None,
) -> None:
    """Record the survey answers (replaces the seminar's earlier ones). All or nothing.

    Example: kops seminar survey month1 アンケート.csv
    """
    context = session(workspace)
    seminars.seminar(context.settings, seminar_id)
    snap = context.snapshot()
    users = context.tables(snap).users
    count = seminars.import_survey(
        context.workspace, context.settings, seminar_id, file, snap.id, users
    )
    err.print(
        f"{seminar_id}: {count:,} answer(s) recorded from {escape(file.name)}",
        highlight=False,
    )


@app.command("summary")
def summary_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
) -> None:
    """Attendance by invited stuck point and 事業部, satisfaction, interests, grouped free text,
    emerging themes (frequent words and phrases, with those no keyword group covers), and
    whether attendees moved on from their stuck point by the next snapshot.

    Example: kops seminar summary month1 --out month1.xlsx
    """
    context = session(workspace)
    config = seminars.seminar(context.settings, seminar_id)
    latest = context.snapshot()
    result = summarise_seminar(
        context.workspace, context.settings, seminar_id, latest, context.tables
    )
    if result.movement_pending:
        note("no snapshot newer than the invitation yet: movement is shown after the next ingest")
    summary = result.summary
    sheets = [
        ("出欠_スタックポイント別", summary.by_stuck_point),
        ("出欠_事業部別", summary.by_division),
        ("満足度", summary.satisfaction),
        ("知りたいテーマ", summary.interests),
        ("自由記述", summary.free_text),
        ("新しいテーマ", summary.themes),
    ]
    if summary.movement is not None:
        sheets.append(("その後の変化", summary.movement))
    if out_file is not None:
        write_table(sheets[0][1], out_file, sheet=sheets[0][0], extra_sheets=sheets[1:])
        err.print(f"Wrote {escape(str(out_file))}", highlight=False)
        return
    if fmt is not Format.table:
        payload = {name: frame for name, frame in sheets}
        if fmt is Format.json:
            import json

            sys.stdout.write(
                json.dumps(
                    {k: json.loads(json_text(v)) for k, v in payload.items()},
                    ensure_ascii=False,
                    indent=2,
                )
                + "\n"
            )
        else:
            sys.stdout.write(csv_text(summary.by_stuck_point))
        return
    title = config.title or seminar_id
    out.print(
        f"[bold]{escape(title)}[/bold] ({seminar_id}): invited {summary.invited:,}, "
        f"attended {summary.attended:,}, answers {summary.answers:,}"
    )
    out.print(
        frame_table(
            summary.by_stuck_point,
            title="Attendance by stuck point at the invitation",
            formats={"rate": percent},
        )
    )
    out.print(
        frame_table(summary.by_division, title="Attendance by 事業部", formats={"rate": percent})
    )
    if len(summary.satisfaction):
        average = summary.average_satisfaction
        out.print(frame_table(summary.satisfaction, title=f"満足度 (average {average:.2f})"))
    if len(summary.interests):
        out.print(frame_table(summary.interests, title="知りたいテーマ (ranked)"))
    if len(summary.free_text):
        print_groups(summary.free_text, context.settings.privacy.min_group)
        print_themes(summary.themes, context.settings.privacy.min_group)
    if summary.movement is not None:
        out.print(
            frame_table(
                summary.movement,
                title=f"Moved on from their stuck point by snapshot {latest.id}",
                formats={"share_moved_on": percent},
            )
        )


app.command("themes")(themes_command)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="seminar")
