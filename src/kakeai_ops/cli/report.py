"""``kops report`` and ``kops audit``: division data for advisors, privacy built in."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from .. import glossary
from ..analyses import advisor_scopes
from ..analyses import divisions as division_figures
from ..analyses.division_groups import TOTAL
from ..config import ScopeUnit
from ..errors import KopsError
from ..i18n import _, language, term
from ..jobs.advisor_reports import AdvisorReports, write_advisor_reports
from ..jobs.division_report import (
    DivisionReport,
    Publication,
    headline_hidden,
    hidden_for_others,
    publication_for,
    record_report,
)
from ..numbers import grouped, percent
from ..outputs.atomic import check_folder, make_folder
from ..outputs.files import write_table
from ..outputs.report_xlsx import OVERVIEW_COLUMNS, with_basis, write_report
from ..privacy.audiences import SHARED, line
from ..privacy.audit import check
from ..store import SnapshotInfo, audit_entries, record_action
from ..store.audit_log import AUDIENCE_LABELS, HEADERS
from .console import frame_table
from .options import (
    AsOfOpt,
    AudienceOpt,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    StaleOkOpt,
    WorkspaceOpt,
    dry_run_option,
    limit_option,
    one_rehearsal,
    out_option,
    to_test_option,
    yes_option,
)
from .output_audience import chosen
from .shared import (
    Session,
    emit,
    emit_data,
    err,
    note,
    out,
    parse_as_of,
    session,
    warn,
    writes_state,
)

app = typer.Typer(
    help="Division reports for division heads and HR business partners (アドバイザー).\n\n"
    "Example: kops report divisions --out division-report.xlsx",
    no_args_is_help=True,
)


PeriodOpt = Annotated[
    str,
    typer.Option(
        "--period", help="30d, 90d, month:2026-09, quarter:2026Q3, half:2026H2 or year:2026."
    ),
]


AdvisorOpt = Annotated[
    str | None, typer.Option("--advisor", help="Only this advisor's scope (from kops.yaml).")
]
AllAdvisorsOpt = Annotated[
    bool, typer.Option("--all-advisors", help="One file per advisor into --out DIR.")
]
MailOpt = Annotated[
    bool, typer.Option("--mail", help="With --all-advisors: mail each advisor their file.")
]
MailYesOpt = Annotated[bool, yes_option(help="Send the mail without asking.")]
MailDryRunOpt = Annotated[
    bool,
    dry_run_option(
        help="With --mail: list advisor, address, file and figures hidden, write the "
        "messages as .eml; send nothing."
    ),
]
MailToTestOpt = Annotated[
    str | None, to_test_option(help="With --mail: send every message to this tester instead.")
]
MailLimitOpt = Annotated[
    int | None, limit_option(help="With --mail: send at most N messages this time.")
]
IncludeEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--include-empty",
        help="With --all-advisors: also write (and mail) a report whose every figure is hidden.",
    ),
]
ReportOutOpt = Annotated[
    Path | None,
    out_option(help="report.xlsx, or a directory with --all-advisors."),
]


def _build(
    context: Session,
    snapshot: str | None,
    as_of: dt.date | None,
    period: str,
    advisor: str | None,
    readers: str = SHARED,
) -> tuple[DivisionReport, str, Publication]:
    if advisor is not None:
        advisor_scopes.advisor(context.settings, advisor)  # an unknown name, before any work
    publication, snap_id = _publication(context, snapshot, as_of, period, readers)
    return publication.report(advisor), snap_id, publication


def _publication(
    context: Session,
    snapshot: str | None,
    as_of: dt.date | None,
    period: str,
    readers: str = SHARED,
) -> tuple[Publication, str]:
    snap = context.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    tables = context.tables(snap, columns=division_figures.NEEDED_COLUMNS)
    # The audit of a month's set takes seconds on a large company: say what is going on.
    with err.status(escape(_("Building the reports and auditing what they hide…"))):
        publication = publication_for(
            context.workspace, context.settings, tables, snap.id, when, period, readers
        )
    return publication, snap.id


@app.command("divisions")
@writes_state("report divisions --mail", only_with="mail")
def divisions_command(
    workspace: WorkspaceOpt = None,
    period: PeriodOpt = division_figures.DEFAULT_PERIOD,
    advisor: AdvisorOpt = None,
    all_advisors: AllAdvisorsOpt = False,
    mail: MailOpt = False,
    yes: MailYesOpt = False,
    dry_run: MailDryRunOpt = False,
    to_test: MailToTestOpt = None,
    limit: MailLimitOpt = None,
    stale_ok: StaleOkOpt = False,
    include_empty: IncludeEmptyOpt = False,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: ReportOutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """Per 事業部 and 部署: activation, pairs, 1on1s, preparation, スッキリ度, topics and 対応.

    Cells of fewer than 5 people (10 for 心身の状態) show as <5 / <10; an audit
    hides more, as (秘匿), until no hidden cell can be worked out from what is
    shown. --format json lists every figure the workbook publishes, one record
    per cell. An advisor's file holds their scope only.

    Example: kops report divisions --period quarter:2026Q3 --advisor 営業本部長 --out sales.xlsx
    """
    one_rehearsal(dry_run, to_test)
    readers = chosen("report divisions", audience)
    # --yes and --stale-ok too: a reader who typed them expects a mailing, and must
    # not take a report written to disk for one.
    mail_only = dry_run or to_test or limit or yes or stale_ok
    _check_options(readers, mail, all_advisors, out_file, mail_only)
    context = session(workspace)
    if all_advisors:
        sending = MailOptions(yes, dry_run, to_test, limit, stale_ok, workspace)
        _all_advisors(
            context, snapshot, as_of, period, out_file, mail, sending, include_empty, readers
        )
        return
    report, snap_id, publication = _build(context, snapshot, as_of, period, advisor, readers)
    check(report.cells)  # nothing is written or shown unaudited
    handed_out = emit(
        # --format json: every figure the workbook publishes, one per cell (read off the
        # cells only when they are what is written).
        report.records() if out_file is None and fmt is not Format.table else [],
        fmt,
        out_file,
        lambda path: _("Wrote {path} ({divisions} 事業部, {period})").format(
            path=path, divisions=len(report.divisions), period=escape(report.period.caption)
        ),
        rows=report.rows(),
        write=lambda path: write_report(report, path, readers),
    )
    if not handed_out:
        _print_overview(report, advisor)
    if out_file is not None or not handed_out:  # for people; --format is for machines
        _print_notes(report, publication)
    if advisor is not None:
        _warn_headline_hidden(advisor, report, in_file=out_file is not None)
    # Recorded once the report was written or shown, never before.
    record_report(
        context.workspace,
        snap_id,
        report,
        publication,
        out_file,
        audience=readers,
        target=advisor or "全社",
        period=period,
        output="xlsx" if out_file else fmt.value,
    )
    err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
    if readers == SHARED and out_file is None:
        _say_recorded()


def _say_recorded() -> None:
    """A look on the screen is a publication too (it may be copied onto a slide): later
    reports of days it shares must agree with it, and a quarter looked at once had the
    month's advisor reports refused with no word of why."""
    err.print(
        _(
            "Recorded as published: reports of days this period shares are audited "
            "together with these figures from now on. To look without publishing, use "
            "--audience secretariat."
        ),
        highlight=False,
    )


