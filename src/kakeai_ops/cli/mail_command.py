"""``kops mail``: targeted Japanese mail, sent exactly once."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from .. import glossary
from ..clock import JST, now
from ..errors import KopsError
from ..i18n import _
from ..ids import did_you_mean, typed_id
from ..mail import runs
from ..mail.audience import (
    Audience,
    AudienceSpec,
    Recipient,
    excluded_summary,
    left_out_people,
    why_left_out,
)
from ..mail.plan import make_plan
from ..mail.records import RECORD_FIELDS, fact_records, records_json
from ..workspace import shipped_templates_dir
from . import run_commands
from .audience_options import audience_options
from .console import people_table
from .mail_auth import check_command, login_command, logout_command
from .mail_bounces import bounces_command
from .mail_ledger import (
    report_command,
    status_command,
    suppress_command,
    suppressed_command,
    unsuppress_command,
)
from .options import (
    AsOfOpt,
    AudienceOpt,
    DryRunOpt,
    Format,
    FormatOpt,
    LimitOpt,
    SnapshotOpt,
    StaleOkOpt,
    ToTestOpt,
    WorkspaceOpt,
    YesOpt,
    checked_table_file,
    format_option,
    one_rehearsal,
    out_option,
)
from .output_audience import records_audience
from .run_console import KIND_WORDS, TerminalOperator, print_message, show_plan
from .shared import Session, emit, emit_data, err, out, session, timing, warn, writes_state

# The subcommands; the group itself (its help, `kops mail`) is cli/mail_group.py, which
# loads this module when one of them is used.
app = typer.Typer(no_args_is_help=True)


@app.command("templates")
def templates_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the mail templates with their kind, subject and the variables each uses.

    Example: kops mail templates
    """
    context = session(workspace)
    templates = runs.templates(context.workspace)
    folder = context.workspace.mail_templates_dir
    if not folder.is_dir():
        # Every mail then uses the shipped templates: said, so that nobody edits a
        # folder kops is not reading, or believes their own wording is sent.
        shipped = shipped_templates_dir()
        warn(
            _(
                "{folder} is missing: the templates shipped with kops are listed and used; "
                "to edit them, copy {shipped} there"
            ).format(folder=folder, shipped=shipped / "mail" if shipped else "-")
        )
    rows = []
    for name in templates.names():
        template = templates.get(name)
        rows.append(
            {
                "template": name,
                "kind": template.kind,
                "subject": template.subject_source,
                "variables": ", ".join(template.variables()),
                "file": str(template.path),
            }
        )
    frame = pd.DataFrame(rows, columns=["template", "kind", "subject", "variables", "file"])
    if fmt is Format.table:
        out.print(
            people_table(
                frame.drop(columns=["file"]),
                title=_("Mail templates ({folder})").format(
                    folder=context.workspace.mail_templates_dir
                ),
                labels={k: glossary.column_label(k) for k in ("template", "variables")},
                values={"kind": KIND_WORDS},
            )
        )
    else:
        emit_data(frame, fmt)


