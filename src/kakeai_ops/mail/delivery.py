"""Putting a planned run's messages on their way: for real (recorded in the ledger) or to a
tester's address (recorded apart from the ledger). A dry run is ``dry_run.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import closing
from typing import Any

from ..config import Settings
from ..config.mail_settings import SAMPLE_ADDRESS
from ..dates import stale_by
from ..glossary import MAIL_STATES
from ..i18n import _, term
from ..store import record_action
from ..store.ledger import Ledger
from ..workspace import Workspace
from . import headers as mail_headers
from .binding import stored_binding
from .message import as_bytes
from .operator import Operator, Source
from .plan import Plan, build_planned, outbox_folder
from .send import AWAY_REASONS, Paused, Sender, blocked_counts
from .transport_choice import transport_for

AWAY_COLUMNS = {"users": ("user_id", "employment_status")}


def unavailable(source: Source) -> dict[str, str]:
    """Who went on leave or retired by the latest snapshot (a resumed run may be older)."""
    # The two columns it reads, not the snapshot's every table and column.
    users = source.tables(source.snapshot(), columns=AWAY_COLUMNS).users
    away = users[users["employment_status"].isin(list(AWAY_REASONS))]
    return dict(zip(away["user_id"], away["employment_status"].map(AWAY_REASONS), strict=True))


def warn_sample_sender(settings: Settings, operator: Operator, pending: Iterable[Any]) -> None:
    """Messages going out by SMTP or Graph from the sender a run froze when planned, and
    that sender the sample's (a rehearsal in the outbox planned before kops.yaml was put
    right: the real run sends what was rehearsed)."""
    sample = SAMPLE_ADDRESS
    if settings.mail.transport == "outbox" or settings.mail.from_addr == sample:
        return  # kops.yaml still the sample's: said before the run (runs.check_sender)
    if any(message.sender_for(settings.mail).address == sample for message in pending):
        operator.warn(
            _(
                "this run was planned with the sample's sender {address} (mail.from_addr "
                "then): its messages go out from it; to send from another, plan a new run "
                "(another --id) after setting kops.yaml"
            ).format(address=sample)
        )


def send_pending(
    source: Source, operator: Operator, plan: Plan, limit: int | None, retry_unknown: bool
) -> None:
    """Send what is pending of a recorded run (at most ``limit``) and say how it went."""
    ws, settings = source.workspace, source.settings
    with closing(Ledger(ws)) as ledger:  # one sender at a time: the command holds the lock
        transport = transport_for(ws, settings, plan.run_id)
        sender = Sender(ws, settings, ledger, transport, unavailable=unavailable(source))
        sender.on_wait = operator.warn
        pending = sender.pending(plan, retry_unknown)
        if limit is not None:
            pending = sender.up_to(pending, limit)
        with operator.progress(_("Sending"), len(pending), transient=False) as advance:
            sender.on_progress = lambda message, state: advance(term(STATE_WORDS, state))
            ledger.set_run_status(plan.run_id, "sending")
            before = ledger.state_counts(plan.run_id)
            try:
                report = sender.send(plan, pending)
            except Paused:
                ledger.set_run_status(plan.run_id, "paused")
                raise
            except KeyboardInterrupt:  # Ctrl-C: what went out, and how to go on
                ledger.set_run_status(plan.run_id, "paused")
                _say_stopped(operator, plan.run_id, before, ledger.state_counts(plan.run_id))
                raise
            finally:
                # What reached the transport is recorded, even when the run stopped part-way.
                _audit_sends(ws, plan.run_id, before, ledger.state_counts(plan.run_id), sender)
        remaining = len(sender.pending(plan, False))
        deferred = ledger.deferred_until(plan.run_id)
        counts = ledger.state_counts(plan.run_id)
        status = run_status(remaining, len(deferred), sender.rehearsal, counts.get("sending", 0))
        ledger.set_run_status(plan.run_id, status)
    outcome = _counted(sorted(report.outcomes.items())) or _("none")
    operator.say(_("Run {run}: this time {outcome}.").format(run=plan.run_id, outcome=outcome))
    if report.held:
        operator.say(
            _("  Not sent now: {reasons} (who: `kops mail status {run}`).").format(
                reasons=blocked_counts(report.held), run=plan.run_id
            )
        )
    total = _counted((state, n) for state, n in counts.items() if n)
    operator.say(_("  In all: {counts}").format(counts=total))
    if sender.rehearsal:
        operator.say(
            _(
                "  Wrote to {folder}. A rehearsal: nobody received anything. To send for "
                "real, set mail.transport to smtp and run the same command again."
            ).format(folder=outbox_folder(ws, plan.run_id))
        )
    if deferred:
        operator.say(
            _(
                "  Held for later: {n:,} (a frequency cap or the send window): the same "
                "command sends them from {day} (who and when: `kops mail status {run}`)."
            ).format(n=len(deferred), day=min(deferred.values()).isoformat(), run=plan.run_id)
            + stale_by_then(source, min(deferred.values()), run_binding_of(source, plan.run_id))
        )
    if remaining:
        operator.say(
            _("  Not sent yet: {n:,}: run the same command again to send the rest.").format(
                n=remaining
            )
        )


# The ledger's states as people read them: `kops mail status` shows the same words.
STATE_WORDS = MAIL_STATES


def _say_stopped(
    operator: Operator, run_id: str, before: dict[str, int], after: dict[str, int]
) -> None:
    """Stopped with Ctrl-C: this time's outcomes, the run's in all, and that the same
    command goes on (「中断しました」 alone left the operator guessing what went out)."""
    moved = [(s, after[s] - before.get(s, 0)) for s in sorted(after) if after[s] > before.get(s, 0)]
    operator.say(
        _("Run {run} stopped: this time {outcome}.").format(
            run=run_id, outcome=_counted(moved) or _("none")
        )
    )
    operator.say(
        _("  In all: {counts}").format(counts=_counted((s, n) for s, n in after.items() if n))
    )
    operator.say(
        _(
            "  The same command sends the rest; nobody is sent twice (`kops mail status {run}` "
            "lists who is left)."
        ).format(run=run_id)
    )


def _counted(items: Iterable[tuple[str, int]]) -> str:
    """「送信済み 11件、後日送信 10件」: each state by its word, with its count."""
    return _(", ").join(
        _("{state} {count:,}").format(state=term(STATE_WORDS, state), count=count)
        for state, count in items
    )


def _audit_sends(
    ws: Workspace, run_id: str, before: dict[str, int], after: dict[str, int], sender: Sender
) -> None:
    """One audit entry for this invocation's sends: how many rows moved to each state."""
    moved = {
        state: after.get(state, 0) - before.get(state, 0)
        for state in ("sent", "written", "deferred", "perm_failed", "temp_failed", "suppressed")
        if after.get(state, 0) > before.get(state, 0)
    }
    if not moved:
        return
    action = "mail write" if sender.rehearsal else "mail send"
    record_action(
        ws,
        action,
        target=run_id,
        count=moved.get("written" if sender.rehearsal else "sent", 0),
        detail={"transport": sender.transport.name, **moved},
    )