def _check_options(
    readers: str, mail: bool, all_advisors: bool, out_file: Path | None, mail_only: object
) -> None:
    """Options that do not go together, refused before any work; ``mail_only``: any of
    --yes, --stale-ok, --dry-run, --to-test and --limit was given."""
    if mail and readers != SHARED:
        raise KopsError(
            _("--mail sends the reports to advisors: they are shared (共有可)"),
            hint=_("leave out --audience secretariat to mail them"),
        )
    if mail_only and not mail:
        raise KopsError(
            _(
                "--yes, --stale-ok, --dry-run, --to-test and --limit go with --mail: "
                "nothing was mailed"
            ),
            hint="kops report divisions --all-advisors --out reports/ --mail --dry-run",
        )
    if all_advisors:
        return
    if mail:
        raise KopsError(_("--mail goes with --all-advisors"))
    if out_file is not None and out_file.suffix.lower() != ".xlsx":
        raise KopsError(
            _("{path}: the division report is an Excel file").format(path=out_file),
            hint=_("name it report.xlsx"),
        )


# The dry run's table in Japanese (in English: its keys).
DRY_RUN_HEADERS = {
    "advisor": "アドバイザー",
    "email": "宛先",
    "file": "ファイル",
    "figures_hidden": "非表示の値",
}


