"""``kops seminar``: the monthly seminar series, invitations, attendance and survey."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from .. import glossary
from ..analyses.seminar_movement import SELF_SELECTION
from ..analyses.seminar_summary import Summary
from ..config.seminar_settings import Seminar
from ..i18n import N_, _, language
from ..jobs.seminars import invitations
from ..jobs.seminars.mailings import plan_invitation, plan_reminder
from ..jobs.seminars.summary_workflow import (
    Attendance,
    SeminarSummary,
    answers_line,
    attendance_line,
    attended_difference,
    attended_interval,
    overview,
    seminar_list,
    summarise_seminar,
)
from ..mail.evaluation import points
from ..mail.runs import RunRequest, start_run
from ..numbers import fixed
from ..outputs.sheet_charts import SheetChart
from ..outputs.workbook import Print
from . import run_commands
from .console import frame_table, people_table
from .options import (
    AsOfOpt,
    AudienceOpt,
    DivisionOpt,
    Format,
    FormatOpt,
    LimitOpt,
    OutOpt,
    SnapshotOpt,
    StaleOkOpt,
    ToTestOpt,
    WorkspaceOpt,
    YesOpt,
    dry_run_option,
    one_rehearsal,
)
from .output_audience import records_audience
from .run_console import TerminalOperator
from .seminar_themes import print_groups, print_themes, themes_command
from .shared import (
    emit,
    err,
    note,
    out,
    reason_text,
    session,
    warn,
    writes_state,
)

app = typer.Typer(
    help="The monthly seminar series (Month1–4): invite, remind, attendance, survey.\n\n"
    "Example: kops seminar invite month1 --dry-run",
    no_args_is_help=True,
)

SeminarArg = Annotated[
    str, typer.Argument(help="Seminar id from kops.yaml (see `kops seminar list`).")
]
SeminarDryRunOpt = Annotated[
    bool, dry_run_option(help="Write the mails as .eml to the outbox; send nothing.")
]


# The workbook's headings (`--out`): one word per column on screen and in the file.
LIST_HEADERS = {
    "seminar": glossary.column_label("seminar_id"),
    **{
        key: glossary.column_label(key)
        for key in (
            "month",
            "title",
            "points",
            "date",
            "invites",
            "invited",
            "written_only",
            "attended",
            "uninvited",
        )
    },
}


@app.command("list")
@records_audience("seminar list")
def list_command(
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """The seminars in kops.yaml: theme, date, links, who each invites, invited and attended.

    Example: kops seminar list
    """
    context = session(workspace)
    listed = seminar_list(context.workspace, context.settings)
    frame, audiences = listed.rows, listed.invites_in_words
    # The file is for people: who each invites in words, dates as dates; stdout keeps keys.
    if emit(
        _for_people(frame, audiences) if out_file is not None else frame,
        fmt,
        out_file,
        lambda path: _("Wrote {path}").format(path=path),
        sheet="seminars",
    ):
        return
    out.print(
        frame_table(
            # In English the keys, as --format json: invites holds the stuck points' keys.
            frame.drop(columns=["url", "recording_url"]).assign(
                invites=frame["invites"] if language() == "en" else audiences
            ),
            title=_("Seminars"),
            headers={} if language() == "en" else LIST_HEADERS,
        )
    )


def attendance_said(counts: Attendance, answers: int | None = None) -> str:
    """The attendance line on the screen: the deck's words in Japanese (one line, one
    wording), the same figures in English."""
    if language() == "ja":
        return attendance_line(counts, answers)
    text = _("invited {invited:,} / attended {attended:,}").format(
        invited=counts.invited, attended=counts.attended
    )
    if counts.uninvited:
        text += " " + _("(invited {invited:,}, uninvited {uninvited:,})").format(
            invited=counts.invited_attended, uninvited=counts.uninvited
        )
    if answers is not None:
        text += " / " + _("survey answers {n:,}").format(n=answers)
    if counts.rehearsed:
        text += " " + _("({n:,} of the invitations only written to the outbox, not sent)").format(
            n=counts.rehearsed
        )
    if counts.unsent:
        text += " " + _(
            "({n:,} more invitations only written to the outbox, not sent, are not counted)"
        ).format(n=counts.unsent)
    return text


def answers_said(answers: int, not_on_list: int) -> str | None:
    """The line on answers from people not on the attendance list, in the reader's words."""
    if language() == "ja" or not not_on_list:
        return answers_line(answers, not_on_list)
    return _(
        "{not_on_list:,} of {answers:,} survey answers are from people not on the attendance "
        "list (answers from attendees: {attendees:,})"
    ).format(not_on_list=not_on_list, answers=answers, attendees=answers - not_on_list)