@app.command("preview")
@audience_options
def preview_command(
    spec: AudienceSpec,
    workspace: WorkspaceOpt = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Preview this user's message (default: the first).")
    ] = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Show one recipient's message exactly as it will be sent, headers decoded.

    Example: kops mail preview --segment no_prep --role member --user 000123
    """
    context = session(workspace)
    operator = TerminalOperator(context.settings)
    audience, snapshot_id, _as_of = runs.audience_for(context, operator, spec, snapshot, as_of)
    recipients = (
        audience.recipients
        if user is None
        else [_recipient(audience, user, lambda: _everyone(context, snapshot_id))]
    )
    if not recipients:
        raise KopsError(
            _("the audience is empty"),
            hint=excluded_summary(audience) or _("try another --segment or filter"),
        )
    plan = make_plan(
        replace(audience, recipients=recipients[:1], excluded_users=[], segment_key=None),
        runs.templates(context.workspace),
        context.settings,
        audience.default_run_id,
    )
    print_message(context.settings, plan.messages[0])


def _everyone(context: Session, snapshot_id: str) -> dict[str, str]:
    """Every user of the snapshot by id, with their employment status ('retired' for 退職)."""
    snap = context.snapshot(snapshot_id)
    users = context.tables(snap, {"users": ["user_id", "employment_status"]}).users
    return dict(
        zip(users["user_id"].astype(str), users["employment_status"].astype(str), strict=True)
    )


def _recipient(
    audience: Audience, user: str, read_everyone: Callable[[], dict[str, str]]
) -> Recipient:
    """The user's message in the audience; refused with why the user was left out (someone
    who has left, or is not in the snapshot, is said so: `segment --explain` refuses both)."""
    wanted = typed_id(user)
    if "@" in user:  # an address, as `--users` files take them: its holder
        address = user.strip().lower()
        wanted = next((r.user_id for r in audience.recipients if r.email == address), wanted)
    found = [r for r in audience.recipients if r.user_id == wanted]
    if found:
        return found[0]
    reason = dict(audience.excluded_users).get(wanted)
    if reason:
        why = why_left_out(audience, wanted, reason)
        raise KopsError(
            _("user '{user}' is not in this audience (left out: {why})").format(user=user, why=why)
        )
    known = [r.user_id for r in audience.recipients] + [u for u, _why in audience.excluded_users]
    everyone = read_everyone()  # only for one not in the audience: read when needed
    status = everyone.get(wanted)
    if status == "retired":
        raise KopsError(
            _("user '{user}' has left the company (退職): kops mails no one who has left").format(
                user=user
            )
        )
    if status is None:
        # Its leading zeros lost (120 for 000120): whoever it may be, in this audience or not.
        raise KopsError(
            _("no user '{user}' in this snapshot").format(user=user),
            hint=did_you_mean(user, everyone)
            or _("`kops segment --list` lists everyone with their 社員番号"),
        )
    # Chosen by a stuck point, the person is most often at another one now: say where
    # to see which. Chosen otherwise (milestones, a campaign), a stuck point says nothing.
    where = (
        _("`kops segment --explain {user}` shows the stuck point they are at now")
        if audience.segment_key is not None
        else _("`kops mail plan` with the same options lists who is in this audience")
    )
    raise KopsError(
        _("user '{user}' is not in this audience").format(user=user),
        hint=did_you_mean(user, known) or where.format(user=wanted),
    )


@app.command("plan")
@records_audience("mail plan")
@audience_options
def plan_command(
    spec: AudienceSpec,
    workspace: WorkspaceOpt = None,
    holdout: Annotated[
        float, typer.Option("--holdout", min=0, max=90, help="Holdout share in percent.")
    ] = 0.0,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        Format,
        format_option(
            help="table: the plan and a sample; json/csv: one record per message with "
            "user_id, email, template, role, subject and the facts it states."
        ),
    ] = Format.table,
    left_out: Annotated[
        bool,
        typer.Option(
            "--left-out",
            help="List everyone the audience leaves out and why (a booked 1on1 with its "
            "day, no address, on leave…) in place of the messages; json/csv: one record "
            "per person with user_id, name, left_out_reasons and reason_code.",
        ),
    ] = False,
    out_file: Annotated[
        Path | None,
        out_option(
            help="With --left-out: write the list to a file, .xlsx or .csv (UTF-8 with BOM, "
            "for Excel).",
            callback=checked_table_file,
        ),
    ] = None,
    audience: AudienceOpt = None,
) -> None:
    """Plan a run and render every message, then show the plan; records and sends nothing.

    What `kops mail send` does before it asks for confirmation. With --format json or csv,
    one record per planned message: what an auditor checks each mail against. With
    --left-out, the people the same run leaves out, each with the reason.

    Example: kops mail plan --segment no_recurrence --format json

    Example: kops mail plan --segment lapsed --left-out --out left-out.xlsx
    """
    import time

    _check_left_out_options(left_out, holdout, out_file)
    context = session(workspace)
    operator = TerminalOperator(context.settings)
    started = time.perf_counter()
    recipients, snapshot_id, day = runs.audience_for(context, operator, spec, snapshot, as_of)
    # Rendered first, with --left-out too: a run the plan refuses (a template that needs
    # what this audience has not) has no list of people it leaves out.
    plan = make_plan(
        recipients,
        runs.templates(context.workspace),
        context.settings,
        recipients.default_run_id,
        holdout,
    )
    if left_out:
        _show_left_out(context, recipients, snapshot_id, fmt, out_file, day)
        return
    timing(
        f"work: planned and rendered {len(plan.messages):,} messages "
        f"in {time.perf_counter() - started:.2f} s"
    )
    if fmt is not Format.table:
        _emit_records(fact_records(plan, recipients, runs.templates(context.workspace)), fmt)
        if recipients.excluded_users:
            err.print(
                _("left out: {who} (who, and why: --left-out)").format(
                    who=excluded_summary(recipients)
                ),
                highlight=False,
            )
        return
    show_plan(context.settings, plan, recipients)
    _say_how_to_send(context, recipients, plan.run_id)


def _check_left_out_options(left_out: bool, holdout: float, out_file: Path | None) -> None:
    """Options that mean nothing with --left-out (or without it), refused before any work."""
    if out_file is not None and not left_out:
        raise KopsError(
            _("--out writes the --left-out list"),
            hint=_("the planned messages' records: --format json or csv"),
        )
    if left_out and holdout:
        raise KopsError(
            _("--holdout does not apply to --left-out"),
            hint=_("those a holdout keeps back are in the run, not left out of it"),
        )


def _show_left_out(
    context: Session,
    audience: Audience,
    snapshot_id: str,
    fmt: Format,
    out_file: Path | None,
    as_of: str,
) -> None:
    """Each person the audience leaves out, with their name and why (all of them: the
    plan's screen lists at most a few dozen); ``out_file``: as a file for Excel."""
    users = context.tables(context.snapshot(snapshot_id), {"users": ["user_id", "name"]}).users
    names = dict(zip(users["user_id"].astype(str), users["name"].astype(str), strict=True))
    people = left_out_people(audience)
    frame = pd.DataFrame(
        [
            {
                "user_id": user_id,
                "name": names.get(user_id, ""),
                "left_out_reasons": why_left_out(audience, user_id, reason),
                "reason_code": reason,
            }
            for user_id, reason in people
        ],
        columns=["user_id", "name", "left_out_reasons", "reason_code"],
    )
    if emit(frame, fmt, out_file, as_of=as_of, sheet="left_out", text_columns=["user_id"]):
        return
    if not people:
        out.print(_("Nobody is left out of this audience."), highlight=False)
        return
    title = _("Left out of this audience ({n:,})").format(n=len(people))
    out.print(people_table(frame.drop(columns="reason_code"), title=title))


def _emit_records(records: list[dict[str, Any]], fmt: Format) -> None:
    """One record per planned message on stdout: JSON as is, CSV with the facts as JSON."""
    if fmt is Format.json:
        sys.stdout.write(records_json(records) + "\n")
        return
    frame = pd.DataFrame(
        [
            {**r, "facts": json.dumps(r["facts"], ensure_ascii=False, sort_keys=True)}
            for r in records
        ],
        columns=list(RECORD_FIELDS),
    )
    emit_data(frame, fmt)


def _say_how_to_send(context: Session, audience: Audience, run_id: str) -> None:
    """What `kops mail send` would still refuse, and that nothing was recorded."""
    needing = runs.needs_login_url(context, audience)
    if needing:
        warning = _("Warning:")
        err.print(
            f"[yellow]{warning}[/yellow] "
            + _(
                "{templates} gives KAKEAI's login address and service.login_url is not set "
                "in kops.yaml: `kops mail send` will refuse it until it is"
            ).format(templates=escape(", ".join(needing))),
            highlight=False,
        )
    if not audience.recipients:
        # Nobody to mail: 「送るには」 would send nothing.
        err.print(_("Nothing was recorded, and there is nobody to send to."), highlight=False)
        return
    err.print(
        _(
            "Nothing was recorded. To send: run kops mail send with the same options "
            "(run id {run_id})"
        ).format(run_id=escape(run_id)),
        highlight=False,
    )


def _check_seminar_invitation(context: Session, spec: AudienceSpec) -> None:
    """A seminar's invitation template is sent before the seminar only, as by `seminar
    invite`."""
    config = context.settings.seminars.get(spec.seminar) if spec.seminar else None
    if config is not None and spec.seminar is not None and spec.template is not None:
        from ..jobs.seminars.invitations import check_not_late

        check_not_late(spec.seminar, config, spec.template, now().astimezone(JST))


@app.command("send")
@writes_state("mail send")
@audience_options
def send_command(
    spec: AudienceSpec,
    workspace: WorkspaceOpt = None,
    run_id_opt: Annotated[
        str | None,
        typer.Option("--id", help="Run id (default: derived from audience and template)."),
    ] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    to_test: ToTestOpt = None,
    limit: LimitOpt = None,
    holdout: Annotated[
        float,
        typer.Option(
            "--holdout",
            min=0,
            max=90,
            help="Hold out PCT percent of the audience (not mailed) to measure the effect.",
        ),
    ] = 0.0,
    holdout_anyway: Annotated[
        bool,
        typer.Option(
            "--holdout-anyway",
            help="Send even when the holdout or the mailed group is under privacy.min_group "
            "(its effect can then never be shown).",
        ),
    ] = False,
    retry_unknown: Annotated[
        bool,
        typer.Option(
            "--retry-unknown",
            help="Also resend rows whose outcome is unknown (possible duplicates).",
        ),
    ] = False,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    stale_ok: StaleOkOpt = False,
) -> None:
    """Plan, confirm and send a mail run; the same command again resumes it.

    Every message is rendered before the first is sent. Left out and counted:
    no email, on leave, retired, on the suppression list. Over the frequency cap or
    outside the send window: deferred, and sent by the same command from the day shown.

    Example: kops mail send --segment no_prep --holdout 20 --yes
    """
    one_rehearsal(dry_run, to_test)
    context = session(workspace)
    _check_seminar_invitation(context, spec)
    operator = TerminalOperator(context.settings)
    request = runs.RunRequest(
        spec=spec,
        run_id=run_id_opt,
        yes=yes,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
        holdout=holdout,
        holdout_anyway=holdout_anyway,
        retry_unknown=retry_unknown,
        snapshot=snapshot,
        as_of=as_of,
        stale_ok=stale_ok,
        command=run_commands.mail_send(
            spec,
            holdout,
            workspace,
            snapshot,
            as_of,
            # The limit too: the dry run's 「送るには」 line without it sent every mail.
            ["--stale-ok"] * stale_ok
            + ["--holdout-anyway"] * holdout_anyway
            + (["--limit", str(limit)] if limit else []),
        ),
    )
    runs.start_run(context, operator, request)


app.command("status")(status_command)
app.command("suppress")(writes_state("mail suppress")(suppress_command))
app.command("unsuppress")(writes_state("mail unsuppress")(unsuppress_command))
app.command("suppressed")(suppressed_command)
app.command("report")(report_command)
app.command("check")(check_command)
app.command("login")(login_command)
app.command("logout")(logout_command)
app.command("bounces")(writes_state("mail bounces")(bounces_command))
