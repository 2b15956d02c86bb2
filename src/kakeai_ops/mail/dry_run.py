"""A dry run: every message as .eml, and every check the real run makes, so that the command
it prints is one that will succeed.

Checked, as the real run checks them: the run id's binding (a run planned with other choices
is refused; one planned with the same choices is resumed), the frequency caps and the send
window (who would be deferred, until when), the transport (an SMTP login), the suppression
list (already applied to the audience). Nothing is sent or recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from contextlib import closing
from pathlib import Path
from typing import Any

from ..calendar import BusinessCalendar
from ..clock import now
from ..dates import plan_age_note, stale_note
from ..errors import KopsError
from ..i18n import N_, _
from ..store.ledger import Ledger
from . import binding as run_binding
from .caps import message_capped, next_window_day
from .delivery import stale_by_then, unavailable
from .message import as_bytes
from .operator import Operator, Source
from .plan import Plan, PlannedMessage, build_planned, load_plan, outbox_folder
from .send import (
    blocked_counts,
    blocked_reason,
    blocked_word,
    in_send_window,
    pending_states,
)
from .transport import FatalFailure, OutboxTransport, TemporaryFailure


def dry_run(
    source: Source,
    operator: Operator,
    plan: Plan,
    binding: dict[str, Any],
    command: Callable[[str], str] | None,
    open_transport: Callable[[], Any],
    limit: int | None = None,
) -> None:
    """Check what the real run checks, then write every planned message as .eml.

    ``command`` gives the exact command that sends this run (from its id);
    ``open_transport`` the transport the real run would use (opened and closed here).
    """
    ws, settings = source.workspace, source.settings
    messages = plan.by_state("planned")
    moment = now()
    with closing(Ledger(ws)) as ledger:
        existing = ledger.run(plan.run_id)
        if existing is not None:
            _check_binding(plan.run_id, existing.get("binding"), binding)
            # The real run goes on where it stopped, with the plan it stored then (made
            # from that day's snapshot, to those people): the mails it sends are that
            # plan's still pending, and only those are written. Today's plan is not what
            # it sends (last month's run resumed now mails last month's 13, not today's 5).
            stored = load_plan(ws, plan.run_id)
            plan = Plan(plan.run_id, stored.messages)
            messages = _still_pending(
                ledger, plan, plan.by_state("planned"), settings.mail.transport
            )
        # As the real run checks each mail as it sends it (``Sender._blocked``): who has
        # gone on leave or left by the latest snapshot, or joined the suppression list.
        blocked = _blocked_now(source, ledger, messages)
        messages = [m for m in messages if m.item not in blocked]
        seminar = binding.get("seminar")
        held, first_day, held_items = _held_by_caps(
            source,
            ledger,
            plan.run_id,
            seminar if isinstance(seminar, str) else None,
            messages,
            moment,
        )
    if not messages:
        # Nothing the real run would send: no folder, and no command that sends nothing.
        said = (
            # No dry-run mail is written; files the command made before (an advisor's
            # report) are not "nothing".
            _("Dry run: the real run would send nothing (run {run}); no dry-run mail was written")
            if existing is None
            else _(
                "Dry run: run {run} is already planned with the same choices and has nothing "
                "left to send; no dry-run mail was written"
            )
        )
        operator.say(said.format(run=plan.run_id))
        return
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    window_open = in_send_window(settings, moment, calendar)
    transport_note = _check_transport(settings.mail.transport, open_transport)
    folder = _write_outbox(source, plan, messages, held_items)

    _say_written(operator, plan.run_id, folder, len(messages), existing, limit)
    _say_blocked(operator, blocked)
    _say_held(source, operator, held, first_day, binding, (len(messages), folder))
    if not window_open:
        day = next_window_day(settings, moment, calendar)
        operator.say(
            _("  Now is outside the send window: the real run holds everyone until {day}").format(
                day=day
            )
        )
    operator.say(_("  Sending: {transport}").format(transport=transport_note))
    _say_how_to_send(source, operator, plan.run_id, command)
    if existing is not None:  # the stored plan is sent, as old as it is: asked about first
        _say_plan_age(source, operator, plan.run_id, existing.get("as_of"), moment.date())


def _say_how_to_send(
    source: Source, operator: Operator, run_id: str, command: Callable[[str], str] | None
) -> None:
    """The command that sends the run, and what it needs while the data is old."""
    shown = command(run_id) if command is not None else None
    if shown is None:
        operator.say(_("To send: the same command with --yes (run {run})").format(run=run_id))
        return
    operator.say(_(TO_SEND) + shown)
    if "--stale-ok" not in shown:
        _say_if_stale(source, operator)


def _say_plan_age(
    source: Source, operator: Operator, run_id: str, as_of: object, today: dt.date
) -> None:
    """A stored plan made on data older than rules.stale_days: the real run asks first."""
    aged = plan_age_note(as_of, today, source.settings.rules.stale_days)
    if aged is not None:
        operator.say(
            "  "
            + _(
                "({note}: the real run asks first; --stale-ok sends this plan as it is, "
                "a new run (--id {run}-2) mails who needs it now)"
            ).format(note=aged, run=run_id)
        )


def _say_if_stale(source: Source, operator: Operator) -> None:
    """The command just printed is refused as it is while the data is older than
    rules.stale_days (the dry run only warned): say what it then needs."""
    snap = source.snapshot(None)
    if snap.as_of is None:
        return
    note = stale_note(snap.id, snap.as_of, now().date(), source.settings.rules.stale_days)
    if note is not None:
        operator.say(
            _(
                "  (the data is older than rules.stale_days: ingest the latest exports first, "
                "or add --stale-ok to send from it anyway)"
            )
        )


def _say_held(
    source: Source,
    operator: Operator,
    held: Counter[str],
    first_day: dt.date | None,
    binding: dict[str, Any],
    written: tuple[int, Path],
) -> None:
    """Who a frequency cap would hold now, and from which day the same command sends them;
    ``written``: how many files the dry run wrote, and where."""
    if not held:
        operator.say(_("  Frequency caps: nobody is held"))
        return
    # 「ここに書き出した 9通」 then 「今送ると 9件が後日送信」 read as 9 sent now and 9 held.
    count, folder = written
    operator.say(
        _(
            "  Of the {n:,} written here, the real run sends {now:,} now; those it holds "
            "are in {held_folder}"
        ).format(n=count, now=count - sum(held.values()), held_folder=folder / HELD_FOLDER)
    )
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(held.items()))
    operator.say(
        _(
            "  Sent now, {n:,} would be held for later ({reasons}); the same command "
            "sends them from {day}"
        ).format(n=sum(held.values()), reasons=reasons, day=first_day)
        + (stale_by_then(source, first_day, binding) if first_day is not None else "")
    )


def _say_written(
    operator: Operator,
    run_id: str,
    folder: Path,
    written: int,
    existing: dict[str, Any] | None,
    limit: int | None,
) -> None:
    """What the dry run wrote, and what of it the real run sends now."""
    operator.say(
        _("Dry run: wrote {n:,} message(s) to {folder}. Nothing was sent or recorded.").format(
            n=written, folder=folder
        )
    )
    if limit is not None and limit < written:
        # Every planned mail is written to be read; what the real run sends now is fewer.
        operator.say(
            _(
                "  --limit {limit:,}: the real run sends {limit:,} of them now; the same "
                "command again sends the next {limit:,}"
            ).format(limit=limit)
        )
    operator.say(_("Checked as the real run would:"))
    if existing is None:
        operator.say(_("  Run {run}: new. The real run plans it and sends").format(run=run_id))
        return
    operator.say(
        _(
            "  Run {run}: already planned with the same choices on {day} from snapshot "
            "{snapshot}. The real run sends the rest of that plan (what is not sent yet, "
            "to the people chosen then): the {n:,} written here"
        ).format(
            run=run_id,
            n=written,
            day=str(existing.get("created_at") or "")[:10],
            snapshot=existing.get("snapshot") or "-",
        )
    )


def _blocked_now(
    source: Source, ledger: Ledger, messages: list[PlannedMessage]
) -> dict[str, tuple[str, str]]:
    """The planned mails the real run would not send now, by item: (user id, why)."""
    away, suppressed = unavailable(source), ledger.suppressed()
    out = {}
    for message in messages:
        why = blocked_reason(source.workspace, away, suppressed, message)
        if why is not None:
            out[message.item] = (message.user_id, blocked_word(why))
    return out


def _say_blocked(operator: Operator, blocked: dict[str, tuple[str, str]]) -> None:
    if not blocked:
        return
    reasons = Counter(why for _user, why in blocked.values())
    operator.say(
        _("  Not written: {n:,} the real run skips now ({reasons}): {users}").format(
            n=len(blocked),
            reasons=blocked_counts(reasons),
            users=_(", ").join(sorted({user for user, _why in blocked.values()})),
        )
    )


def _still_pending(
    ledger: Ledger, plan: Plan, messages: list[PlannedMessage], transport: str
) -> list[PlannedMessage]:
    """Of a recorded run's messages, those its real run would still send: not sent,
    bounced, suppressed or (through the outbox) written already (``Sender.pending``)."""
    states = [*pending_states(rehearsal=transport == "outbox"), "deferred"]
    recorded = {row.item for row in ledger.rows(plan.run_id)}
    wanted = {row.item for row in ledger.rows(plan.run_id, states)}
    return [m for m in messages if m.item in wanted or m.item not in recorded]


def check_run_binding(source: Source, run_id: str, binding: dict[str, Any]) -> bool:
    """Before a dry run plans anything: a run id planned with other choices is refused by
    the real run, whatever else the dry run would say (a holdout too small, told to add
    --holdout-anyway, then met this refusal). True when it was planned with these."""
    with closing(Ledger(source.workspace)) as ledger:
        existing = ledger.run(run_id)
    if existing is not None:
        _check_binding(run_id, existing.get("binding"), binding)
    return existing is not None


def _check_binding(run_id: str, stored: Any, binding: dict[str, Any]) -> None:
    """A run id already planned with other choices is refused by the real run: say so now."""
    try:
        run_binding.check_binding(run_id, stored, binding)
    except run_binding.RunConflict as conflict:
        raise KopsError(
            _("dry run: the real run would be refused: {reason}").format(reason=conflict.message),
            hint=conflict.hint,
        ) from None


def _held_by_caps(
    source: Source,
    ledger: Ledger,
    run_id: str,
    seminar: str | None,
    messages: list[PlannedMessage],
    moment: dt.datetime,
) -> tuple[Counter[str], dt.date | None, set[str]]:
    """Who a frequency cap would defer now, counted by the cap's name, the first day from
    which any of them could be sent (None when no one is held), and their items."""
    held: Counter[str] = Counter()
    first_day = None
    items: set[str] = set()
    calendar = BusinessCalendar(source.settings.calendar.company_holidays)
    for message in messages:
        found = message_capped(source.settings, ledger, run_id, seminar, message, moment, calendar)
        if found is not None:
            held[found.reason.split(":")[0]] += 1
            first_day = min(first_day or found.sendable_from, found.sendable_from)
            items.add(message.item)
    return held, first_day, items


# Where a dry run puts the files of mails a cap would hold: apart from those sent now.
HELD_FOLDER = "後日送信"


def _write_outbox(
    source: Source, plan: Plan, messages: list[PlannedMessage], held: AbstractSet[str] = frozenset()
) -> Path:
    """Every planned message as .eml in the run's dry-run folder, which then holds this
    dry run's mails only (an earlier one of the same run, with another --holdout or older
    data, would leave mails nobody is sent); those a cap would hold (``held``, items) in its
    subfolder 後日送信 (27 files read as 27 sent now where 9 wait); the folder."""
    from ..outputs.atomic import replacing_folder

    folder = outbox_folder(source.workspace, plan.run_id, "-dry-run")
    mail = source.settings.mail
    with replacing_folder(folder) as staging:
        now_box, later_box = OutboxTransport(staging), OutboxTransport(staging / HELD_FOLDER)
        now_box.open()
        if held:
            later_box.open()
        for message in messages:
            outbox = later_box if message.item in held else now_box
            outbox.send(
                as_bytes(build_planned(mail, message)),
                message.sender_for(mail).address,
                message.email,
                message.item,
            )
    return folder


# The line that ends a dry run, before the exact command that sends it (a label, then
# the command as it is typed).
TO_SEND = N_("To send: ")


def _check_transport(name: str, open_transport: Callable[[], Any]) -> str:
    """Open and close the real run's transport: an SMTP login is tried, never a message."""
    if name == "outbox":
        return _("outbox: only writes files, nobody receives anything (a rehearsal)")
    transport = open_transport()
    try:
        transport.open()
    except (TemporaryFailure, FatalFailure) as error:
        raise KopsError(
            _("dry run: the real run would fail to reach the mail server: {error}").format(
                error=error
            ),
            hint=_("check mail.smtp in kops.yaml and the password, then dry-run again"),
        ) from None
    finally:
        transport.close()
    return _("{transport}: connected and signed in").format(transport=name)
