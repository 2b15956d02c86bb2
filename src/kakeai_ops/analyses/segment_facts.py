"""The facts behind each user's stuck point (rules.md §1), one numpy array per fact.

Worked on integer user positions and only the 1on1 columns a fact needs: counting and
sorting 2.5M string ids, or copying every column of the held 1on1s, is what costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..columnar.lookup import is_in
from ..config import Rules
from .definitions import day_end, formed_pairs, held_mask, is_prepared, user_positions

NO_TIME = np.iinfo(np.int64).min
# Held times are packed as seconds since ingest's earliest date into 32 bits (see
# recent_as_member).
PACK_FROM = int(np.datetime64("2000-01-01T00:00:00", "s").astype(np.int64))
PACK_SPAN = 2**32 - 1


def user_facts(
    index: pd.Index, pairs: pd.DataFrame, meetings: pd.DataFrame, rules: Rules, as_of: dt.date
) -> dict[str, np.ndarray]:
    """Per user of ``index``: pair counts, held 1on1s (as manager, member, in the lapse
    window, the last one) and the last ``recent_n`` as member (how many, prepared, rated)."""
    n = len(index)
    formed = formed_pairs(pairs)
    # A pair with someone who has left (退職: not in ``index``) is no pair any more, so a
    # mail never counts it among the reader's pairs (rules.md: 退職 is left out of everything).
    here = is_in(formed["manager_id"], index) & is_in(formed["member_id"], index)
    if not here.all():
        formed = formed[here]
    pair_manager = _positions(index, formed["manager_id"])
    pair_member = _positions(index, formed["member_id"])
    held = held_mask(meetings, as_of)
    held_manager = _positions(index, meetings["manager_id"], held)
    held_member = _positions(index, meetings["member_id"], held)
    # Times stay in the snapshot's unit (microseconds): converting 2M of them costs.
    held_at = meetings["held_at"].to_numpy()[held]
    held_time = held_at.view(np.int64)

    facts = {
        "pairs_as_manager": _count(pair_manager, n),
        "pairs_as_member": _count(pair_member, n),
        "recurring_pairs": _count(pair_manager[formed["recurring"].to_numpy(dtype=bool)], n),
        "held_as_manager": _count(held_manager, n),
        "held_as_member": _count(held_member, n),
    }
    facts["held_total"] = facts["held_as_manager"] + facts["held_as_member"]
    facts["invites_to_accept"] = invites_to_accept(index, pairs, formed)

    last = np.full(n + 1, NO_TIME)  # NaT
    np.maximum.at(last, held_manager, held_time)
    np.maximum.at(last, held_member, held_time)
    facts["last_held_at"] = last[:n].view(held_at.dtype).astype("datetime64[ns]")
    window_start = day_end(as_of) - pd.Timedelta(days=rules.lapse_days)  # a midnight
    in_window = held_at >= window_start.to_datetime64().astype(held_at.dtype)
    facts["held_in_lapse_window"] = _count(held_manager[in_window], n) + _count(
        held_member[in_window], n
    )

    count, prepared, rated = recent_as_member(
        held_member,
        held_at.astype("datetime64[s]").view(np.int64),
        lambda rows: meetings["meeting_id"].iloc[np.flatnonzero(held)[rows]],
        is_prepared(meetings).to_numpy(dtype=bool)[held],
        meetings["sukkiri"].notna().to_numpy(dtype=bool)[held],
        rules.recent_n,
        n,
    )
    facts["recent_count"] = count
    facts["recent_prepared"] = prepared
    facts["recent_rated"] = rated
    return facts


def invites_to_accept(index: pd.Index, pairs: pd.DataFrame, formed: pd.DataFrame) -> np.ndarray:
    """Per user: how many 上司 (still here) have invited them to a pair they have not
    accepted (a pairs row without 承認日), not counting one they already have a pair
    with. A mail can then say an invitation is waiting rather than 「届いていれば」."""
    waiting = pairs.loc[pairs["accepted_at"].isna(), ["manager_id", "member_id"]]
    waiting = waiting[is_in(waiting["manager_id"], index) & is_in(waiting["member_id"], index)]
    if len(formed):
        paired = pd.MultiIndex.from_frame(formed[["manager_id", "member_id"]].astype(str))
        asked = pd.MultiIndex.from_frame(waiting.astype(str))
        waiting = waiting[~asked.isin(paired)]
    waiting = waiting.astype(str).drop_duplicates()
    return _count(_positions(index, waiting["member_id"]), len(index))


def _positions(index: pd.Index, ids: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """``user_positions`` as int32, and an id of no user there gets ``len(index)``, one
    past the last user: counts and maxima then need no filtering, only a last slot to
    drop. (Each copy of 2M values costs its page faults in a short-lived process.)"""
    return user_positions(index, ids, rows, missing=len(index), dtype=np.int32)


def _count(positions: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(positions, minlength=n + 1)[:n]


def recent_as_member(
    member: np.ndarray,
    held_seconds: np.ndarray,
    meeting_ids: Callable[[np.ndarray], pd.Series],
    prepared: np.ndarray,
    rated: np.ndarray,
    recent_n: int,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per user as member: how many of their last ``recent_n`` held 1on1s there are,
    were prepared and were rated. ``member``: user positions, ``n`` for no user;
    ``meeting_ids(rows)``: the 1on1 ids of those rows. ``held_seconds`` is overwritten."""
    known = member < n
    rows = None if known.all() else np.flatnonzero(known)
    if rows is not None:
        member, held_seconds = member[rows], held_seconds[rows]
        prepared, rated = prepared[rows], rated[rows]
    # One int64 key sorts by member, newest first: member in the high 32 bits,
    # seconds since 2000 counted down in the low 32 (one key sorts much faster than
    # two). Built in place: each temporary of 2M values costs its page faults.
    # The invariant it relies on: every held time lies in [2000-01-01, 2136-02-07),
    # 32 bits of seconds from 2000. Ingest refuses dates before 2000-01-01
    # (exports.columns.EARLIEST; a test keeps the two equal) and a held 1on1 is not in
    # the future. Were one outside (a snapshot written before the floor), it is clipped
    # to the range's end: it ties with the others there and the tie is ordered by 1on1
    # id like any tie, never mixed up with another member's rows.
    countdown = held_seconds
    countdown -= PACK_FROM
    np.clip(countdown, 0, PACK_SPAN, out=countdown)
    np.subtract(PACK_SPAN, countdown, out=countdown)
    key = member.astype(np.int64)
    key <<= 32
    key |= countdown
    order = np.argsort(key, kind="stable")  # runs in the data (a pair's 1on1s) sort fast
    sorted_key = np.take(key, order, out=countdown)  # into the spent buffer
    same = sorted_key[1:] == sorted_key[:-1]
    if same.any():
        _order_ties(
            order, sorted_key, same, lambda tied: meeting_ids(tied if rows is None else rows[tied])
        )
    # A row is among its member's first recent_n when the row recent_n places before
    # it belongs to another member (each member's rows are together).
    sorted_member = sorted_key
    sorted_member >>= 32
    first = np.zeros(len(order), dtype=bool)
    if recent_n > 0:
        first[:recent_n] = True
        first[recent_n:] = sorted_member[recent_n:] != sorted_member[:-recent_n]
    recent = order[first]
    who = member[recent]
    count = np.bincount(who, minlength=n)
    prepared_count = np.bincount(who, weights=prepared[recent], minlength=n)
    rated_count = np.bincount(who, weights=rated[recent], minlength=n)
    return count, prepared_count.astype(int), rated_count.astype(int)


def _order_ties(
    order: np.ndarray,
    sorted_key: np.ndarray,
    same: np.ndarray,
    meeting_ids: Callable[[np.ndarray], pd.Series],
) -> None:
    """Two 1on1s of one member at the same second are ordered by 1on1 id, newest id
    first, so the result never depends on row order. Reorders ``order`` in place
    within each run of equal keys; only the tied rows pay for it."""
    in_run = np.zeros(len(order), dtype=bool)
    in_run[1:] |= same
    in_run[:-1] |= same
    spots = np.flatnonzero(in_run)  # the runs, in sorted order
    tied = order[spots]
    # Ranked in row order, so equal ids rank as they come (rank "first").
    by_row = np.argsort(tied, kind="stable")
    ids = meeting_ids(tied[by_row]).astype(str).to_numpy()
    rank = np.empty(len(tied), dtype=np.int64)
    rank[by_row] = pd.Series(ids).rank(method="first").to_numpy(dtype=np.int64)
    order[spots] = tied[np.lexsort((-rank, sorted_key[spots]))]