def _for_people(frame: pd.DataFrame, audiences: list[str]) -> pd.DataFrame:
    return frame.assign(
        invites=audiences,
        date=pd.to_datetime(frame["date"].replace("", None)) if len(frame) else [],
        # 1–4 as numbers (Excel flagged them 「文字列として保存」), a custom theme as its name.
        month=frame["month"] if len(frame) else [],
    )


@app.command("invite")
@writes_state("seminar invite")
def invite_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    division: DivisionOpt = None,
    yes: YesOpt = False,
    dry_run: SeminarDryRunOpt = False,
    to_test: ToTestOpt = None,
    limit: LimitOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    tbd: Annotated[
        bool,
        typer.Option(
            "--tbd",
            help="Invite before the date is set: the mail says 「日時は後日ご案内」.",
        ),
    ] = False,
    correction: Annotated[
        bool,
        typer.Option(
            "--correction",
            help="Send everyone already invited a 【訂正】 mail naming what changed since.",
        ),
    ] = False,
    stale_ok: StaleOkOpt = False,
) -> None:
    """Invite the people the theme helps: Month1 → not_activated/no_pair/no_1on1/no_rating,
    Month2 → no_prep, Month3 → no_recurrence, Month4 → managers. Sent through `kops mail`.

    Refused without the seminar's date and URL (unless --tbd) and after its date.
    --correction: after editing the date, URL or title in kops.yaml, tell everyone the
    invitation reached what changed (its own run).

    Example: kops seminar invite month2 --dry-run
    """
    one_rehearsal(dry_run, to_test)
    context = session(workspace)
    planned = plan_invitation(
        context.workspace, context.settings, seminar_id, division, tbd, correction
    )
    keys = {label: key for key, label in invitations.CORRECTED}  # the mail's words → keys
    for label, before, after in planned.changes:
        what = label if language() == "ja" else keys.get(label, label)
        said = _("Correction: {what}: {before} → {after}")
        err.print(said.format(what=what, before=before, after=after), highlight=False, markup=False)
    chosen: dict[str, str | None] = {"correction": ""} if correction else {"division": division}
    request = RunRequest(
        spec=planned.spec,
        run_id=planned.run_id,
        yes=yes,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
        snapshot=snapshot,
        as_of=as_of,
        stale_ok=stale_ok,
        command=run_commands.fixed(
            ["seminar", "invite", seminar_id],
            workspace,
            **chosen,
            tbd="" if tbd else None,
            stale_ok="" if stale_ok else None,
            snapshot=snapshot,
            as_of=as_of,
        ),
    )
    start_run(context, TerminalOperator(context.settings), request)