def _print_overview(report: DivisionReport, advisor: str | None = None) -> None:
    """The overview sheet as a table on the terminal, shares as whole percents; an
    advisor's named as kops.yaml names them, before the scope their file names."""
    columns = [c for c, _label, _format in OVERVIEW_COLUMNS]
    # The workbook's headers, the rate's period too (「1on1実施率（部下・直近90日）」).
    headers = {c: label for c, label, _format in with_basis(OVERVIEW_COLUMNS, report.period.basis)}
    formats: dict[str, Callable[[Any], str]] = {
        c: _whole_percent for c, _label, f in OVERVIEW_COLUMNS if f and f.endswith("%")
    }
    # Counts as the workbook shows them (#,##0): 1,502, not 1502 beside the files' 5,628.
    formats |= {c: grouped for c, _label, f in OVERVIEW_COLUMNS if f == glossary.COUNT}
    if language() == "ja":  # the workbook's title and headers
        scope = report.scope_label if advisor is None else f"{advisor}: {report.scope_label}"
        # What the 推移 compare with, as the workbook's heading says it (the screen named
        # no days: its +9pt beside the deck's +7pt for the same 30 days, two 「前回」).
        title = (
            f"{report.title}（{scope}、{report.period.caption}。"
            f"推移は前期間{report.previous.caption}との差）"
        )
    else:  # the keys of --format json, the period by its dates
        scope = "company" if report.scope_label == TOTAL else report.scope_label
        scope = scope if advisor is None else f"{advisor}: {scope}"
        period = _("{start} – {end}").format(start=report.period.start, end=report.period.end)
        title = _("Division report ({scope}, {period})").format(scope=scope, period=period)
        before = _("{start} – {end}").format(start=report.previous.start, end=report.previous.end)
        title += _("; trends against {before}").format(before=before)
        headers = {}
    shown = report.captioned(report.overview)[columns]
    if language() == "en":  # the company's row by its English word; the rest is data
        shown = shown.assign(**{columns[0]: shown[columns[0]].replace(TOTAL, "company")})
    out.print(
        frame_table(
            shown,
            title=title,
            headers=headers,
            formats=_safe(formats),
            whole=(columns[0],),  # the 事業部 the row is read by: never broken
        )
    )
    # In Japanese the workbook's and the deck's own sentence (glossary.hidden_legend).
    legend = (
        report.legend
        if language() == "ja"
        else _(
            "<{general} / <{sensitive}: too few people to show; (秘匿): hidden so the others "
            "can't be subtracted"
        ).format(general=report.min_group, sensitive=report.min_group_sensitive)
    )
    out.print(f"[dim]{escape(legend)}[/dim]")


