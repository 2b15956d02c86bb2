"""How often one person may be mailed, and when someone held back may be mailed again.

Two categories are capped apart (kops.yaml ``mail.frequency_cap``):

- ``nudge``: stuck-point mails;
- ``programme``: seminar invitations and recordings, campaign and milestone news.

Report mails to advisors are neither: they are asked for, not unsolicited. Mails about
one seminar never count against each other, so a seminar's recording reaches everyone
its invitation reached. Only delivered mails count (``sent``), never outbox rehearsals.

A person over a cap, or a run outside the send window, is *deferred*: recorded with the
first day the same run id may send to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..calendar import BusinessCalendar
from ..clock import JST
from ..config import Settings
from ..i18n import _
from ..store.ledger import Ledger

if TYPE_CHECKING:
    from .plan import PlannedMessage

# Template families by what they are about (the part of the name before the first dot).
PROGRAMME_FAMILIES = ("seminar", "campaign", "milestone")
UNCAPPED_FAMILIES = ("report",)


def category(template: str, kind: str) -> str | None:
    """The cap a mail counts toward: ``nudge``, ``programme``, or None (not capped)."""
    family = template.split(".", 1)[0]
    if family in UNCAPPED_FAMILIES:
        return None
    if family in PROGRAMME_FAMILIES or kind != "nudge":
        return "programme"
    return "nudge"


@dataclass(frozen=True)
class HeldBack:
    """Why a message waits, and the first day (JST) it may be sent."""

    reason: str
    sendable_from: dt.date


def capped(
    settings: Settings,
    ledger: Ledger,
    run_id: str,
    seminar: str | None,
    user_id: str,
    template: str,
    kind: str,
    moment: dt.datetime,
    calendar: BusinessCalendar | None = None,
) -> HeldBack | None:
    """Held back by the cap of this mail's category at ``moment``, or None; ``seminar``:
    the seminar the run is about (its other mails do not count)."""
    which = category(template, kind)
    if which is None:
        return None
    cap = settings.mail.frequency_cap.of(which)
    since = moment - dt.timedelta(days=cap.days)
    times = sorted(
        sent_at
        for other_template, other_kind, sent_at, other_seminar in ledger.sent_to(
            user_id, since, run_id
        )
        if category(other_template, other_kind) == which
        and not (seminar is not None and other_seminar == seminar)
    )
    if len(times) < cap.max:
        return None
    # Once the (n − max + 1)-th oldest leaves the window, fewer than max remain in it.
    leaves = times[len(times) - cap.max] + dt.timedelta(days=cap.days)
    after = leaves.astimezone(JST).date() + dt.timedelta(days=1)
    # The day said is one the send window opens: the day after the cap in 年末年始 is
    # a company holiday, and the run would only wait again.
    first_day = first_window_day(
        settings, after, calendar or BusinessCalendar(settings.calendar.company_holidays)
    )
    label = "促しメール" if which == "nudge" else "案内メール"
    return HeldBack(
        _("frequency cap ({which}): {count} {label} in {days} days").format(
            which=which, count=len(times), label=label, days=cap.days
        ),
        first_day,
    )


def message_capped(
    settings: Settings,
    ledger: Ledger,
    run_id: str,
    seminar: str | None,
    message: PlannedMessage,
    moment: dt.datetime,
    calendar: BusinessCalendar | None = None,
) -> HeldBack | None:
    """``capped`` for one planned message (its person, template and kind)."""
    return capped(
        settings,
        ledger,
        run_id,
        seminar,
        message.user_id,
        message.template,
        message.kind,
        moment,
        calendar,
    )


def next_window_day(settings: Settings, moment: dt.datetime, calendar: BusinessCalendar) -> dt.date:
    """The first day from which the send window opens again after ``moment``."""
    local = moment.astimezone(JST)
    day = local.date()
    if local.hour >= settings.mail.send_window.start_hour:
        day += dt.timedelta(days=1)
    return first_window_day(settings, day, calendar)


def first_window_day(settings: Settings, day: dt.date, calendar: BusinessCalendar) -> dt.date:
    """``day``, or the first business day after it when the send window keeps to them."""
    window = settings.mail.send_window
    while window.enabled and window.business_days_only and not calendar.is_business_day(day):
        day += dt.timedelta(days=1)
    return day
