"""``kops mail status|suppress|unsuppress|suppressed|report``: the ledger after a run."""

from __future__ import annotations

import shlex
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from .. import glossary
from ..analyses.mail_effect import mailed_state, measured_too_soon
from ..clock import JST, now
from ..dates import plan_age_note
from ..glossary import STUCK_POINTS, column_label
from ..i18n import N_, _, language, term
from ..ids import typed_id
from ..jobs.monthly_review.mail_counts import left_out
from ..jobs.seminars.invitations import seminar_over
from ..mail import runs
from ..mail.audience import NEEDED_COLUMNS, reason_word
from ..mail.delivery import STATE_WORDS
from ..mail.evaluation import (
    RunEffect,
    RunStatus,
    difference_lines,
    measured_run,
    run_effect_in,
    run_status,
    share_with_n,
)
from ..mail.holdout import measurable_share
from ..mail.snapshot_facts import tables_content
from ..mail.template_names import item_words, run_about, template_name
from ..model import records
from ..outputs.workbook import Print
from ..privacy.effect import EFFECT_FIGURES
from ..store.lock import writer_at_work
from .console import frame_table, people_table
from .mail_words import error_words, suppression_for_people
from .options import AsOfOpt, AudienceOpt, Format, FormatOpt, OutOpt, SnapshotOpt, WorkspaceOpt
from .output_audience import records_audience
from .run_commands import resume_command
from .shared import emit, emit_data, err, note, out, parse_as_of, session, warn

# Words for a run's status (the keys stay in --format json; the states' words are
# mail.delivery.STATE_WORDS).
RUN_STATUS_WORDS: dict[object, str] = {
    "planned": "計画のみ",
    "sending": "送信中",
    # Left 「送信中」 with no send under way: stopped part-way (its unknowns, the rest).
    "interrupted": "中断（同じコマンドで続きを送る）",
    "paused": "一時停止",
    "partial": "途中（未送信あり）",
    "deferred": "後日送信あり",
    "written": "書き出しのみ（未送信）",
    "unknown": "結果不明あり",
    "done": "送信完了",
}
MAIL_LABELS = {
    # Everyone the run planned for, the holdout too: not a count of mails sent.
    "messages": "人数（比較群を含む）",
    "status": "実行の状態",
    "planned": "未送信",
    "sending": "送信中（結果不明）",
    "temp_failed": "一時エラー",
    "perm_failed": "送信失敗",
    "delivered": "届いた数",
    "count": glossary.column_label("count"),
    "group": "区分",
    "users": "人数",
    **{
        key: glossary.column_label(key)
        for key in (
            "left_stuck_point",
            "share_left",
            "still_flagged",
            "slid_back",
            "in_snapshot",
            "left_out",
            "left_out_reasons",
        )
    },
}
EFFECT_GROUPS = glossary.EFFECT_GROUPS
# Always shown in the list of runs; a state's column only when some run has one.
RUN_COLUMNS = ["run_id", "created_at", "as_of", "segment_key", "messages", "status"]


def runs_table(frame: pd.DataFrame) -> Any:
    """The runs as the secretariat reads them: which run, when, on whose data, how many
    messages in which state (a state no run has is left out, so the table fits)."""
    table = frame[_run_columns(frame)].copy()
    table["created_at"] = [str(v)[:16].replace("T", " ") for v in table["created_at"]]
    return people_table(
        table,
        title=_("Mail runs"),
        labels={**MAIL_LABELS, **{k: v for k, v in STATE_WORDS.items() if isinstance(k, str)}},
        values={"status": RUN_STATUS_WORDS},
    )


def with_left_out(frame: pd.DataFrame, ledger: Any) -> pd.DataFrame:
    """Each run with the people it left out when it was planned (no address, on leave, …:
    no mail and no ledger row), counted and by reason, as `kops mail send` printed them:
    beside 付与済み 78 a run of 77 says where the 78th went."""
    reasons = [left_out((ledger.run(r) or {}).get("description")) for r in frame["run_id"]]
    return frame.assign(
        left_out=[sum(found.values()) for found in reasons],
        left_out_reasons=[
            ("、" if language() == "ja" else ", ").join(
                _("{reason}: {count:,}").format(reason=reason_word(k), count=n)
                for k, n in found.items()
            )
            for found in reasons
        ],
    )