def _print_notes(report: DivisionReport, publication: Publication | None = None) -> None:
    """What was merged to protect small groups (the workbook says it under the table),
    and what privacy cost the report and the whole publication set."""
    if language() == "ja":  # the notes are the workbook's own words (Japanese)
        for note in report.notes:
            err.print(f"[dim]{escape(note)}[/dim]", highlight=False)
    elif report.notes:
        said = _(
            "{n} note(s) on groups merged to protect small ones: in the workbook, under the table"
        ).format(n=len(report.notes))
        err.print(f"[dim]{escape(said)}[/dim]", highlight=False)
    privacy = _("privacy: {loss}").format(loss=_loss_said(report))
    err.print(f"[dim]{escape(privacy)}[/dim]", highlight=False)
    if publication is not None and publication.advisors:
        privacy = _("privacy: {loss}").format(loss=_loss_said(publication))
        err.print(f"[dim]{escape(privacy)}[/dim]", highlight=False)


def _warn_headline_hidden(advisor: str, report: DivisionReport, in_file: bool = True) -> None:
    """An advisor's report whose overview shows nothing (its topics may), or most of whose
    figures are hidden to protect groups outside it: said before it is mailed; a file says
    why under its table (with --format json there is none to read)."""
    most = hidden_for_others(report)
    if most is not None:
        warn(
            _(
                "advisor {name}: {hidden} of its {figures} figures are hidden, {others} of them "
                "so that small groups outside the scope cannot be worked out from the company "
                "report (a scope that is part of a 事業部 whose other people are few); read it "
                "before sending it"
            ).format(name=advisor, hidden=most[0], figures=most[1], others=most[2])
        )
    if not headline_hidden(report):
        return
    if in_file:
        warn(
            _(
                "advisor {name}: every figure of the overview is hidden (the file says why "
                "under its table); read it before sending it"
            ).format(name=advisor)
        )
    else:
        warn(_("advisor {name}: every figure of the overview is hidden").format(name=advisor))


def _loss_said(report: DivisionReport | Publication) -> str:
    """What privacy cost, on the screen: the workbook's line in Japanese, English in
    English (the workbook keeps its Japanese)."""
    if language() == "ja":
        return report.loss_text()
    loss = report.loss()
    said = _(
        "hidden {hidden:,} of {figures:,} values ({given_back:,} shown again once found "
        "unneeded), rows hidden {rows:,} ({people:,} people), shown only in merged rows "
        "{merged:,} people"
    ).format(
        hidden=loss["hidden"],
        figures=loss["figures"],
        given_back=loss["given_back"],
        rows=loss["rows_hidden"],
        people=loss["people_hidden"],
        merged=loss["people_merged"],
    )
    if "reports" in loss:
        said = _("the publication set (company + {n} advisor report(s)): {loss}").format(
            n=loss["reports"] - 1, loss=said
        )
    return said


def _whole_percent(value: Any) -> str:
    """Shares are published as whole percents; show them so."""
    return "-" if value is None or pd.isna(value) else percent(float(value))


def _safe(formats: dict[str, Callable[[Any], str]]) -> dict[str, Callable[[Any], str]]:
    """Percent formatting that leaves suppression labels as they are."""

    def keep_labels(show: Callable[[Any], str]) -> Callable[[Any], str]:
        return lambda value: value if isinstance(value, str) else show(value)

    return {column: keep_labels(show) for column, show in formats.items()}


