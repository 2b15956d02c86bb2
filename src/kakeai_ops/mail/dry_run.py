"""A dry run: every message as .eml, and every check the real run makes, so that the command
it prints is one that will succeed.

Checked, as the real run checks them: the run id's binding (a run planned with other choices
is refused; one planned with the same choices is resumed), the frequency caps and the send
window (who would be deferred, until when), the transport (an SMTP login), the suppression
list (already applied to the audience). Nothing is sent or recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import closing
from typing import Any

from ..calendar import BusinessCalendar
from ..clock import now
from ..errors import KopsError
from ..store.ledger import Ledger
from . import binding as run_binding
from .caps import capped, next_window_day
from .message import as_bytes
from .operator import Operator, Source
from .plan import Plan, build_planned, outbox_folder
from .send import in_send_window
from .transport import FatalFailure, OutboxTransport, TemporaryFailure


def dry_run(
    source: Source,
    operator: Operator,
    plan: Plan,
    binding: dict[str, Any],
    command: Callable[[str], str] | None,
    open_transport: Callable[[], Any],
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
            try:
                run_binding.check_binding(plan.run_id, existing.get("binding"), binding)
            except run_binding.RunConflict as conflict:
                raise KopsError(
                    f"dry run: the real run would be refused: {conflict.message}",
                    hint=conflict.hint,
                ) from None
        seminar = binding.get("seminar")
        held: Counter[str] = Counter()
        first_day = None
        for message in messages:
            found = capped(
                settings,
                ledger,
                plan.run_id,
                seminar if isinstance(seminar, str) else None,
                message.user_id,
                message.template,
                message.kind,
                moment,
            )
            if found is not None:
                held[found.reason.split(":")[0]] += 1
                first_day = min(first_day or found.sendable_from, found.sendable_from)
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    window_open = in_send_window(settings, moment, calendar)
    transport_note = _check_transport(settings.mail.transport, open_transport)

    folder = outbox_folder(ws, plan.run_id, "-dry-run")
    outbox = OutboxTransport(folder)
    outbox.open()
    mail = settings.mail
    for message in messages:
        outbox.send(
            as_bytes(build_planned(mail, message)),
            message.sender_for(mail).address,
            message.email,
            message.item,
        )
    operator.say(
        f"Dry run: {len(messages):,} message(s) written to {folder}; nothing was sent or recorded."
    )
    operator.say("Checked as the real run checks:")
    if existing is None:
        operator.say(f"  run id {plan.run_id}: new; the real run plans and sends it")
    else:
        operator.say(
            f"  run id {plan.run_id}: already planned with the same choices; "
            "the real run resumes it (what it has left to send)"
        )
    if held:
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(held.items()))
        operator.say(
            f"  {sum(held.values()):,} would be deferred now ({reasons}); "
            f"the same command sends them from {first_day}"
        )
    else:
        operator.say("  frequency caps: nobody held back")
    if not window_open:
        day = next_window_day(settings, moment, calendar)
        operator.say(
            f"  outside the send window now: the real run would defer everyone until {day}"
        )
    operator.say(f"  transport: {transport_note}")
    shown = command(plan.run_id) if command is not None else None
    if shown is None:
        operator.say(f"To send: the same command with --yes (run id {plan.run_id}).")
    else:
        operator.say(f"To send: {shown}")


def _check_transport(name: str, open_transport: Callable[[], Any]) -> str:
    """Open and close the real run's transport: an SMTP login is tried, never a message."""
    if name == "outbox":
        return "outbox: messages are written, not delivered (a rehearsal)"
    transport = open_transport()
    try:
        transport.open()
    except (TemporaryFailure, FatalFailure) as error:
        raise KopsError(
            f"dry run: the real run would fail to reach the mail server: {error}",
            hint="check mail.smtp in kops.yaml and the password, then dry-run again",
        ) from None
    finally:
        transport.close()
    return f"{name}: connected and logged in"