def _run_columns(frame: pd.DataFrame) -> list[str]:
    """The runs' columns a reader needs: which run, when, on whose data, and the states
    some run is in (a state no run has is left out, so the table fits)."""
    states = [str(s) for s in (*STATE_WORDS, "bounced", "delivered") if s in frame.columns]
    shown = [s for s in states if (frame[s] != 0).any()]
    if "delivered" in shown and not (frame["bounced"] != 0).any():
        shown.remove("delivered")  # as many as were sent: said once
    if "left_out" in frame.columns and (frame["left_out"] != 0).any():
        shown += ["left_out", "left_out_reasons"]
    return RUN_COLUMNS + shown


def runs_for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """The list of runs as a file shows it (`mail status --out`): the table's columns in
    Japanese, each run's state in words, its creation a date and time Excel reads."""
    table = frame[_run_columns(frame)].copy()
    table["created_at"] = (
        pd.to_datetime(table["created_at"], errors="coerce", utc=True)
        .dt.tz_convert(JST)
        .dt.tz_localize(None)
        .dt.floor("min")
    )
    table["status"] = [RUN_STATUS_WORDS.get(v, v) for v in table["status"]]
    words = {**MAIL_LABELS, **{k: v for k, v in STATE_WORDS.items() if isinstance(k, str)}}
    # Keys the glossary names keep their key (it labels them and their values); the run's
    # own words (人数（比較群を含む）, 実行の状態, the states) are given here.
    return table.rename(
        columns={c: words[c] for c in table.columns if c in words and c not in glossary.COLUMNS}
    )