def _all_advisors(
    context: Session,
    snapshot: str | None,
    as_of: dt.date | None,
    period: str,
    directory: Path | None,
    mail: bool,
    sending: MailOptions,
    include_empty: bool = False,
    readers: str = SHARED,
) -> None:
    if directory is None:
        raise KopsError(
            _("--all-advisors needs --out DIR"),
            hint=_("e.g. {example}").format(example="--out reports/"),
        )
    check_folder(directory)
    advisor_scopes.require_advisors(context.settings)
    if mail:
        from ..mail.advisors import check_names
        from ..mail.runs import check_fresh
        from .run_console import TerminalOperator

        check_names(context.settings, context.settings.advisors)
        # Old data is asked about before the reports are written and recorded as shared:
        # a refusal (「古いデータからは送りません」) left both behind.
        real = not sending.dry_run and sending.to_test is None
        check_fresh(context, TerminalOperator(context.settings), snapshot, sending.stale_ok, real)

    # Built (and audited) before the directory is made: a refused set leaves no trace.
    publication, snap_id = _publication(context, snapshot, as_of, period, readers)
    written = write_advisor_reports(
        context.workspace,
        publication,
        snap_id,
        directory,
        context.settings.advisors,
        period=period,
        audience=readers,
        include_empty=include_empty,
    )
    for name in context.settings.advisors:
        if name in written.empty:
            warn(
                _(
                    "advisor {name}: every figure of the report is hidden (groups under "
                    "{min_group} people, or figures hidden so those cannot be worked out); "
                    "not written or mailed (--include-empty sends it anyway)"
                ).format(name=name, min_group=context.settings.privacy.min_group)
            )
        elif name in written.files:
            err.print(f"  {escape(name)}: {escape(str(written.files[name]))}", highlight=False)
            _warn_headline_hidden(name, publication.report(name))
    err.print(
        _("Wrote {n} advisor report(s) to {path}").format(
            n=len(written.files), path=escape(str(directory))
        ),
        highlight=False,
    )
    privacy = _("privacy: {loss}").format(loss=_loss_said(publication))
    err.print(f"[dim]{escape(privacy)}[/dim]", highlight=False)
    err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
    if mail and written.files:
        # The command that sends is the one that wrote these files: the same snapshot, day,
        # files and labels (without them it mailed the newest snapshot's reports).
        made_by = {
            # Always: a snapshot ingested between the dry run and the send made the printed
            # command send the newer one's reports (another run, other files).
            "snapshot": snap_id,
            "as_of": as_of,
            "include_empty": "" if include_empty else None,
            "audience": None if readers == SHARED else readers,
        }
        _mail_advisors(context, written, period, sending, directory, snap_id, made_by)


@dataclass(frozen=True)
class MailOptions:
    """How `report divisions --mail` sends: like every mailing."""

    yes: bool
    dry_run: bool
    to_test: str | None
    limit: int | None
    stale_ok: bool
    workspace: Path | None


def _resolved_scopes(
    context: Session, snap: SnapshotInfo, names: Iterable[str]
) -> dict[str, list[ScopeUnit]]:
    """Each advisor's scope as the report resolved it, so the mail names it as people say it."""
    users = context.tables(snap, columns={"users": ["user_id", "division", "department"]}).users
    return {
        name: advisor_scopes.resolve_scope(users, name, context.settings.advisors[name])
        for name in names
    }


