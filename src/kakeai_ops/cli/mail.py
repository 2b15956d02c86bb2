"""``kops mail``: targeted Japanese mail, sent exactly once."""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..analyses import segment as seg
from ..errors import KopsError
from ..init import shipped_templates_dir
from ..mail import binding as run_binding
from ..mail import headers as mail_headers
from ..mail.audience import REASONS, Audience, AudienceSpec, build_audience
from ..mail.effect import difference, run_effect
from ..mail.ledger import Ledger
from ..mail.message import as_bytes
from ..mail.plan import (
    Plan,
    PlannedMessage,
    build_planned,
    discard_plan,
    load_plan,
    make_plan,
    outbox_folder,
    safe_run_id,
    save_plan,
)
from ..mail.send import Paused, Sender, now
from ..mail.templates import TemplateSet
from ..mail.transport import OutboxTransport, SmtpTransport, Transport
from ..outputs.files import write_table
from ..outputs.privacy import protect_effect, shown_difference
from ..store import audit, awards, delivered_milestones, draw_entrants
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
    parse_as_of,
    session,
    timing,
    writes_state,
)
from .console import frame_table, percent

app = typer.Typer(
    help="Targeted mail: stuck-point nudges, seminars, milestones, campaign news.",
    no_args_is_help=True,
)

SegmentOpt = Annotated[
    str | None, typer.Option("--segment", help="Users whose primary stuck point is KEY.")
]
FlagOpt = Annotated[
    str | None, typer.Option("--flag", help="Everyone with the flag KEY (rarely needed).")
]
RoleOpt = Annotated[str | None, typer.Option("--role", help="Only manager, member, both or none.")]
DivisionOpt = Annotated[str | None, typer.Option("--division", help="Only this 事業部.")]
AwardedOpt = Annotated[
    str | None, typer.Option("--awarded", help="Users awarded in this campaign.")
]
WinnersOpt = Annotated[
    str | None, typer.Option("--winners", help="Winners of this campaign's draw.")
]
NotDrawnOpt = Annotated[
    str | None,
    typer.Option("--not-drawn", help="Entrants of this campaign's draw who were not drawn."),
]
MilestonesOpt = Annotated[bool, typer.Option("--milestones", help="Users due a milestone message.")]
UsersOpt = Annotated[
    Path | None, typer.Option("--users", help="A CSV/XLSX list of user ids or emails.")
]
TemplateOpt = Annotated[
    str | None,
    typer.Option("--template", "-t", help="Template name (default: by audience and role)."),
]
SeminarOpt = Annotated[
    str | None, typer.Option("--seminar", help="Seminar id from kops.yaml (for seminar templates).")
]


def _templates(s: Session) -> TemplateSet:
    shipped = shipped_templates_dir()
    return TemplateSet(s.workspace.mail_templates_dir, shipped / "mail" if shipped else None)


def _audience(
    s: Session, spec: AudienceSpec, snapshot: str | None, as_of: str | None
) -> tuple[Audience, str, str]:
    if spec.role not in (None, "manager", "member", "both", "none"):
        raise KopsError(f"--role: '{spec.role}' is not manager, member, both or none")
    snap = s.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    tables = s.tables(snap)
    cap = s.settings.mail.frequency_cap
    import datetime as dt

    with _ledger(s) as ledger:
        suppressed = ledger.suppressed()
        recent = ledger.nudges_since(now() - dt.timedelta(days=cap.days))
    audience = build_audience(
        spec,
        tables,
        s.settings,
        when,
        _templates(s),
        suppressed,
        recent,
        awarded=awards(s.workspace, spec.awarded) if spec.awarded else None,
        delivered=delivered_milestones(s.workspace) if spec.milestones else None,
        drawn=draw_entrants(s.workspace, spec.winners or spec.not_drawn)
        if spec.winners or spec.not_drawn
        else None,
    )
    return audience, snap.id, str(when)


class _ledger:
    def __init__(self, s: Session) -> None:
        self.ledger = Ledger(s.workspace)

    def __enter__(self) -> Ledger:
        return self.ledger

    def __exit__(self, *exc: object) -> None:
        self.ledger.close()


