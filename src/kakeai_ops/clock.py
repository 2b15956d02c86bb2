"""The one wall-clock read: the moment kops acts at, always in Japan time.

kops serves a company in Japan, so ledger timestamps, mail ``Date:`` headers
and the send window are in JST (Asia/Tokyo) whatever the machine's TZ is.
``KOPS_NOW`` (ISO 8601) pins the clock for tests and rehearsals.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from zoneinfo import ZoneInfo

from .errors import KopsError
from .i18n import _

# On Windows zoneinfo finds no system database; the tzdata package provides it.
JST = ZoneInfo("Asia/Tokyo")
PIN_VAR = "KOPS_NOW"


def now() -> dt.datetime:
    """The current moment in JST; ``KOPS_NOW`` pins it (a time without offset is JST)."""
    pinned = os.environ.get(PIN_VAR)
    if pinned:
        return _pinned(pinned)
    return dt.datetime.now(JST)


# The years a pinned clock may name: those of the exports kops reads (an ingest refuses
# dates before 2000). Year 1 or 9999 is a typo or a test's leftover, and at either end a
# time zone's offset overflows the calendar.
PINNED_YEARS = range(2000, 2100)


# A pinned clock is read for every message and ledger row; its text, parsed once, is the
# same moment (a failure is not kept: it is raised each time).
@functools.lru_cache(maxsize=16)
def _pinned(pinned: str) -> dt.datetime:
    hint = _("write it as ISO 8601, e.g. {variable}=2026-11-24T10:00:00+09:00, or unset it").format(
        variable=PIN_VAR
    )
    try:
        moment = as_jst(dt.datetime.fromisoformat(pinned.strip()))
    except ValueError:
        raise KopsError(
            _("{variable}: '{pinned}' is not a time").format(variable=PIN_VAR, pinned=pinned),
            hint=hint,
        ) from None
    except OverflowError:
        moment = None
    if moment is None or moment.year not in PINNED_YEARS:
        raise KopsError(
            _("{variable}: '{pinned}' is outside the years 2000–2099").format(
                variable=PIN_VAR, pinned=pinned
            ),
            hint=hint,
        )
    return moment


def check_pinned() -> None:
    """A pinned clock kops cannot work at, said by every command before it runs (not only
    by the one that reads the clock first, halfway through)."""
    if os.environ.get(PIN_VAR):
        now()


def now_text() -> str:
    """``now()`` as stored in the state database: ISO 8601 with its +09:00 offset."""
    return now().isoformat(timespec="seconds")


def as_jst(moment: dt.datetime) -> dt.datetime:
    """The same instant in JST; a naive time is taken to be JST already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=JST)
    return moment.astimezone(JST)


def parse_moment(text: str) -> dt.datetime:
    """A stored ISO 8601 timestamp as an aware instant, whatever offset it was written with."""
    return as_jst(dt.datetime.fromisoformat(text.strip()))