def _mail_advisors(
    context: Session,
    written: AdvisorReports,
    period: str,
    sending: MailOptions,
    directory: Path,
    snap_id: str,
    made_by: dict[str, str | dt.date | None],
) -> None:
    # The mail machinery is loaded only for --mail: most reports are written, not sent.
    from ..mail.advisors import advisor_mailing, report_attachment_name, scope_words
    from ..mail.runs import send_prepared
    from . import run_commands
    from .run_console import TerminalOperator

    files = written.files
    snap = context.snapshot(snap_id)
    scopes = _resolved_scopes(context, snap, files)
    mailing = advisor_mailing(
        context.settings,
        files,
        period,
        snap.id,  # the reports' snapshot (--snapshot), not the newest
        written.caption,
        scopes,
        written.previous_caption,
        as_of=written.as_of if written.as_of != snap.as_of else None,
    )
    operator = TerminalOperator(context.settings)
    for name in mailing.without_email:
        operator.warn(_("advisor {name} has no email; not mailed").format(name=name))
    if sending.dry_run:
        listed = pd.DataFrame(
            [
                {
                    "advisor": r.item,
                    "email": r.email,
                    "file": str(files[r.item]),
                    "figures_hidden": written.hidden.get(r.item, ""),
                }
                for r in mailing.audience.recipients
            ],
            columns=["advisor", "email", "file", "figures_hidden"],
        )
        out.print(
            frame_table(
                listed,
                title=_("Dry run: each advisor, their address and file"),
                headers=DRY_RUN_HEADERS if language() == "ja" else {},
            )
        )
    send_prepared(
        context,
        operator,
        mailing.audience,
        mailing.binding,
        sending.yes,
        snapshot=snap.id,
        as_of=written.as_of,
        attachments=lambda item: [str(files[item].resolve())],
        attachment_names=lambda item: [
            report_attachment_name(
                scope_words(scopes[item]), written.as_of or snap.as_of, written.words
            )
        ],
        what=_("advisor report(s)"),
        stale_ok=sending.stale_ok,
        dry_run=sending.dry_run,
        to_test=sending.to_test,
        limit=sending.limit,
        fresh_checked=True,  # by _all_advisors, before the files were made
        command=run_commands.fixed(
            ["report", "divisions", "--all-advisors", "--mail"],
            sending.workspace,
            period=period,
            out=str(directory),
            **made_by,
            stale_ok="" if sending.stale_ok else None,
        ),
    )


@app.command("advisors")
def advisors_command(
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    out_dir: Annotated[Path | None, out_option(help="Directory for one CSV per advisor.")] = None,
    fmt: FormatOpt = Format.table,
    audience: AudienceOpt = None,
) -> None:
    """Per advisor, the managers and members in their scope: the list for アドバイザー 閲覧範囲.

    Example: kops report advisors --out advisor-scopes/
    """
    readers = chosen("report advisors", audience)
    if out_dir is not None:
        check_folder(out_dir)
    context = session(workspace)
    advisor_scopes.require_advisors(context.settings)
    snap = context.snapshot(snapshot)
    tables = context.tables(snap, columns=division_figures.NEEDED_COLUMNS)
    frames = []
    for name, config in context.settings.advisors.items():
        frame = advisor_scopes.people_in_scope(tables, name, config)
        frames.append(frame)
    everyone = pd.concat(frames, ignore_index=True)

    def made(files: dict[str, str]) -> None:  # once the lists were written or shown
        for name, frame in zip(context.settings.advisors, frames, strict=True):
            record_action(
                context.workspace,
                "report advisors",
                target=name,
                count=len(frame),
                files=[files[name]] if name in files else [],
                snapshot=snap.id,
                detail={"audience": readers, "as_of": str(snap.as_of)},
            )
        err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)

    if out_dir is not None:
        from ..outputs.filenames import FileNames

        make_folder(out_dir)
        names = FileNames(out_dir, prefix="advisor-scope-", suffix=".csv")
        written: dict[str, str] = {}
        for name, frame in zip(context.settings.advisors, frames, strict=True):
            write_table(
                frame.drop(columns=["advisor"]),
                names.path(name),
                text_columns=["user_id"],
            )
            written[name] = str(names.path(name))
        made(written)
        err.print(
            _("Wrote {n} scope list(s) to {path}").format(n=len(frames), path=escape(str(out_dir))),
            highlight=False,
        )
        _say_leading_zeros()
        return
    if fmt is not Format.table:
        emit_data(everyone, fmt)
        made({})
        return
    summary = (
        everyone.groupby(["advisor", "role"], sort=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["manager", "member", "both", "none"], fill_value=0)
    )
    summary["total"] = summary.sum(axis=1)  # the 人数 of each advisor's report
    summary = summary.reset_index()
    if language() == "ja":
        summary = summary.rename(
            columns={"advisor": "アドバイザー", "total": "計", **glossary.ROLES}
        )
    out.print(frame_table(summary, title=_("People in each advisor's scope")))
    made({})