def run_status(remaining: int, deferred: int, rehearsal: bool, unknown: int = 0) -> str:
    """A run's status after sending: what the next run of the same id has left to do, or
    that some message's outcome is unknown (handed over as kops stopped: 「送信完了」
    beside it read as finished)."""
    if remaining:
        return "partial"
    if deferred:
        return "deferred"
    if unknown:
        return "unknown"
    return "written" if rehearsal else "done"


def test_send(
    ws: Workspace, settings: Settings, plan: Plan, address: str, limit: int | None
) -> tuple[int, int]:
    """Send the planned messages to a tester's address; returns (sent, tried).

    Each attempt goes to the ledger's test log, never to the run's rows.
    """
    mail = settings.mail
    transport = transport_for(ws, settings, plan.run_id, "-test")
    messages = plan.by_state("planned")[: limit or None]
    mail_headers.check_headers(mail, plan.run_id, messages, test_address=address)
    sent = 0
    with closing(Ledger(ws)) as ledger:
        transport.open()
        try:
            for message in messages:
                data = as_bytes(build_planned(mail, message, test_address=address))
                try:
                    transport.send(data, message.sender_for(mail).address, address, message.item)
                except Exception as error:  # recorded, then the next one
                    ledger.log_test(plan.run_id, message.item, address, "failed", str(error))
                    continue
                ledger.log_test(plan.run_id, message.item, address, "sent")
                sent += 1
        finally:
            transport.close()
    return sent, len(messages)


def stale_by_then(source: Source, day: dt.date, binding: dict[str, Any] | None = None) -> str:
    """What sending on ``day`` meets: data too old by then, or (for a seminar's
    invitations, ``binding`` the run's) a seminar already over."""
    snap = source.snapshot(None)
    said = stale_by(snap.id, snap.as_of, day, source.settings.rules.stale_days)
    return said + _after_the_seminar(source, binding, day)


def run_binding_of(source: Source, run_id: str) -> dict[str, Any] | None:
    with closing(Ledger(source.workspace)) as ledger:
        run = ledger.run(run_id) or {}
    return stored_binding(run.get("binding"))


def _after_the_seminar(source: Source, binding: dict[str, Any] | None, day: dt.date) -> str:
    """Invitations held by a cap until after their seminar would never be sent (an
    invitation is refused once it is over): said where they are held, not found later."""
    if binding is None or binding.get("kind") != "theme" or not binding.get("seminar"):
        return ""
    config = source.settings.seminars.get(str(binding["seminar"]))
    held = config.day if config is not None else None
    if held is None or day < held:
        return ""
    return _(
        " — after the seminar ({date}): held invitations would arrive too late; raise "
        "mail.frequency_cap.programme or invite them apart"
    ).format(date=held)