@app.command("remind")
@writes_state("seminar remind")
def remind_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    yes: YesOpt = False,
    dry_run: SeminarDryRunOpt = False,
    to_test: ToTestOpt = None,
    limit: LimitOpt = None,
    stale_ok: StaleOkOpt = False,
) -> None:
    """After the seminar: send the recording to those invited who did not attend.

    Example: kops seminar remind month1 --yes
    """
    one_rehearsal(dry_run, to_test)
    context = session(workspace)
    reminder = plan_reminder(context.workspace, context.settings, seminar_id)
    if not reminder.attendance_recorded:
        note(
            _("no attendance recorded for {seminar}: everyone invited gets the recording").format(
                seminar=seminar_id
            )
        )
    absent = len(reminder.absent)
    err.print(
        _("{attendance} / recording sent to {n:,}").format(
            attendance=attendance_said(reminder.counts), n=absent
        ),
        highlight=False,
    )
    if not absent:
        err.print(_("Everyone invited attended; nothing to send."), highlight=False)
        return
    request = RunRequest(
        spec=reminder.spec,
        yes=yes,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
        # Who is reminded comes from the invitation and attendance records, but who has
        # left, is on leave or has an address since is the latest snapshot's: on data
        # three weeks old the recording went to people who had left. The same question
        # about old data as every mailing (the dry run already said to add --stale-ok).
        stale_ok=stale_ok,
        command=run_commands.fixed(
            ["seminar", "remind", seminar_id], workspace, stale_ok="" if stale_ok else None
        ),
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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Record it although the seminar has no date or no invitations through kops "
            "(held outside kops); needs --reason.",
        ),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why --force (kept in the audit log).")
    ] = None,
) -> None:
    """Record who attended (replaces the seminar's earlier attendance). All or nothing.

    Attendees who were not invited are kept and counted as 招待外の参加; people who have
    left (退職) and repeated rows are not recorded, and counted.

    Example: kops seminar attendance month1 出席者.csv
    """
    context = session(workspace)
    invitations.seminar(context.settings, seminar_id)
    force_reason = _force_reason(force, reason)
    snap = context.snapshot()
    users = context.tables(snap).users
    result = invitations.import_attendance(
        context.workspace,
        context.settings,
        seminar_id,
        file,
        snap.id,
        users,
        force=force_reason,
    )
    for what in result.overridden:
        warn(f"--force: {what} ({force_reason})")
    _skipped(result.retired_rows, result.duplicate_rows, _("the same person once"))
    name = escape(file.name)
    err.print(
        _(
            "{seminar}: {recorded:,} attendee(s) recorded from {file}: "
            "invited {invited:,}, uninvited {uninvited:,}"
        ).format(
            seminar=seminar_id,
            recorded=result.recorded,
            file=name,
            invited=result.invited_attended,
            uninvited=result.uninvited,
        ),
        highlight=False,
    )
    if result.previous is not None:
        source = escape(result.previous_source or "")
        err.print(
            _("the same people as recorded before: nothing recorded twice")
            if result.unchanged
            else _("replaces the earlier list ({previous:,} from {source})").format(
                previous=result.previous, source=source
            ),
            highlight=False,
        )


def _force_reason(force: bool, reason: str | None) -> str | None:
    if reason is not None and not reason.strip():
        raise typer.BadParameter(_("give a reason"), param_hint="--reason")
    if force and reason is None:
        raise typer.BadParameter(_("--force needs --reason '…' (kept in the audit log)"))
    if reason is not None and not force:
        raise typer.BadParameter(_("--reason goes with --force"), param_hint="--reason")
    return reason_text(reason) if force and reason else None