def _transport(s: Session, run_id: str, folder_suffix: str = "") -> Transport:
    mail = s.settings.mail
    if mail.transport == "smtp":
        return SmtpTransport(mail.smtp, mail.from_addr)
    return OutboxTransport(outbox_folder(s.workspace, run_id, folder_suffix))


def _spec(
    segment: str | None,
    flag: str | None,
    role: str | None,
    division: str | None,
    awarded: str | None,
    milestones: bool,
    users: Path | None,
    template: str | None,
    seminar: str | None,
) -> AudienceSpec:
    return AudienceSpec(
        segment, flag, role, division, awarded, milestones, users, template, seminar
    )


@app.command("templates")
def templates_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the mail templates with their kind, subject and the variables each uses.

    Example: kops mail templates
    """
    s = session(workspace)
    templates = _templates(s)
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
            frame_table(
                frame.drop(columns=["file"]),
                title=f"Mail templates ({s.workspace.mail_templates_dir})",
            )
        )
    else:
        emit_data(frame, fmt)


@app.command("preview")
def preview_command(
    workspace: WorkspaceOpt = None,
    segment: SegmentOpt = None,
    flag: FlagOpt = None,
    role: RoleOpt = None,
    division: DivisionOpt = None,
    awarded: AwardedOpt = None,
    winners: WinnersOpt = None,
    not_drawn: NotDrawnOpt = None,
    milestones: MilestonesOpt = False,
    users: UsersOpt = None,
    template: TemplateOpt = None,
    seminar: SeminarOpt = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Preview this user's message (default: the first).")
    ] = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Show one recipient's message exactly as it will be sent, headers decoded.

    Example: kops mail preview --segment no_prep --role member --user 000123
    """
    s = session(workspace)
    spec = _spec(segment, flag, role, division, awarded, milestones, users, template, seminar)
    spec = replace(spec, winners=winners, not_drawn=not_drawn)
    audience, _, _ = _audience(s, spec, snapshot, as_of)
    recipients = audience.recipients
    if user is not None:
        wanted = unicodedata.normalize("NFKC", user).strip()
        recipients = [r for r in recipients if r.user_id == wanted]
        if not recipients:
            reason = dict(audience.excluded_users).get(wanted)
            detail = f" (left out: {REASONS[reason]})" if reason else ""
            raise KopsError(f"user '{user}' is not in this audience{detail}")
    if not recipients:
        raise KopsError(
            "the audience is empty",
            hint=_excluded_text(audience) or "try another --segment or filter",
        )
    plan = make_plan(
        Audience(
            recipients[:1],
            audience.excluded,
            [],
            audience.description,
            None,
            audience.default_run_id,
        ),
        _templates(s),
        s.settings,
        audience.default_run_id,
    )
    _print_message(s, plan.messages[0])


def _print_message(s: Session, message: PlannedMessage) -> None:
    built = build_planned(s.settings.mail, message)
    parsed = message_from_bytes(as_bytes(built), policy=policy.default)
    for header in ("From", "To", "Reply-To", "Subject", "Date", "Message-ID"):
        out.print(f"[bold]{header}:[/bold] {escape(str(parsed[header]))}", highlight=False)
    out.print(f"[dim]template: {escape(message.template)} ({message.kind})[/dim]\n")
    body = parsed.get_body(preferencelist=("plain",))
    out.print(escape(body.get_content() if body is not None else ""), highlight=False, end="")


def _excluded_text(audience: Audience) -> str:
    return ", ".join(f"{REASONS[k]} {v}" for k, v in audience.excluded.items())


