"""Sending a planned run through a transport, exactly once per recipient.

For each pending row: re-check the suppression list and the frequency cap (they
can change between planning and sending), commit ``sending``, hand the message
to the transport, then commit the outcome: ``sent``, or ``written`` for the outbox
(a rehearsal: the same run id through a real transport sends it later). Someone
over a cap, or every row outside the send window, is ``deferred`` with the day
from which the same command sends it. Temporary failures are retried with
exponential backoff; after ``pause_after_failures`` in a row the run pauses
cleanly and the same command resumes it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..calendar import BusinessCalendar
from ..clock import JST, now
from ..config import Mail, Settings
from ..errors import KopsError
from ..i18n import N_, _
from ..store import record_milestones_delivered
from ..store.award_records import milestones_already_delivered
from ..store.ledger import PENDING, Ledger, run_seminar
from ..workspace import Workspace
from .caps import message_capped, next_window_day
from .headers import check_headers
from .message import as_bytes
from .plan import Plan, PlannedMessage, build_planned
from .transport import FatalFailure, PermanentFailure, TemporaryFailure, Transport, UnknownOutcome


class Paused(KopsError):
    """The run stopped cleanly part-way; running the same command again resumes it."""


@dataclass
class SendReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    # The messages not sent now, by why (``blocked_word``): the ledger's one state
    # ``suppressed`` holds people who left, are on leave or on the suppression list.
    held: Counter[str] = field(default_factory=Counter)


def in_send_window(settings: Settings, moment: dt.datetime, calendar: BusinessCalendar) -> bool:
    window = settings.mail.send_window
    if not window.enabled:
        return True
    local = moment.astimezone(JST)
    if window.business_days_only and not calendar.is_business_day(local.date()):
        return False
    return window.start_hour <= local.hour < window.end_hour


# The longest wait between attempts a run sits through; a longer Retry-After pauses it.
LONGEST_WAIT = 600.0


def backoff_seconds(mail: Mail, attempt: int) -> float:
    """How long to wait before retry ``attempt`` (1, 2, …): doubling, up to the maximum."""
    return min(mail.retry_max_seconds, mail.retry_base_seconds * 2 ** (attempt - 1))


def pending_states(rehearsal: bool, retry_unknown: bool = False) -> list[str]:
    """The ledger states a run still sends from: planned or failed for a while, of unknown
    outcome with ``retry_unknown``, and (through a real transport, not a ``rehearsal``)
    written to the outbox only. Deferred rows are sent from their day on."""
    return [*PENDING, *(["sending"] if retry_unknown else []), *([] if rehearsal else ["written"])]


class Sender:
    def __init__(
        self,
        ws: Workspace,
        settings: Settings,
        ledger: Ledger,
        transport: Transport,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_progress: Callable[[PlannedMessage, str], None] | None = None,
        unavailable: dict[str, str] | None = None,
    ) -> None:
        self.ws = ws
        self.settings = settings
        self.ledger = ledger
        self.transport = transport
        self.sleep = sleep
        self.clock = clock
        self.on_progress = on_progress or (lambda _m, _s: None)
        # Said before each wait for the server: a refused connection was retried for a
        # minute in silence before anything was said.
        self.on_wait: Callable[[str], None] = lambda _said: None
        self.calendar = BusinessCalendar(settings.calendar.company_holidays)
        # user id → why they can't be mailed now (on leave, retired), from the latest snapshot.
        self.unavailable = unavailable or {}
        self._next_slot = 0.0
        # Temporary failures in a row, across messages: enough of them pause the run.
        self._consecutive = 0

    @property
    def rehearsal(self) -> bool:
        """Whether messages only go to the outbox (written, not delivered)."""
        return self.transport.name == "outbox"

    def pending(self, plan: Plan, retry_unknown: bool) -> list[PlannedMessage]:
        """Rows to send now: planned, failed for a while, deferred until today or earlier,
        and (through a real transport) those only written to the outbox."""
        states = pending_states(self.rehearsal, retry_unknown)
        wanted = {row.item for row in self.ledger.rows(plan.run_id, states)}
        today = now().astimezone(JST).date()
        wanted |= {
            item for item, day in self.ledger.deferred_until(plan.run_id).items() if day <= today
        }
        return [m for m in plan.messages if m.item in wanted]

    def send(self, plan: Plan, messages: list[PlannedMessage]) -> SendReport:
        report = SendReport()
        # Again here: a resumed plan was stored earlier, kops.yaml may have changed since.
        check_headers(self.settings.mail, plan.run_id, messages)
        self._consecutive = 0
        opened = False
        seminar = run_seminar((self.ledger.run(plan.run_id) or {}).get("binding"))
        try:
            for position, message in enumerate(messages):
                moment = now()
                if not in_send_window(self.settings, moment, self.calendar):
                    self._pause_until_window(plan.run_id, messages[position:], moment)
                if self._held(plan.run_id, seminar, message, moment, report):
                    continue
                if not opened:
                    self._open()
                    opened = True
                self._deliver(plan.run_id, message, report)
        finally:
            if opened:
                self.transport.close()
        return report

    def _count(self, message: PlannedMessage, outcome: str, report: SendReport) -> None:
        report.outcomes[outcome] += 1
        self.on_progress(message, outcome)

    def _pause_until_window(
        self, run_id: str, rest: list[PlannedMessage], moment: dt.datetime
    ) -> NoReturn:
        """Outside the send window every message left waits for the next window day, and the
        run pauses: the same command resumes it then."""
        window = self.settings.mail.send_window
        day = next_window_day(self.settings, moment, self.calendar)
        for waiting in rest:
            self.ledger.mark(run_id, waiting.item, "deferred", _("send window"), not_before=day)
        raise Paused(
            _(
                "outside the send window ({start}:00–{end}:00 JST on business days); "
                "{count:,} message(s) deferred until {day}"
            ).format(
                start=window.start_hour, end=window.end_hour, count=len(rest), day=day.isoformat()
            ),
            hint=_("run the same command again within the window to resume"),
        )

    def _held(
        self,
        run_id: str,
        seminar: str | None,
        message: PlannedMessage,
        moment: dt.datetime,
        report: SendReport,
    ) -> bool:
        """Whether the message is held back now: suppressed (lists, leave) or deferred (a cap)."""
        blocked = self._blocked(run_id, message)
        if blocked is not None:
            self.ledger.mark(run_id, message.item, "suppressed", blocked)
            report.held[blocked_word(blocked)] += 1
            self._count(message, "suppressed", report)
            return True
        held = message_capped(
            self.settings, self.ledger, run_id, seminar, message, moment, self.calendar
        )
        if held is None:
            return False
        self.ledger.mark(
            run_id, message.item, "deferred", held.reason, not_before=held.sendable_from
        )
        self._count(message, "deferred", report)
        return True

    def _deliver(self, run_id: str, message: PlannedMessage, report: SendReport) -> None:
        """Hand one message to the transport: ``sending`` committed before, the outcome after;
        temporary failures are retried with backoff."""
        mail = self.settings.mail
        attempt = 0
        while True:
            attempt += 1
            self._throttle()
            data = self._build(message)
            self.ledger.mark(run_id, message.item, "sending", attempt=True)
            try:
                self.transport.send(
                    data, message.sender_for(mail).address, message.email, message.item
                )
            except TemporaryFailure as err:
                if self._retry_temporary(run_id, message, err, attempt, report):
                    continue
            except PermanentFailure as err:
                self._consecutive = 0
                self.ledger.mark(run_id, message.item, "perm_failed", str(err))
                self.ledger.suppress(message.email, f"rejected: {err}", run_id)
                self._count(message, "perm_failed", report)
            except UnknownOutcome as err:
                # Left in 'sending': the server may have it; only --retry-unknown resends.
                self.ledger.mark(run_id, message.item, "sending", f"unknown: {err}")
                self._count(message, "unknown", report)
                self._reconnect()
            except FatalFailure as err:
                self.ledger.mark(run_id, message.item, "planned", str(err))
                raise KopsError(
                    _("the mail server refused the run: {error}").format(error=err),
                    hint=err.hint
                    or _("check mail.smtp in kops.yaml, the sender address and the password"),
                ) from None
            else:
                self._consecutive = 0
                self._accepted(run_id, message, report)
            return

    def _retry_temporary(
        self,
        run_id: str,
        message: PlannedMessage,
        err: TemporaryFailure,
        attempt: int,
        report: SendReport,
    ) -> bool:
        """After a temporary failure: whether to try the message again (after waiting); pauses
        the run after too many failures in a row or when the service asks for a long wait."""
        mail = self.settings.mail
        self._consecutive += 1
        self.ledger.mark(run_id, message.item, "temp_failed", str(err))
        if self._consecutive >= mail.pause_after_failures:
            raise Paused(
                _("{n} temporary failures in a row (last: {error}); paused").format(
                    n=self._consecutive, error=err
                ),
                hint=_("check the mail server, then run the same command again to resume"),
            ) from None
        if attempt > mail.max_retries:
            self._count(message, "temp_failed", report)
            return False
        wait = max(backoff_seconds(mail, attempt), err.retry_after or 0)
        if wait > LONGEST_WAIT:
            # The service asks for a long pause (Retry-After): stop cleanly
            # rather than hold the workspace for it.
            raise Paused(
                _(
                    "the mail service asks to wait {seconds:,.0f} s before the next "
                    "message (last: {error}); paused"
                ).format(seconds=wait, error=err),
                hint=_("run the same command again after that to resume"),
            ) from None
        self.on_wait(
            _("temporary failure ({error}): trying again in {seconds:,.0f} s").format(
                error=err, seconds=wait
            )
        )
        self.sleep(wait)
        self._reconnect()
        return True

    def _accepted(self, run_id: str, message: PlannedMessage, report: SendReport) -> None:
        """The transport took the message: ``written`` for the outbox, else ``sent`` and the
        milestones it delivers recorded."""
        if self.rehearsal:
            self.ledger.mark(run_id, message.item, "written")
            self._count(message, "written", report)
            return
        self.ledger.mark(run_id, message.item, "sent")
        delivered = milestones_in(message.extra)
        if delivered:
            record_milestones_delivered(
                self.ws, [(message.user_id, step, role) for role, step in delivered], run_id
            )
        self._count(message, "sent", report)

    def _build(self, message: PlannedMessage) -> bytes:
        """The message's bytes, built before its row says 'sending': a failure leaves it planned."""
        try:
            return as_bytes(build_planned(self.settings.mail, message))
        except (ValueError, TypeError, UnicodeError, OSError) as error:
            raise KopsError(
                _(
                    "user {user}: the message can't be built ({error}); "
                    "it was not sent and stays planned"
                ).format(user=message.user_id, error=error),
                hint=_("fix the cause and run the same command again to resume"),
            ) from None

    def _open(self) -> None:
        mail = self.settings.mail
        for attempt in range(1, mail.max_retries + 2):
            try:
                self.transport.open()
                return
            except TemporaryFailure as err:
                if attempt > mail.max_retries:
                    raise Paused(
                        _("cannot reach the mail server: {error}").format(error=err),
                        hint=_("run the same command again later"),
                    ) from None
                wait = backoff_seconds(mail, attempt)
                self.on_wait(
                    _(
                        "cannot reach the mail server ({error}): trying again in {seconds:,.0f} s "
                        "({attempt} of {attempts})"
                    ).format(error=err, seconds=wait, attempt=attempt, attempts=mail.max_retries)
                )
                self.sleep(wait)
            except FatalFailure as err:
                raise KopsError(
                    _("the mail server refused the login: {error}").format(error=err),
                    hint=err.hint
                    or _(
                        "check mail.smtp.user and the password "
                        "(KOPS_SMTP_PASSWORD or the OS keyring)"
                    ),
                ) from None

    def _reconnect(self) -> None:
        reconnect = getattr(self.transport, "reconnect", None)
        if reconnect is None:
            return
        try:
            reconnect()
        except TemporaryFailure:
            pass  # the next attempt reconnects again
        except FatalFailure as err:
            raise KopsError(
                _("the mail server refused the login: {error}").format(error=err), hint=err.hint
            ) from None

    def up_to(self, pending: list[PlannedMessage], limit: int) -> list[PlannedMessage]:
        """The pending messages through the ``limit``-th that would be sent: those skipped
        on the way (left, on leave, listed) are marked, not counted (`--limit 3` used up by
        three people who left sent nothing)."""
        suppressed = self.ledger.suppressed()
        chosen: list[PlannedMessage] = []
        sendable = 0
        for message in pending:
            if sendable >= limit:
                break
            chosen.append(message)
            sendable += blocked_reason(self.ws, self.unavailable, suppressed, message) is None
        return chosen

    def _blocked(self, run_id: str, message: PlannedMessage) -> str | None:
        """Checked at send time, not only when planning: lists, caps and leave change."""
        return blocked_reason(self.ws, self.unavailable, self.ledger.suppressed(), message)

    def _throttle(self) -> None:
        if not self.transport.throttled:
            return
        interval = 60.0 / self.settings.mail.rate_per_minute
        wait = self._next_slot - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._next_slot = max(self.clock(), self._next_slot) + interval


