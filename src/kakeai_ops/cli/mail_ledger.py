"""``kops mail status|suppress|unsuppress|suppressed|report``: the ledger after a run."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..analyses.mail_effect import mailed_state
from ..analyses.segment import BY_KEY
from ..errors import KopsError
from ..ids import typed_id
from ..mail import runs
from ..mail.evaluation import (
    difference_lines,
    measured_run,
    run_effect_in,
    run_status,
    share_with_n,
)
from ..outputs.files import write_table
from ..store import record_action
from .common import (
    AsOfOpt,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    WorkspaceOpt,
    emit_data,
    err,
    note,
    out,
    parse_as_of,
    session,
)
from .console import frame_table


def status_command(
    run_id: Annotated[str | None, typer.Argument(help="A run id (default: list the runs).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
) -> None:
    """Counts per state for each run; with RUN_ID, its failures, unknowns and deferrals.

    written = in the outbox only (a rehearsal, not delivered); deferred = held back by a
    frequency cap or the send window until the day shown.

    Example: kops mail status no_prep.member-2026-11 --out failures.xlsx
    """
    context = session(workspace)
    with runs.open_ledger(context.workspace) as ledger:
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
    found = run_status(context.workspace, run_id)
    rows, problems, tests = found.rows, found.not_sent, found.test_sends
    run_id = found.run_id
    if out_file is not None:
        write_table(rows, out_file, sheet="ledger", text_columns=["user_id", "item"])
        err.print(f"Wrote {len(rows):,} rows to {escape(str(out_file))}", highlight=False)
        return
    if fmt is not Format.table:
        emit_data(rows, fmt)
        return
    counts = rows["state"].value_counts().rename_axis("state").reset_index(name="count")
    out.print(frame_table(counts, title=f"Run {run_id}"))
    with runs.open_ledger(context.workspace) as ledger:
        hard, soft = ledger.bounce_counts().get(found.run_id, (0, 0))
    if hard or soft:
        sent = int((rows["state"] == "sent").sum())
        out.print(
            f"bounced after sending: {hard:,} for good, {soft:,} temporarily"
            f" (`kops mail bounces`); delivered: {sent - hard:,} of {sent:,} sent"
        )
    if len(problems):
        out.print(
            frame_table(
                problems[["user_id", "name", "email", "state", "attempts", "error"]],
                title="Not sent",
                max_rows=200,
            )
        )
    if len(found.deferred):
        deferred = found.deferred.rename(columns={"error": "reason"})
        out.print(
            frame_table(
                deferred[["user_id", "name", "email", "sendable_from", "reason"]],
                title="Deferred (the same command sends them on or after sendable_from)",
                max_rows=200,
            )
        )
    written = int((rows["state"] == "written").sum())
    if written:
        out.print(
            f"{written:,} written to the outbox only (a rehearsal, not delivered): "
            "the same command through smtp sends them."
        )
    if tests:
        out.print(f"(test sends recorded apart: {tests})")


def suppress_command(
    target: Annotated[str, typer.Argument(help="An email address or a user id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. 配信不要の返信).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Never mail this address or user again (until unsuppressed).

    The person's user id and address are suppressed together, so a new address in a
    later export does not bring them back.

    Example: kops mail suppress hanako@example.co.jp --reason 配信不要の返信
    """
    from ..mail.suppression import latest_users, suppress

    context = session(workspace)
    key = _key(target)
    done = suppress(context.workspace, key, reason, latest_users(context.workspace))
    person = f" (user {done.user_id})" if done.user_id and done.user_id != key else ""
    also = f"; also {', '.join(done.also)}" if done.also else ""
    if done.added:
        record_action(
            context.workspace,
            "mail suppress",
            target=key,
            count=1 + len(done.also),
            detail={"reason": reason, "also": list(done.also)},
        )
    err.print(
        f"{escape(key)}{escape(person)}: {'added to' if done.added else 'already on'} "
        f"the suppression list{escape(also)}",
        highlight=False,
    )


def unsuppress_command(
    target: Annotated[str, typer.Argument(help="An email address or a user id.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Take an address or user off the suppression list.

    Example: kops mail unsuppress hanako@example.co.jp
    """
    context = session(workspace)
    key = _key(target)
    with runs.open_ledger(context.workspace) as ledger:
        removed = ledger.unsuppress(key)
    if not removed:
        raise KopsError(
            f"{key} is not on the suppression list", hint="`kops mail suppressed` lists it"
        )
    record_action(context.workspace, "mail unsuppress", target=key, count=1)
    err.print(f"{escape(key)}: removed from the suppression list", highlight=False)


def suppressed_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the suppression list: who is never mailed, and why.

    Example: kops mail suppressed --format csv
    """
    context = session(workspace)
    with runs.open_ledger(context.workspace) as ledger:
        frame = ledger.suppression_frame()
    if fmt is Format.table:
        out.print(frame_table(frame, title=f"Suppression list ({len(frame)})"))
    else:
        emit_data(frame, fmt)


def _key(target: str) -> str:
    """A suppression key as typed: an id as ids are spelled; an email also lower-cased."""
    text = typed_id(target)
    return text.lower() if "@" in text else text


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
    context = session(workspace)
    run, rows = measured_run(context.workspace, run_id)
    run_id = run["run_id"]
    snap = context.snapshot(snapshot)
    if snap.id == run["snapshot"] and as_of is None:
        note(
            f"the latest snapshot ({snap.id}) is the one the run was planned on: "
            "ingest a later export first"
        )
    when = parse_as_of(as_of, snap)
    effect = run_effect_in(run, rows, context.tables(snap), context.settings, when)
    frame, key = effect.shown, effect.stuck_point
    if fmt is not Format.table:
        emit_data(frame, fmt)
        return
    label = BY_KEY[key].label
    shown = frame.assign(share_left=[share_with_n(r) for r in frame.to_dict("records")])
    out.print(
        frame_table(
            shown,
            title=f"Run {run_id}: who left {key} ({label}) by snapshot {snap.id} (as of {when})",
        )
    )
    if mailed_state(rows) == "written":
        out.print(
            "[yellow]a rehearsal: this run was only written to the outbox, never delivered; "
            "'mailed' are those it would have reached[/yellow]"
        )
    held = frame.iloc[1]
    diff = effect.shown_difference
    if not effect.has_holdout:
        out.print(
            "[dim]no holdout in this run (use --holdout PCT next time to measure the effect)[/dim]"
        )
    elif diff is None:
        out.print(
            f"[dim]a group has fewer than {context.settings.privacy.min_group} people: "
            "its outcome and the difference are not shown[/dim]"
        )
    else:
        for line in difference_lines(effect):
            out.print(line, highlight=False)
        if held["in_snapshot"] < 30:
            out.print("[dim]the holdout is small; read the difference with care[/dim]")