@app.command("plan")
def plan_command(
    workspace: WorkspaceOpt = None,
    segment: SegmentOpt = None,
    flag: FlagOpt = None,
    role: RoleOpt = None,
    division: DivisionOpt = None,
    awarded: AwardedOpt = None,
    winners: WinnersOpt = None,
    not_drawn: NotDrawnOpt = None,
    milestones: MilestonesOpt = False,
    users: UsersOpt = None,
    template: TemplateOpt = None,
    seminar: SeminarOpt = None,
    holdout: Annotated[
        float, typer.Option("--holdout", min=0, max=90, help="Holdout share in percent.")
    ] = 0.0,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Plan a run and render every message, then show the plan; records and sends nothing.

    What `kops mail send` does before it asks for confirmation.

    Example: kops mail plan --segment no_recurrence
    """
    import time

    s = session(workspace)
    spec = _spec(segment, flag, role, division, awarded, milestones, users, template, seminar)
    spec = replace(spec, winners=winners, not_drawn=not_drawn)
    started = time.perf_counter()
    audience, _, _ = _audience(s, spec, snapshot, as_of)
    plan = make_plan(audience, _templates(s), s.settings, audience.default_run_id, holdout)
    timing(
        f"work: planned and rendered {len(plan.messages):,} messages "
        f"in {time.perf_counter() - started:.2f} s"
    )
    _show_plan(s, plan, audience, plan.run_id)
    err.print(
        "Nothing recorded. To send: kops mail send with the same options "
        f"(run id {escape(plan.run_id)}).",
        highlight=False,
    )


@app.command("send")
@writes_state("mail send")
def send_command(
    workspace: WorkspaceOpt = None,
    segment: SegmentOpt = None,
    flag: FlagOpt = None,
    role: RoleOpt = None,
    division: DivisionOpt = None,
    awarded: AwardedOpt = None,
    winners: WinnersOpt = None,
    not_drawn: NotDrawnOpt = None,
    milestones: MilestonesOpt = False,
    users: UsersOpt = None,
    template: TemplateOpt = None,
    seminar: SeminarOpt = None,
    run_id_opt: Annotated[
        str | None,
        typer.Option("--id", help="Run id (default: derived from audience and template)."),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Send without asking (required when not interactive)."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Write every message as .eml to the outbox; send nothing."),
    ] = False,
    to_test: Annotated[
        str | None,
        typer.Option("--to-test", help="Send every message to this tester address instead."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Send at most N messages in this invocation."),
    ] = None,
    holdout: Annotated[
        float,
        typer.Option(
            "--holdout",
            min=0,
            max=90,
            help="Hold out PCT% of the audience (not mailed) to measure the effect.",
        ),
    ] = 0.0,
    retry_unknown: Annotated[
        bool,
        typer.Option(
            "--retry-unknown",
            help="Also resend rows whose outcome is unknown (possible duplicates).",
        ),
    ] = False,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Plan, confirm and send a mail run; the same command again resumes it.

    Every message is rendered before the first is sent. Left out and counted:
    no email, on leave, retired, on the suppression list, over the frequency cap.

    Example: kops mail send --segment no_prep --role member --holdout 10 --yes
    """
    s = session(workspace)
    spec = _spec(segment, flag, role, division, awarded, milestones, users, template, seminar)
    spec = replace(spec, winners=winners, not_drawn=not_drawn)
    run_send(
        s, spec, run_id_opt, yes, dry_run, to_test, limit, holdout, retry_unknown, snapshot, as_of
    )


def run_send(
    s: Session,
    spec: AudienceSpec,
    run_id_opt: str | None,
    yes: bool,
    dry_run: bool,
    to_test: str | None,
    limit: int | None,
    holdout: float,
    retry_unknown: bool,
    snapshot: str | None,
    as_of: str | None,
) -> str:
    """Plan, confirm and send (or resume) a run; returns its id. Shared by `kops seminar`.

    A run id stands for the choices it was first planned with (see mail/binding.py):
    the same choices resume the stored plan, other choices are refused.
    """
    real = not (dry_run or to_test)
    binding = run_binding.spec_binding(spec, holdout)
    if (
        run_id_opt is not None
        and real
        and _resume_planned(s, safe_run_id(run_id_opt), binding, yes, limit, retry_unknown)
    ):
        return run_id_opt
    audience, snap_id, when = _audience(s, spec, snapshot, as_of)
    run_id = safe_run_id(run_id_opt or audience.default_run_id)
    if real and _resume_planned(s, run_id, binding, yes, limit, retry_unknown):
        return run_id
    with Progress(
        TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("render", total=len(audience.recipients))
        plan = make_plan(
            audience, _templates(s), s.settings, run_id, holdout, progress=lambda: bar.advance(task)
        )
    _show_plan(s, plan, audience, run_id)
    if dry_run:
        _dry_run(s, plan)
        return run_id
    if to_test:
        count = min(len(plan.messages), limit or len(plan.messages))
        _confirm(yes, f"Send {count:,} test message(s) to {to_test}?")
        _test_send(s, plan, to_test, limit)
        return run_id
    sendable = len(plan.by_state("planned"))
    if sendable == 0:
        raise KopsError(
            "nothing to send: the audience is empty after exclusions",
            hint=_excluded_text(audience) or None,
        )
    transport_name = s.settings.mail.transport
    _confirm(
        yes,
        f"Send {min(sendable, limit or sendable):,} message(s) via {transport_name} "
        f"as run {run_id}?",
    )
    record_and_send(s, plan, audience, snap_id, when, holdout, binding, yes, limit, retry_unknown)
    return run_id


def _resume_planned(
    s: Session,
    run_id: str,
    binding: dict[str, Any],
    yes: bool,
    limit: int | None,
    retry_unknown: bool,
) -> bool:
    """Resume run_id if it was planned (refused if with other choices); False if it wasn't."""
    with _ledger(s) as ledger:
        existing = ledger.run(run_id)
    if existing is None:
        return False
    run_binding.check_binding(run_id, existing.get("binding"), binding)
    _resume(s, run_id, yes, limit, retry_unknown)
    return True


def record_and_send(
    s: Session,
    plan: Plan,
    audience: Audience,
    snap_id: str,
    when: str,
    holdout: float,
    binding: dict[str, Any],
    yes: bool,
    limit: int | None,
    retry_unknown: bool,
) -> None:
    """Store the plan as the run's, atomically, and send it.

    When another kops stored a plan under the same run id in the meantime, that
    one stands: this command resumes it if its choices are the same, else is
    refused; its own rendering is thrown away, never written over the other.
    """
    if _record_plan(s, plan, audience, snap_id, when, holdout, binding):
        _send(s, plan, limit, retry_unknown)
        return
    err.print(f"run {plan.run_id} was planned by another kops meanwhile", highlight=False)
    _resume_planned(s, plan.run_id, binding, yes, limit, retry_unknown)


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise KopsError(
            "not sending without confirmation (no terminal to ask on)",
            hint="add --yes to send, or --dry-run to look first",
        )
    if not typer.confirm(question, default=False, err=True):
        raise KopsError("cancelled; nothing was sent")


def _show_plan(s: Session, plan: Plan, audience: Audience, run_id: str) -> None:
    planned = plan.by_state("planned")
    held = plan.by_state("holdout")
    err.print(f"[bold]Run {escape(run_id)}[/bold]", highlight=False)
    err.print(f"  to send: {len(planned):,}   holdout: {len(held):,}", highlight=False)
    for reason, label in REASONS.items():
        if audience.excluded.get(reason):
            err.print(
                f"  left out, {label} ({reason}): {audience.excluded[reason]:,}", highlight=False
            )
    templates = pd.Series([m.template for m in plan.messages]).value_counts()
    for name, count in templates.items():
        err.print(f"  template {escape(str(name))}: {count:,}", highlight=False)
    if planned:
        err.rule("sample", style="dim")
        sample = out
        sample.file = sys.stderr  # the sample is part of the plan shown to the operator
        try:
            _print_message(s, planned[0])
        finally:
            sample.file = None  # type: ignore[assignment]
        err.rule(style="dim")


def _record_plan(
    s: Session,
    plan: Plan,
    audience: Audience,
    snap_id: str,
    when: str,
    holdout: float,
    binding: dict[str, Any],
) -> bool:
    """Write the plan file (named by its hash), then record the run, its rows, binding and
    hash in one transaction; False if the run id was taken meanwhile."""
    from ..mail.ledger import LedgerRow

    content_hash = save_plan(s.workspace, plan)
    rows = [
        LedgerRow(
            m.item, m.user_id, m.email, m.name, m.template, m.kind, m.state, m.message_id, m.extra
        )
        for m in plan.messages
    ]
    with _ledger(s) as ledger:
        created = ledger.create_run(
            {
                "run_id": plan.run_id,
                "description": {**audience.description, "excluded": dict(audience.excluded)},
                "segment_key": audience.segment_key,
                "snapshot": snap_id,
                "as_of": when,
                "holdout_pct": holdout,
                "planned": len(plan.messages),
                "binding": run_binding.binding_text(binding),
                "plan_hash": content_hash,
            },
            rows,
        )
        if not created:
            stored = (ledger.run(plan.run_id) or {}).get("plan_hash")
            if stored != content_hash:
                discard_plan(s.workspace, plan.run_id, content_hash)
            return False
    audit(
        s.workspace,
        "mail send",
        scope=json.dumps(audience.description, ensure_ascii=False),
        snapshot=snap_id,
        rows=len(plan.messages),
        detail={"run_id": plan.run_id, "excluded": dict(audience.excluded), "holdout_pct": holdout},
    )
    return True


def _resume(s: Session, run_id: str, yes: bool, limit: int | None, retry_unknown: bool) -> None:
    plan = load_plan(s.workspace, run_id)
    with _ledger(s) as ledger:
        counts = ledger.counts(run_id)
        pending = len(
            ledger.rows(run_id, ["planned", "temp_failed"] + (["sending"] if retry_unknown else []))
        )
        unknown = len(ledger.rows(run_id, ["sending"]))
    row = counts.iloc[0].to_dict() if len(counts) else {}
    err.print(
        f"[bold]Resuming run {escape(run_id)}[/bold]: sent {row.get('sent', 0):,}, "
        f"pending {pending:,}, unknown {unknown:,}, failed {row.get('perm_failed', 0):,}",
        highlight=False,
    )
    if unknown and not retry_unknown:
        err.print(
            f"  {unknown} message(s) may or may not have been delivered (kops stopped mid-send); "
            "they are not resent. `kops mail status RUN` lists them; --retry-unknown resends them.",
            highlight=False,
        )
    if pending == 0:
        err.print("Nothing left to send.", highlight=False)
        return
    _confirm(
        yes, f"Send the {min(pending, limit or pending):,} pending message(s) of run {run_id}?"
    )
    _send(s, plan, limit, retry_unknown)


def _send(s: Session, plan: Plan, limit: int | None, retry_unknown: bool) -> None:
    with _ledger(s) as ledger:  # one sender at a time: the command holds the workspace lock
        transport = _transport(s, plan.run_id)
        with Progress(
            TextColumn("sending"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeRemainingColumn(),
            console=err,
        ) as bar:
            sender = Sender(s.workspace, s.settings, ledger, transport, unavailable=_unavailable(s))
            pending = sender.pending(plan, retry_unknown)
            if limit is not None:
                pending = pending[:limit]
            task = bar.add_task("send", total=len(pending), last="")
            sender.on_progress = lambda message, state: bar.update(task, advance=1, last=state)
            ledger.set_run_status(plan.run_id, "sending")
            try:
                report = sender.send(plan, pending)
            except Paused:
                ledger.set_run_status(plan.run_id, "paused")
                raise
        remaining = len(sender.pending(plan, False))
        ledger.set_run_status(plan.run_id, "done" if remaining == 0 else "partial")
        counts = ledger.counts(plan.run_id).iloc[0].to_dict()
    outcome = ", ".join(f"{k} {v:,}" for k, v in sorted(report.outcomes.items())) or "nothing"
    err.print(f"Run {escape(plan.run_id)}: this time {outcome}.", highlight=False)
    err.print(
        "  in all: "
        + ", ".join(f"{k} {int(v):,}" for k, v in counts.items() if k != "run_id" and int(v)),
        highlight=False,
    )
    if s.settings.mail.transport == "outbox":
        folder = escape(str(outbox_folder(s.workspace, plan.run_id)))
        err.print(f"  messages written to {folder}", highlight=False)
    if remaining:
        err.print(
            f"  {remaining:,} still pending: run the same command again to continue.",
            highlight=False,
        )


def _unavailable(s: Session) -> dict[str, str]:
    """Who went on leave or retired by the latest snapshot (a resumed run may be older)."""
    users = s.tables(s.snapshot()).users
    reasons = {"leave": "on leave (latest snapshot)", "retired": "retired (latest snapshot)"}
    away = users[users["employment_status"].isin(list(reasons))]
    return dict(zip(away["user_id"], away["employment_status"].map(reasons), strict=True))


def _dry_run(s: Session, plan: Plan) -> None:
    folder = outbox_folder(s.workspace, plan.run_id, "-dry-run")
    transport = OutboxTransport(folder)
    transport.open()
    mail = s.settings.mail
    count = 0
    for message in plan.by_state("planned"):
        transport.send(
            as_bytes(build_planned(mail, message)), mail.from_addr, message.email, message.item
        )
        count += 1
    err.print(
        f"Dry run: {count:,} message(s) written to {escape(str(folder))}; "
        "nothing was sent or recorded.",
        highlight=False,
    )
    err.print(
        f"To send: the same command with --yes (run id {escape(plan.run_id)}).", highlight=False
    )


def _test_send(s: Session, plan: Plan, address: str, limit: int | None) -> None:
    mail = s.settings.mail
    transport = _transport(s, plan.run_id, "-test")
    messages = plan.by_state("planned")[: limit or None]
    mail_headers.check_headers(mail, plan.run_id, messages, test_address=address)
    sent = 0
    with _ledger(s) as ledger:
        transport.open()
        try:
            for message in messages:
                data = as_bytes(build_planned(mail, message, test_address=address))
                try:
                    transport.send(data, mail.from_addr, address, message.item)
                except Exception as error:  # recorded, then the next one
                    ledger.log_test(plan.run_id, message.item, address, "failed", str(error))
                    continue
                ledger.log_test(plan.run_id, message.item, address, "sent")
                sent += 1
        finally:
            transport.close()
    err.print(
        f"Test: {sent:,} of {len(messages):,} message(s) sent to {escape(address)}; "
        "the real ledger is untouched.",
        highlight=False,
    )


@app.command("status")
def status_command(
    run_id: Annotated[str | None, typer.Argument(help="A run id (default: list the runs).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
) -> None:
    """Counts per state for each run; with RUN_ID, its failures and unknowns.

    Example: kops mail status no_prep.member-2026-11 --out failures.xlsx
    """
    s = session(workspace)
    with _ledger(s) as ledger:
        if run_id is None:
            frame = ledger.runs()
            if fmt is Format.table:
                out.print(
                    frame_table(
                        frame.drop(columns=["created_by", "holdout_pct"]), title="Mail runs"
                    )
                )
            else:
                emit_data(frame, fmt)
            return
        if ledger.run(run_id) is None:
            raise KopsError(f"no mail run '{run_id}'", hint="`kops mail status` lists the runs")
        rows = ledger.frame(run_id)
        tests = ledger.test_log(run_id)
    rows["state"] = rows["state"].where(rows["state"] != "sending", "unknown")
    problems = rows[
        rows["state"].isin(["temp_failed", "perm_failed", "unknown", "suppressed", "planned"])
    ]
    if out_file is not None:
        write_table(rows, out_file, sheet="ledger", text_columns=["user_id", "item"])
        err.print(f"Wrote {len(rows):,} rows to {escape(str(out_file))}", highlight=False)
        return
    if fmt is not Format.table:
        emit_data(rows, fmt)
        return
    counts = rows["state"].value_counts().rename_axis("state").reset_index(name="count")
    out.print(frame_table(counts, title=f"Run {run_id}"))
    if len(problems):
        out.print(
            frame_table(
                problems[["user_id", "name", "email", "state", "attempts", "error"]],
                title="Not sent",
                max_rows=200,
            )
        )
    if len(tests):
        out.print(f"(test sends recorded apart: {len(tests)})")


@app.command("suppress")
@writes_state("mail suppress")
def suppress_command(
    target: Annotated[str, typer.Argument(help="An email address or a user id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. 配信不要の返信).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Never mail this address or user again (until unsuppressed).

    Example: kops mail suppress hanako@example.co.jp --reason 配信不要の返信
    """
    s = session(workspace)
    key = _key(target)
    with _ledger(s) as ledger:
        added = ledger.suppress(key, reason, "manual")
    err.print(
        f"{escape(key)}: {'added to' if added else 'already on'} the suppression list",
        highlight=False,
    )


@app.command("unsuppress")
@writes_state("mail unsuppress")
def unsuppress_command(
    target: Annotated[str, typer.Argument(help="An email address or a user id.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Take an address or user off the suppression list.

    Example: kops mail unsuppress hanako@example.co.jp
    """
    s = session(workspace)
    key = _key(target)
    with _ledger(s) as ledger:
        removed = ledger.unsuppress(key)
    if not removed:
        raise KopsError(
            f"{key} is not on the suppression list", hint="`kops mail suppressed` lists it"
        )
    err.print(f"{escape(key)}: removed from the suppression list", highlight=False)


@app.command("suppressed")
def suppressed_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the suppression list: who is never mailed, and why.

    Example: kops mail suppressed --format csv
    """
    s = session(workspace)
    with _ledger(s) as ledger:
        frame = ledger.suppression_frame()
    if fmt is Format.table:
        out.print(frame_table(frame, title=f"Suppression list ({len(frame)})"))
    else:
        emit_data(frame, fmt)


def _key(target: str) -> str:
    text = unicodedata.normalize("NFKC", target).strip()
    return text.lower() if "@" in text else text


@app.command("report")
def report_command(
    run_id: Annotated[str, typer.Argument(help="The run to evaluate.")],
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Did it work? Of those mailed for a stuck point, the share who left it, against the holdout.

    Run it after ingesting a later export.

    Example: kops mail report no_prep.member-2026-11
    """
    s = session(workspace)
    with _ledger(s) as ledger:
        run = ledger.run(run_id)
        if run is None:
            raise KopsError(f"no mail run '{run_id}'", hint="`kops mail status` lists the runs")
        rows = ledger.frame(run_id)
    key = run["segment_key"]
    if not key:
        raise KopsError(
            f"run '{run_id}' was not sent to a stuck point (--segment/--flag), "
            "so there is nothing to measure"
        )
    snap = s.snapshot(snapshot)
    if snap.id == run["snapshot"] and as_of is None:
        note(
            f"the latest snapshot ({snap.id}) is the one the run was planned on: "
            "ingest a later export first"
        )
    when = parse_as_of(as_of, snap)
    later = seg.segment(s.tables(snap), s.settings.rules, when)
    raw = run_effect(rows, key, later)
    frame = protect_effect(raw, s.settings.privacy.min_group)
    if fmt is not Format.table:
        emit_data(frame, fmt)
        return
    label = seg.BY_KEY[key].label
    out.print(
        frame_table(
            frame,
            title=f"Run {run_id}: who left {key} ({label}) by snapshot {snap.id} (as of {when})",
            formats={"share_left": lambda v: v if isinstance(v, str) else percent(v)},
        )
    )
    mailed, held = frame.iloc[0], frame.iloc[1]
    diff = shown_difference(frame)
    if not (held["in_snapshot"] and mailed["in_snapshot"]):
        out.print(
            "[dim]no holdout in this run (use --holdout PCT next time to measure the effect)[/dim]"
        )
    elif diff is None:
        out.print(
            f"[dim]a group has fewer than {s.settings.privacy.min_group} people: "
            "its outcome and the difference are not shown[/dim]"
        )
    else:
        out.print(f"difference (mailed − holdout): {diff:+.0%} points")
        measured = difference(raw)
        if measured.measured:
            out.print(
                f"95% confidence interval: {measured.low:+.1%} to {measured.high:+.1%} points"
            )
        else:
            out.print(f"[dim]confidence interval: {measured.status}: {measured.reason}[/dim]")
        if held["in_snapshot"] < 30:
            out.print("[dim]the holdout is small; read the difference with care[/dim]")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="mail")


__all__: list[Any] = ["register"]
