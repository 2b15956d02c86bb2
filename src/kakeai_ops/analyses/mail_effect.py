"""Did a mail run work? Of those mailed for a stuck point, the share who left it, against the
holdout, with a 95% confidence interval for the difference.

The interval is Newcombe's hybrid score interval for a difference of two independent
proportions (Newcombe 1998, method 10): unlike the textbook Wald interval it keeps its
coverage with small groups and with shares near 0 or 1, which is what holdouts of a few dozen
people look like. It is two Wilson score intervals and a square root, written out here as
statsmodels' ``confint_proportions_2indep(method="newcomb", compare="diff")`` computes it
(the tests check every count up to 60 against statsmodels): statsmodels and the scipy it
needs are a second of start-up and about 180 MB of installation for these few lines.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from ..model import STUCK_POINTS
from ..privacy.rules import is_small

# Below this many people in a group (found in the later snapshot) a difference is not reported:
# the interval would span most of the possible range and invite over-reading.
MIN_GROUP = 10
NOT_YET = "not yet measurable"
# Why a difference is not given yet (Difference.reason; said in words by the mail report
# and by the review deck): no one held back, a group under the minimum, or no snapshot
# taken since the run.
NO_HOLDOUT = "no holdout"
TOO_SMALL = "groups too small"
NO_LATER_SNAPSHOT = "no snapshot after the run"
# Only written to the outbox (a rehearsal): no one received it, so those it was for and the
# holdout differ by chance alone, whatever the text said.
NOT_DELIVERED = "not delivered"


def is_rehearsal(written: int, sent: int, bounced: int) -> bool:
    """A run (or a campaign's notices) only ever written to the outbox: something was
    written, nothing handed to a mail server (sent, or sent and then bounced). The one
    definition the mail report, the deck and its workbook use."""
    return written > 0 and sent == 0 and bounced == 0


def mailed_state(ledger_rows: pd.DataFrame) -> str:
    """Which rows form the mailed group: those delivered (``sent``); for a run only ever
    rehearsed through the outbox (``is_rehearsal``), those it wrote (``written``), so a
    rehearsal can be walked through end to end. Its groups are counted, but no difference
    is given of a mail no one received (``NOT_DELIVERED``)."""
    counts = ledger_rows["state"].value_counts()
    rehearsed = is_rehearsal(
        int(counts.get("written", 0)), int(counts.get("sent", 0)), int(counts.get("bounced", 0))
    )
    return "written" if rehearsed else "sent"


def measured_too_soon(ledger_rows: pd.DataFrame, data_end: dt.date) -> bool:
    """Whether data that ends on ``data_end`` comes before the run's first delivery (in
    Japan's day): nobody had received the mail yet. A run rehearsed in October and sent
    in November was measured on a snapshot to 11-20 though sent on 11-25."""
    sent = ledger_rows.loc[ledger_rows["state"] == "sent", "sent_at"]
    stamps = pd.to_datetime(sent, errors="coerce", utc=True).dropna()
    if stamps.empty:
        return False
    return data_end <= stamps.min().tz_convert("Asia/Tokyo").date()


def run_effect(ledger_rows: pd.DataFrame, key: str, later: pd.DataFrame) -> pd.DataFrame:
    """Per group (mailed, holdout): users, how many are in the later segment result, how many
    left the stuck point ``key`` (it no longer applies to them), and how many it still
    applies to: the two add up to those in the later result. A person whose primary stuck
    point became an earlier one while ``key`` still applies (a manager mailed for no
    recurring schedule who then stopped rating) has not left it: counted by the primary,
    such a fall read as a success of the mail (「抜け出した 1、まだ該当 9」 of 9). Nor has
    one to whom ``key`` no longer applies because an earlier stage does (a member mailed
    for no preparation whose pair was dissolved): counted apart, ``slid_back`` (the three
    add up to those in the later result; `kops segment --compare` calls them the same).

    ``ledger_rows``: the run's ledger (user_id, state); ``later``: ``segment()`` of a later
    snapshot.
    """
    now_frame = later.set_index("user_id")
    earlier = set(STUCK_POINTS[: STUCK_POINTS.index(key)]) if key in STUCK_POINTS else set()
    result = []
    for group, state in (("mailed", mailed_state(ledger_rows)), ("holdout", "holdout")):
        ids = ledger_rows.loc[ledger_rows["state"] == state, "user_id"]
        present = [u for u in ids if u in now_frame.index]
        flags = [str(f).split(";") for f in now_frame.loc[present, "flags"]] if present else []
        still_flagged = sum(key in f for f in flags)
        slid_back = sum(key not in f and not earlier.isdisjoint(f) for f in flags)
        left = len(present) - still_flagged - slid_back
        result.append(
            {
                "group": group,
                "users": len(ids),
                "in_snapshot": len(present),
                "left_stuck_point": left,
                "share_left": left / len(present) if present else None,
                "still_flagged": still_flagged,
                "slid_back": slid_back,
            }
        )
    return pd.DataFrame(result)


@dataclass(frozen=True)
class Difference:
    """Mailed minus holdout share that left the stuck point, with its 95% interval."""

    mailed_n: int
    mailed_left: int
    holdout_n: int
    holdout_left: int
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    status: str = NOT_YET  # or "measured"
    reason: str = ""
    # The fewest people each group needs for a difference to be given (``difference``).
    minimum: int = MIN_GROUP

    @property
    def measured(self) -> bool:
        return self.status == "measured"


def difference(effect: pd.DataFrame, minimum: int = MIN_GROUP) -> Difference:
    """The difference and its 95% confidence interval, or why it cannot be given yet."""
    mailed = effect[effect["group"] == "mailed"].iloc[0]
    holdout = effect[effect["group"] == "holdout"].iloc[0]
    m_n, m_left = int(mailed["in_snapshot"]), int(mailed["left_stuck_point"])
    h_n, h_left = int(holdout["in_snapshot"]), int(holdout["left_stuck_point"])
    if int(holdout["users"]) == 0:
        return Difference(m_n, m_left, h_n, h_left, reason=NO_HOLDOUT)
    if is_small(m_n, minimum) or is_small(h_n, minimum):
        return Difference(
            m_n,
            m_left,
            h_n,
            h_left,
            reason=f"{TOO_SMALL} (mailed {m_n}, holdout {h_n}; at least {minimum} each)",
            minimum=minimum,
        )
    low, high = newcombe_interval(m_left, m_n, h_left, h_n)
    diff = m_left / m_n - h_left / h_n
    return Difference(
        mailed_n=m_n,
        mailed_left=m_left,
        holdout_n=h_n,
        holdout_left=h_left,
        difference=diff,
        low=float(low),
        high=float(high),
        status="measured",
    )


# The standard normal's 97.5th percentile (scipy's norm.isf(0.025), to the last bit): a 95%
# two-sided interval.
Z_95 = 1.9599639845400545


def wilson_interval(count: int, nobs: int) -> tuple[float, float]:
    """Wilson's score interval for the share count/nobs (95%), within 0 and 1."""
    share = count / nobs
    z2 = Z_95**2
    denominator = 1 + z2 / nobs
    centre = (share + z2 / (2 * nobs)) / denominator
    spread = Z_95 * math.sqrt(share * (1.0 - share) / nobs + z2 / (4.0 * nobs**2))
    spread /= denominator
    return min(max(centre - spread, 0.0), 1.0), min(max(centre + spread, 0.0), 1.0)


def newcombe_interval(count1: int, nobs1: int, count2: int, nobs2: int) -> tuple[float, float]:
    """The 95% interval of count1/nobs1 − count2/nobs2 (Newcombe's hybrid score interval)."""
    p1, p2 = count1 / nobs1, count2 / nobs2
    low1, high1 = wilson_interval(count1, nobs1)
    low2, high2 = wilson_interval(count2, nobs2)
    difference = p1 - p2
    below = math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    above = math.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2)
    return difference - below, difference + above