SUPPRESSED = "suppression list"
# Why someone is away by the latest snapshot, as the ledger stores it.
AWAY_REASONS = {"leave": "on leave (latest snapshot)", "retired": "retired (latest snapshot)"}


def blocked_reason(
    ws: Workspace, unavailable: dict[str, str], suppressed: dict[str, str], message: PlannedMessage
) -> str | None:
    """Why ``message`` is not sent now (None: it is), as the ledger stores it: its person
    away by the latest snapshot (``unavailable``), its milestones delivered by another run,
    or its address or person on the suppression list. The real run and its dry run ask
    this one question."""
    if message.user_id in unavailable:
        return unavailable[message.user_id]
    if milestone_sent_already(ws, message):
        return MILESTONE_SENT
    if message.email in suppressed or message.user_id in suppressed:
        reason = suppressed.get(message.email) or suppressed.get(message.user_id)
        return f"{SUPPRESSED}: {reason}"
    return None


# Another run delivered the milestones this message states (an older plan resumed after
# a newer one was sent): sending it would repeat the same message.
MILESTONE_SENT = "milestone already delivered"


BLOCKED_WORDS = {
    AWAY_REASONS["leave"]: N_("on leave by the latest snapshot"),
    AWAY_REASONS["retired"]: N_("left the company by the latest snapshot"),
    SUPPRESSED: N_("on the suppression list"),
    MILESTONE_SENT: N_("this milestone was delivered by another run"),
}


def blocked_word(why: str) -> str:
    """The words for a ``blocked_reason`` (untranslated): a suppression's reason follows
    its kind, 「suppression list: …」."""
    return BLOCKED_WORDS[why.split(":", 1)[0]]


def blocked_counts(reasons: Counter[str]) -> str:
    """「休職中 1、退職 2」: each reason not sent now with its count, in one order."""
    return _(", ").join(f"{_(why)} {count:,}" for why, count in sorted(reasons.items()))


def milestone_sent_already(ws: Workspace, message: PlannedMessage) -> bool:
    due = milestones_in(message.extra)
    return bool(due) and milestones_already_delivered(ws, message.user_id, due)


def milestones_in(extra: dict[str, Any]) -> list[tuple[str, int]]:
    """(role, milestone) a message delivers: one per role it names (plans made before a
    mail could name both roles carry one ``milestone`` and ``role``)."""
    if "milestones" in extra:
        return [(str(role), int(due["milestone"])) for role, due in extra["milestones"].items()]
    if "milestone" in extra:
        return [(str(extra["role"]), int(extra["milestone"]))]
    return []