def _skipped(retired: list[int], duplicates: list[int], kept: str) -> None:
    """One line per kind of row not recorded, with its count and rows."""

    def rows(found: list[int]) -> str:
        shown = ", ".join(map(str, found[:10]))
        return shown + (f" … +{len(found) - 10}" if len(found) > 10 else "")

    if retired:
        warn(
            _("{n:,} row(s) for people who have left (退職): not recorded (rows {rows})").format(
                n=len(retired), rows=rows(retired)
            )
        )
    if duplicates:
        warn(
            _("{n:,} repeated row(s): {kept} (rows {rows})").format(
                n=len(duplicates), kept=kept, rows=rows(duplicates)
            )
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

    People who have left (退職) are not recorded; a person who answered twice counts
    once, with the last answer.

    Example: kops seminar survey month1 アンケート.csv
    """
    context = session(workspace)
    invitations.seminar(context.settings, seminar_id)
    snap = context.snapshot()
    users = context.tables(snap).users
    result = invitations.import_survey(
        context.workspace, context.settings, seminar_id, file, snap.id, users
    )
    _skipped(result.retired_rows, result.duplicate_rows, _("the last answer of each person kept"))
    err.print(
        _("{seminar}: {answers:,} answer(s) recorded from {file}").format(
            seminar=seminar_id, answers=result.answers, file=escape(file.name)
        ),
        highlight=False,
    )
    if result.not_on_attendance:
        warn(
            _(
                "{n:,} answer(s) from people not on {seminar}'s attendance list "
                "(the summary says so)"
            ).format(n=result.not_on_attendance, seminar=seminar_id)
        )
    if result.previous is not None:
        err.print(
            _("replaces the earlier {previous:,} answer(s)").format(previous=result.previous),
            highlight=False,
        )


def summary_charts(summary: Summary) -> list[SheetChart]:
    """The summary workbook's charts: attendance by stuck point, the satisfaction
    distribution and the survey's choices (counts only: nothing hidden is drawn)."""
    answered = int(summary.satisfaction["answers"].sum()) if len(summary.satisfaction) else 0
    # The survey's scale as its table lists it (kops.yaml's seminar_survey.satisfaction_scale).
    points = [int(v) for v in summary.satisfaction.get("satisfaction", [])]
    scale = f"（{min(points)}〜{max(points)}）" if points else ""
    return [
        SheetChart(
            "出欠_スタックポイント別",
            "スタックポイント別の招待数と出席数",
            "stuck_point",
            ("invited", "attended"),
            x_title="スタックポイント",
            y_title="人数（人）",
        ),
        SheetChart(
            "満足度",
            f"満足度の分布（回答 {answered:,}件）",
            "satisfaction",
            ("answers",),
            kind="column",
            x_title=f"満足度{scale}",
            y_title="回答数（件）",
        ),
        SheetChart(
            "知りたいテーマ",
            f"知りたいテーマ（選択式・複数回答、回答 {summary.interest_answers:,}件）",
            "interest",
            ("chosen_by",),
            x_title="テーマ",
            y_title="選んだ人（人）",
        ),
    ]


def _named(seminar_id: str, config: Seminar) -> pd.DataFrame:
    """The printed 概要 names the seminar it is about: its title and when it was held."""
    held = "" if config.date is None else config.date.strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame(
        [
            ("title", "セミナー名", config.title or seminar_id, ""),
            ("date", "日時", held, ""),
        ],
        columns=["figure", "label", "value", "unit"],
    )


@app.command("summary")
@records_audience("seminar summary")
def summary_command(
    seminar_id: SeminarArg,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """Attendance by invited stuck point and 事業部, satisfaction, interests, grouped free text,
    emerging themes (frequent words and phrases, with those no keyword group covers), and
    whether attendees moved on to the next stage by the next snapshot.

    Example: kops seminar summary month1 --out month1.xlsx
    """
    context = session(workspace)
    config = invitations.seminar(context.settings, seminar_id)
    latest = context.snapshot()
    result = summarise_seminar(
        context.workspace, context.settings, seminar_id, latest, context.tables
    )
    if result.movement_pending:
        note(
            _("no snapshot newer than the invitation yet: movement is shown after the next ingest")
        )
    summary = result.summary
    sheets = summary_sheets(result)
    (first, overview_frame), *more = sheets
    if fmt is Format.csv and out_file is None:
        # One CSV holds one table: say so, rather than let it pass for the whole summary.
        note(
            _(
                "the CSV holds the attendance by stuck point only; --format json or "
                "--out FILE.xlsx hold every table of the summary"
            )
        )
    if out_file is not None and out_file.suffix.lower() == ".csv":
        note(
            _(
                "the CSV file holds the overview (概要) only; --out FILE.xlsx holds every "
                "table of the summary"
            )
        )
    if emit(
        pd.concat([_named(seminar_id, config), overview_frame], ignore_index=True),
        fmt,
        out_file,
        lambda path: _("Wrote {path}").format(path=path),
        as_of=latest.as_of,
        rows=summary.invited + summary.uninvited,
        # On stdout: JSON every sheet by name, CSV the attendance by stuck point.
        shown=dict(sheets) if fmt is Format.json else summary.by_stuck_point,
        sheet=first,
        extra_sheets=more,
        charts=summary_charts(summary),
        options=Print(as_of=latest.as_of),
    ):
        return
    out.print(f"[bold]{escape(config.title or seminar_id)}[/bold] ({seminar_id})")
    _print_summary(summary, context.settings.privacy.min_group, counted_groups(result))
    if summary.movement is not None:
        _print_movement(summary, latest.id)


def summary_sheets(result: SeminarSummary) -> list[tuple[str, pd.DataFrame]]:
    """The summary workbook's sheets, 概要 first; every answer (names masked) and the
    exact count per group (on 自由記述) in this secretariat's file (事務局内限り)."""
    summary = result.summary
    sheets = [
        ("概要", overview(summary)),
        ("出欠_スタックポイント別", summary.by_stuck_point),
        ("出欠_事業部別", summary.by_division),
        ("満足度", summary.satisfaction),
        ("知りたいテーマ", summary.interests),
        ("自由記述", counted_groups(result)),
        ("新しいテーマ", summary.themes),
    ]
    if result.every_answer is not None:
        sheets.append(("自由記述_全件", result.every_answer))
    # The terminal's caveat under the figures it is about (the sheet alone read 24% against
    # 21% as the seminar's effect), and a hidden count's share as hidden as the count.
    said = "" if summary.movement is None else _difference_said(summary.movement, japanese=True)
    caveat = "\n".join(filter(None, [said, SELF_SELECTION, summary.movement_mix_note]))
    if summary.movement is not None:
        sheets.append(("その後の変化", _with_note(_hidden_shares(summary.movement), caveat)))
    if summary.movement_by_stuck_point is not None:
        by_point = _hidden_shares(summary.movement_by_stuck_point)
        sheets.append(("その後の変化_スタックポイント別", _with_note(by_point, SELF_SELECTION)))
    return sheets


def _hidden_shares(movement: pd.DataFrame) -> pd.DataFrame:
    """A share whose count is hidden (「<5」, 「(秘匿)」) says so too: blank, it read as
    "not known" beside a count that says why."""
    frame = movement.copy()
    hidden = frame["moved_on"].map(lambda v: isinstance(v, str))
    frame["share_moved_on"] = (
        frame["share_moved_on"].astype(object).where(~hidden, frame["moved_on"])
    )
    return frame


def _with_note(frame: pd.DataFrame, note: str) -> pd.DataFrame:
    frame.attrs[glossary.SHEET_NOTE] = note
    return frame


def counted_groups(result: SeminarSummary) -> pd.DataFrame:
    """The keyword groups with each one's exact count: the summary is the secretariat's and
    lists every answer (自由記述_全件), where a count hidden as 「<5」 beside that list read as a
    mistake. Examples stay for groups of ``min_group`` answers or more."""
    groups = result.summary.free_text
    if result.answers_per_group is None or not len(groups):
        return groups
    exact = result.answers_per_group.set_index("group")["answers"]
    counted = groups.assign(answers=[int(exact.get(g, 0)) for g in groups["group"]])
    examples = [c for c in counted.columns if str(c).startswith("example_")]
    if examples and (counted[examples] == "").all(axis=1).any():
        # Empty example cells with nothing said read as answers lost.
        return _with_note(counted, EXAMPLES_NOTE.format(n=result.min_group))
    return counted


# Why a group's example cells are empty (survey_text: a group of fewer than min_group
# answers shows none, nor an answer that names a person).
EXAMPLES_NOTE = (
    "回答例は、回答が{n}件以上の区分にだけ載せます（人の名前を含む回答は載せません）。"
    "すべての回答は「自由記述_全件」にあります（名前は○○）。"
)


def _print_summary(summary: Summary, min_group: int, groups: pd.DataFrame) -> None:
    """Attendance, satisfaction, interests and the grouped free text as tables."""
    out.print(attendance_said(summary, summary.answers), highlight=False)
    if (said := answers_said(summary.answers, summary.answers_not_on_list)) is not None:
        out.print(said, highlight=False)
    # As the workbook says them (people_table): the stuck points by name, shares as whole
    # percents; never the English keys (not_activated, uninvited) beside a 名称 column.
    for frame, title in (
        (summary.by_stuck_point, _("Attendance by stuck point when invited")),
        (summary.by_division, _("Attendance by division")),
    ):
        out.print(people_table(frame, title=title))
    if len(summary.satisfaction):
        average = summary.average_satisfaction
        answered = int(summary.satisfaction["answers"].sum())
        out.print(
            people_table(
                summary.satisfaction,
                title=_("Satisfaction ({n:,} answers, {average_label} {average})").format(
                    n=answered,
                    average_label=column_word("satisfaction_avg"),
                    average=fixed(average, 1),
                ),
            )
        )
    if len(summary.interests):
        out.print(
            people_table(
                summary.interests,
                title=_(
                    "Themes wanted (multiple choice, {n:,} answers, several may be chosen)"
                ).format(n=summary.interest_answers),
            )
        )
    if len(groups):
        print_groups(groups, min_group)
        print_themes(summary.themes, min_group)


SELF_SELECTION_EN = N_(
    "Attending is each person's choice: the keener attend more readily, so the "
    "difference cannot be read as the seminar's effect as it stands."
)
MIX_NOTE_EN = N_(
    "Those who attended and those who did not were at different stuck points when invited: "
    "compare them within each stuck point."
)


def column_word(key: str) -> str:
    """A column's word in a title: the glossary's in Japanese, its key in English."""
    return glossary.column_label(key) if language() == "ja" else key


def _difference_said(movement: pd.DataFrame, japanese: bool) -> str:
    """「出席した人と出席しなかった人の差 +2.3ptは誤差の範囲、95%信頼区間 …」 or ''."""
    if japanese:
        said = attended_difference(movement)
        return f"出席した人と出席しなかった人の{said.strip('（）')}" if said else ""
    found = attended_interval(movement)
    if found is None:
        return ""
    difference, low, high = found
    words = _("difference {difference}, interval (95 percent) {low} to {high}").format(
        difference=points(difference), low=points(low), high=points(high)
    )
    return words + ("" if low > 0 or high < 0 else _(" (within chance)"))


def _print_movement(summary: Summary, snapshot_id: str) -> None:
    """Attendees against invitees who did not come: n per group, small groups hidden,
    the self-selection caveat, and the same within each stuck point."""
    assert summary.movement is not None
    # The group in words in Japanese; its key (attended, …) in English.
    group = "group_label" if language() == "ja" else "group"
    columns = [group, "users", "in_snapshot", "moved_on", "share_moved_on"]
    out.print(
        people_table(
            summary.movement[columns],
            title=_(
                "Afterwards: who moved on from their stuck point when invited, by snapshot "
                "{snapshot}"
            ).format(snapshot=snapshot_id),
        )
    )
    # The deck's words in Japanese (one sentence for one caveat); English on an English screen.
    japanese = language() == "ja"
    # The difference with its interval, as the deck says it (the table alone, 24% against
    # 21%, read as the seminar's effect).
    said = _difference_said(summary.movement, japanese)
    if said:
        out.print(said, highlight=False)
    out.print(SELF_SELECTION if japanese else _(SELF_SELECTION_EN), highlight=False)
    if summary.movement_mix_note:
        mix = summary.movement_mix_note if japanese else _(MIX_NOTE_EN)
        out.print(mix, highlight=False)
    if summary.movement_by_stuck_point is not None and len(summary.movement_by_stuck_point):
        out.print(
            people_table(
                summary.movement_by_stuck_point[["stuck_point", *columns]],
                title=_("Afterwards, by stuck point when invited"),
            )
        )


app.command("themes")(themes_command)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="seminar")