@records_audience("mail status")
def status_command(
    run_id: Annotated[str | None, typer.Argument(help="A run id (default: list the runs).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """Counts per state for each run, and whom each left out; with RUN_ID, its failures,
    unknowns and deferrals (--out: the list of runs, or everyone of the run with their state).

    written = in the outbox only (a rehearsal, not delivered); deferred = held back by a
    frequency cap or the send window until the day shown.

    Example: kops mail status no_prep.member-2026-11 --out status.xlsx
    """
    context = session(workspace)
    sending_now = writer_at_work(context.workspace)
    if run_id is None:
        with runs.open_ledger(context.workspace) as ledger:
            frame = with_left_out(ledger.runs(), ledger)
        if not sending_now:  # left 「送信中」 by a send that was stopped (killed, shut down)
            frame["status"] = frame["status"].where(frame["status"] != "sending", "interrupted")
        # --out: the list as people read it; --format csv|json: the runs as stored.
        if not emit(runs_for_people(frame), fmt, out_file, shown=frame, sheet="runs"):
            out.print(runs_table(frame))
        return
    found = run_status(context.workspace, run_id)
    with runs.open_ledger(context.workspace) as ledger:
        bounced = ledger.bounce_counts().get(found.run_id, (0, 0))
        # The printed header says the run's 基準日, as every other file kops writes.
        as_of = (ledger.run(found.run_id) or {}).get("as_of")
    # A file is for people; --format csv|json gives the rows as stored.
    for_file = status_for_people(found.rows, found.run_id, context.settings)
    if emit(
        for_file,
        fmt,
        out_file,
        shown=found.rows,
        sheet="ledger",
        text_columns=["user_id", "item"],
        options=Print(as_of=as_of),
    ):
        return
    _show_run(
        found,
        *bounced,
        sending_now=sending_now,
        rehearsing=context.settings.mail.transport == "outbox",
        over=_invitations_over(found, context.settings),
        stopped=_recording_stopped(found, context),
        stale_days=context.settings.rules.stale_days,
    )


def status_for_people(rows: pd.DataFrame, run_id: str, settings: Any) -> pd.DataFrame:
    """A run's rows as a file shows them: its errors in Japanese; each template by the
    name the review deck gives it (「事前準備なし・部下向け」, not no_prep.member); the
    item only where it says more than the 社員番号 beside it (a milestone mail's
    milestones), left out when it never does; times as date-times Excel reads (the ledger
    keeps ISO text with its offset: 2026-10-21T10:00:00+09:00)."""
    about = run_about(
        run_id,
        {key: seminar.title or key for key, seminar in settings.seminars.items()},
        {key: campaign.title for key, campaign in settings.campaigns.items()},
    )
    shown = rows.assign(
        error=[error_words(e) for e in rows["error"]],
        template=[template_name(str(t), about) for t in rows["template"]],
        item=[
            item_words(str(i), str(u)) for i, u in zip(rows["item"], rows["user_id"], strict=True)
        ],
    )
    for column in ("updated_at", "sent_at"):
        stamps = pd.to_datetime(shown[column], errors="coerce", utc=True)
        shown[column] = stamps.dt.tz_convert(JST).dt.tz_localize(None).dt.floor("min")
    shown["sendable_from"] = pd.to_datetime(shown["sendable_from"], errors="coerce")
    # A holdout's mail was never made: no Message-ID to look for. A mail only written to
    # the outbox was never handed to a server: no attempt to send it (it read 1).
    if "message_id" in shown:  # …nor one never sent for a reason (left, on leave, listed)
        never = shown["state"].isin(["holdout", "suppressed"])
        shown["message_id"] = shown["message_id"].where(~never, None)
    if "attempts" in shown:
        shown["attempts"] = shown["attempts"].where(shown["state"] != "written", 0)
    if not shown["item"].astype(bool).any():
        shown = shown.drop(columns=["item"])
    return shown


def _show_run(
    found: RunStatus,
    hard: int,
    soft: int,
    rehearsing: bool = True,
    over: bool = False,
    stopped: str | None = None,
    stale_days: int = 0,
    sending_now: bool = False,
) -> None:
    """A run's counts per state, its bounces, and who was not sent or is sent later."""
    rows = found.rows
    counts = rows["state"].value_counts().rename_axis("state").reset_index(name="count")
    out.print(
        people_table(
            counts,
            title=_("Run {run}").format(run=found.run_id),
            labels=MAIL_LABELS,
            values={"state": STATE_WORDS},
        )
    )
    if hard or soft:
        sent = int((rows["state"] == "sent").sum())
        out.print(
            _(
                "bounced after sending: {hard:,} for good, {soft:,} temporarily "
                "(`kops mail bounces`); delivered: {delivered:,} of {sent:,} sent"
            ).format(hard=hard, soft=soft, delivered=sent - hard, sent=sent)
        )
    if len(found.not_sent):
        not_sent = found.not_sent[["user_id", "name", "email", "state", "attempts", "error"]]
        out.print(
            people_table(
                not_sent.assign(error=[error_words(e) for e in not_sent["error"]]),
                title=_("Not sent"),
                max_rows=200,
            )
        )
    _say_unknown(rows, sending_now)
    if len(found.deferred):
        out.print(_deferred_table(found.deferred))
    written = int((rows["state"] == "written").sum())
    # Nothing sends them now: not 「続けると送ります」 beside 「もう送りません」.
    if written and (over or stopped is not None):
        out.print(
            _("{written:,} written to the outbox only (a rehearsal, not delivered).").format(
                written=written
            )
        )
    elif written:
        out.print(
            (
                _(
                    "{written:,} written to the outbox only (a rehearsal, not delivered): "
                    "with mail.transport smtp, going on with the run sends them."
                )
                if rehearsing
                # Already smtp: 「mail.transport を smtp にして」 asked for what was done.
                else _(
                    "{written:,} written to the outbox only (a rehearsal, not delivered): "
                    "going on with the run sends them."
                )
            ).format(written=written)
        )
    if stopped is not None:
        out.print(stopped)
    else:
        _say_how_to_go_on(found, over, stale_days)
    if found.test_sends:
        out.print(_("(test sends recorded apart: {tests})").format(tests=found.test_sends))


def _say_unknown(rows: pd.DataFrame, sending_now: bool = False) -> None:
    """Those whose outcome is unknown, and why: kops stopped, or the answer was lost; while
    a send is under way, one of them is the mail being handed over now."""
    unknown = rows[rows["state"] == "unknown"]
    if len(unknown) and sending_now:
        out.print(
            _(
                "A send is under way in this workspace: {unknown:,} handed to the server are "
                "waiting for its answer or were left by an earlier stop; `kops mail status` "
                "again once it has finished says which."
            ).format(unknown=len(unknown))
        )
    elif len(unknown):
        # Without an error, kops itself stopped mid-send (killed, the PC shut down): no
        # connection was lost, and the administrator would look for a fault that never was.
        lost = int(unknown["error"].fillna("").astype(str).str.strip().ne("").sum())
        out.print(
            _(
                "{unknown:,} may have been delivered: handed to the server, then kops stopped "
                "({stopped:,}) or no answer came back, the connection lost ({lost:,}), before "
                "the server confirmed it. Ask the server's administrator or the recipients; "
                "the same `kops mail send` with --retry-unknown sends them again."
            ).format(unknown=len(unknown), stopped=len(unknown) - lost, lost=lost)
        )


def _recording_stopped(found: RunStatus, context: Any) -> str | None:
    """Why a seminar's recording run cannot go on, when it cannot: its invitations only
    written to the outbox while mail is now sent for real, so nobody was invited and
    `seminar remind` refuses (its status said to run it: 「kops seminar remind … --yes」)."""
    from ..jobs.seminars.mailings import ONLY_REHEARSED, only_rehearsed

    binding = found.binding or {}
    seminar = str(binding.get("seminar") or "")
    if binding.get("kind") != "list" or seminar not in context.settings.seminars:
        return None
    if not only_rehearsed(context.workspace, context.settings, seminar):
        return None
    return _(ONLY_REHEARSED).format(seminar=seminar)


def _invitations_over(found: RunStatus, settings: Any) -> bool:
    """Whether the run invites to a seminar that has taken place (its date is past)."""
    binding = found.binding or {}
    config = settings.seminars.get(str(binding.get("seminar"))) if binding.get("seminar") else None
    if binding.get("kind") != "theme" or config is None:
        return False
    # The rule `seminar invite` refuses by: invitations not sent by then never are.
    return seminar_over(config, now().astimezone(JST))


def _say_how_to_go_on(found: RunStatus, over: bool = False, stale_days: int = 0) -> None:
    """The command that goes on with the run, where anything is left for it to send:
    「the same command」 a month later plans that month's run instead (its default id).
    ``over``: a seminar's invitations after the seminar, which nothing sends any more."""
    left = found.rows["state"].isin(["planned", "temp_failed", "deferred", "written"])
    if not left.any():
        return
    if over:
        out.print(_("The seminar is over: invitations not sent by now are not sent any more"))
        return
    command = resume_command(found.run_id, found.binding)
    if command is None:
        said = _(
            "To go on with this run: run the command that planned it again (kops seminar "
            "invite or remind, report … --mail: the run id {run} follows from it)"
        )
        out.print(said.format(run=found.run_id), markup=False, highlight=False)
    else:
        out.print(_("To go on with this run: ") + command, markup=False, highlight=False)
        aged = plan_age_note(found.as_of, now().date(), stale_days) if stale_days else None
        if aged is not None and "--stale-ok" not in command:
            # That command as it is asks first (refused without a terminal): said here,
            # not a command that stops.
            out.print(
                "  "
                + _(
                    "({note}: it asks first; --stale-ok sends this plan as it is, a new run "
                    "(--id {run}-2) mails who needs it now)"
                ).format(note=aged, run=found.run_id),
                markup=False,
                highlight=False,
            )


def column_word(key: str) -> str:
    """A column's header on the screen: the glossary's word, or its key in English."""
    return column_label(key) if language() == "ja" else key


def _deferred_table(deferred: pd.DataFrame) -> Any:
    shown = deferred.rename(columns={"error": "reason"})
    headers = {"sendable_from": N_("Sendable from"), "reason": N_("Reason")}
    return frame_table(
        shown[["user_id", "name", "email", "sendable_from", "reason"]],
        title=_("Held for later (the same command sends them from the day shown)"),
        headers={
            key: (_(headers[key]) if key in headers else column_word(key))
            for key in ("user_id", "name", "email", "sendable_from", "reason")
        },
        max_rows=200,
    )


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
    from ..mail.suppression import suppress_by_hand

    context = session(workspace)
    typed = _key(target)
    done = suppress_by_hand(context.workspace, typed, reason)
    key = done.key
    if key != typed:
        _said_as(typed, key)
    person = (
        _(" (user {user})").format(user=done.user_id)
        if done.user_id and done.user_id != key
        else ""
    )
    also = _("; also {keys}").format(keys=", ".join(done.also)) if done.also else ""
    said = (
        _("{key}{person}: added to the suppression list{also}")
        if done.added
        else _("{key}{person}: already on the suppression list{also}")
    )
    err.print(
        said.format(key=escape(key), person=escape(person), also=escape(also)), highlight=False
    )
    if "@" not in key and done.user_id is None:
        # A mistyped id suppresses nobody, and the person meant is still mailed.
        warn(
            _(
                "{key} is not a user id in the latest snapshot: kept as typed, for someone "
                "not in the exports yet; if it is a typo, `kops mail unsuppress {key}` takes "
                "it off"
            ).format(key=shlex.quote(key))
        )


def unsuppress_command(
    target: Annotated[str, typer.Argument(help="An email address or a user id.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Take an address or user off the suppression list.

    Example: kops mail unsuppress hanako@example.co.jp
    """
    from ..mail.suppression import unsuppress

    context = session(workspace)
    typed = _key(target)
    key = unsuppress(context.workspace, typed)
    if key != typed:
        _said_as(typed, key)
    err.print(
        _("{key}: removed from the suppression list").format(key=escape(key)), highlight=False
    )


def suppressed_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the suppression list: who is never mailed, and why.

    Example: kops mail suppressed --format csv
    """
    context = session(workspace)
    with runs.open_ledger(context.workspace) as ledger:
        frame = ledger.suppression_frame()
    if fmt is Format.table:
        out.print(
            frame_table(
                suppression_for_people(frame),
                title=_("Suppression list ({n})").format(n=len(frame)),
                whole=("社員番号",),
            )
        )
    else:
        emit_data(frame, fmt)  # the stored words, for machines


def _said_as(typed: str, key: str) -> None:
    err.print(
        _("'{typed}' is taken as {key} (its leading zeros added)").format(
            typed=escape(typed), key=escape(key)
        ),
        highlight=False,
    )


def _key(target: str) -> str:
    """A suppression key as typed: an id as ids are spelled; an email also lower-cased."""
    text = typed_id(target)
    return text.lower() if "@" in text else text


@records_audience("mail report")
def report_command(
    run_id: Annotated[str, typer.Argument(help="The run to evaluate.")],
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    audience: AudienceOpt = None,
) -> None:
    """Did it work? Of those mailed for a stuck point, the share who left it, against the holdout.

    Run it after ingesting a later export.

    Example: kops mail report no_prep.member-2026-11
    """
    context = session(workspace)
    run, rows = measured_run(context.workspace, run_id)
    run_id = run["run_id"]
    snap = context.snapshot(snapshot)
    # Nothing can have moved yet: the snapshot the run was planned on (the deck says
    # 「まだ測定できない」 of such a run; a difference here would read as a result).
    not_yet = snap.id == run["snapshot"] and as_of is None
    if not_yet:
        note(
            _(
                "the latest snapshot ({snapshot}) is the one the run was planned on: "
                "ingest a later export first"
            ).format(snapshot=snap.id)
        )
    when = parse_as_of(as_of, snap)
    if not not_yet and measured_too_soon(rows, when):
        # Planned earlier (a rehearsal through the outbox), sent after this data ends.
        not_yet = True
        note(
            _(
                "the data of snapshot {snapshot} ends on {as_of}, before the mails were "
                "sent: ingest an export from after the send first"
            ).format(snapshot=snap.id, as_of=when)
        )
    # The columns the stuck points are worked out from, not every table whole.
    tables = context.tables(snap, columns=NEEDED_COLUMNS)
    content = tables_content(snap, NEEDED_COLUMNS)
    effect = run_effect_in(run, rows, tables, context.settings, when, content)
    mailed = mailed_state(rows)
    # On the snapshot it was planned on, no one can have left yet; of a run only written to
    # the outbox, no one received anything: no outcome either way, rather than 「0%（0/9人）」
    # or a share beside the holdout's, read as a result.
    blank = not_yet or mailed == "written"
    figures = effect.shown.assign(**dict.fromkeys(EFFECT_FIGURES)) if blank else effect.shown
    if fmt is not Format.table:
        emit_data(figures, fmt)
        return
    label = term(STUCK_POINTS, effect.stuck_point)
    shown = figures.assign(share_left=[share_with_n(r) for r in records(figures)])
    out.print(
        people_table(
            shown,
            title=_(
                "After run {run}: who left '{stuck_point}' (snapshot {snapshot}, as of {as_of})"
            ).format(run=run_id, stuck_point=label, snapshot=snap.id, as_of=when),
            labels=MAIL_LABELS,
            values={"group": EFFECT_GROUPS},
        )
    )
    # A rehearsal of data older than the newest: its mails say what was true then.
    older = run["snapshot"] if run["snapshot"] != context.snapshot(None).id else None
    _say_how_far_it_shows(
        effect, run_id, mailed, context.settings.privacy.min_group, not_yet, older
    )


def _say_how_far_it_shows(
    effect: RunEffect,
    run_id: str,
    mailed: str,
    min_group: int,
    not_yet: bool = False,
    older: str | None = None,
) -> None:
    """Whether the mail was delivered at all, and whether the holdout lets the difference
    show (too few people hide it), then the difference (none before a later snapshot).
    ``older``: the snapshot a rehearsal was planned on, where a newer one is ingested."""
    if mailed == "written" and older is not None:
        # 「送ってから」 told to send mails that state last month's facts; the review's
        # action says to plan them again from the latest data.
        said = _(
            "This run was only written to the outbox: nobody received it, so it has no "
            "effect to measure. Its mails state what was true in snapshot {snapshot}, and "
            "a newer one is ingested: to send, plan a new run from the latest data, and "
            "measure that one after the ingest that follows it."
        ).format(snapshot=older)
    elif mailed == "written":
        said = _(
            "This run was only written to the outbox: nobody received it, so it has no "
            "effect to measure. 'mailed' are those it would have reached; send it, then "
            "`kops mail report {run}` after the next ingest."
        ).format(run=shlex.quote(run_id))
    if mailed == "written":
        out.print(f"[yellow]{escape(said)}[/yellow]")
        return
    held = effect.shown.iloc[1]
    diff = effect.shown_difference
    if not effect.has_holdout:
        # A share that can show on an audience this size: 「--holdout 10」 of 27 people
        # holds out 3, under min_group, and the send is refused.
        share = measurable_share(int(effect.measured_groups.iloc[0]["users"]), min_group)
        said = (
            _(
                "This run has no holdout (people not mailed, for comparison); next time "
                "--holdout {pct} on an audience this size lets its effect be measured"
            ).format(pct=share)
            if share is not None
            else _(
                "This run has no holdout (people not mailed, for comparison); its audience is "
                "too small for both groups to reach privacy.min_group ({min_group})"
            ).format(min_group=min_group)
        )
        out.print(f"[dim]{escape(said)}[/dim]")
    elif not_yet:
        said = _(
            "No difference yet: it is measured on an export ingested after the run "
            "(`kops ingest`, then `kops mail report {run}` again)"
        ).format(run=shlex.quote(run_id))
        out.print(f"[dim]{escape(said)}[/dim]")
    elif diff is None:
        said = _(
            "A group has fewer than {n} people: its result and the difference are not shown"
        ).format(n=min_group)
        out.print(f"[dim]{escape(said)}[/dim]")
    else:
        for line in difference_lines(effect):
            out.print(line, highlight=False)
        if held["in_snapshot"] < 30:
            said = _(
                "The holdout has only {n} people: read the difference as a rough guide"
            ).format(n=int(held["in_snapshot"]))
            out.print(f"[dim]{escape(said)}[/dim]")