def _say_leading_zeros() -> None:
    """The scope lists are for KAKEAI's settings: opened and saved again by Excel, each
    000104 would be 104."""
    note(
        _(
            "Excel opening these CSVs directly drops the ids' leading zeros: hand them to "
            "KAKEAI as written; to look at one in Excel, use データ > テキストまたは CSV "
            "から and set 社員番号 to text"
        )
    )


def _target_words(target: object) -> str:
    """The target as people read it: 「スナップショット 0002」 for ``snapshot 0002``."""
    text = "" if target is None or target is pd.NA else str(target)
    if language() == "en":
        # The whole company, as the report and the deck record it (the glossary's 全社).
        return "company" if text == "全社" else text
    return "スナップショット " + text[9:] if text.startswith("snapshot ") else text


def _count_words(count: object) -> str:
    """A count as every other table writes it: 6,124, not 6124."""
    return "" if count is None or count is pd.NA else f"{int(count):,}"  # type: ignore[call-overload]


def _missing(value: Any) -> bool:
    """A blank field of the log (NaN, NA, None): null in JSON, never NaN, which strict JSON
    readers (JavaScript, Power Query) refuse. Lists and objects are fields too."""
    return not isinstance(value, list | dict) and bool(pd.isna(value))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")

    @root.command("audit")
    def audit_command(
        workspace: WorkspaceOpt = None,
        fmt: FormatOpt = Format.table,
        out_file: OutOpt = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N entries.")] = 50,
    ) -> None:
        """The audit log: every ingest, mail (test sends too), suppression, interview,
        campaign and seminar record, report and deck, and list written to a file, once it
        succeeded.

        The table shows 日時・操作・対象・件数・ファイル (and who, on which snapshot);
        --format json gives every field for machines (files as a list, detail as an object);
        --out writes the table as the terminal shows it, with its headers, to .xlsx or .csv.

        Example: kops audit --out audit.xlsx
        """
        context = session(workspace)
        frame = audit_entries(context.workspace, limit)
        if fmt is Format.json:
            sys.stdout.write(
                json.dumps(
                    [
                        {k: (None if _missing(v) else v) for k, v in row.items()}
                        for row in frame.to_dict("records")
                    ],
                    ensure_ascii=False,
                    indent=2,
                    default=str,
                )
                + "\n"
            )
            return
        flat = frame.assign(
            files=["; ".join(f) for f in frame["files"]],
            detail=[
                json.dumps(d, ensure_ascii=False, default=str) if d else "" for d in frame["detail"]
            ],
        )
        if fmt is Format.csv:
            emit_data(flat, fmt)
            return
        # 公開範囲 and 基準日 only when an entry published a file: else a narrower table.
        kept = [k for k in HEADERS if k not in ("audience", "as_of") or frame[k].notna().any()]
        english = language() == "en"  # the keys and the command names, as --format json
        shown = flat.assign(
            at=[str(a)[:16].replace("T", " ") for a in flat["at"]],  # JST, to the minute
            files=["\n".join(f) for f in frame["files"]],
            audience=[term(AUDIENCE_LABELS, a) if a else "" for a in frame["audience"]],
            as_of=[a or "" for a in frame["as_of"]],
            label=frame["action"] if english else flat["label"],
        )[kept]
        headers = {key: term(HEADERS, key) for key in kept}
        if out_file is not None:  # the table as shown, for Excel: its headers, its columns
            emit(
                shown.rename(columns=headers),
                Format.table,
                out_file,
                lambda path: _("Wrote the audit log ({n} entries) to {path}").format(
                    n=len(shown), path=path
                ),
            )
            return
        table = frame_table(
            shown.rename(columns=headers),
            title=_("Audit log ({n} entries, newest first)").format(n=len(shown)),
            formats={headers["target"]: _target_words, headers["count"]: _count_words},
        )
        for column in table.columns:  # nothing cut with 「…」: a long cell folds
            column.overflow = "fold"
        out.print(table)
