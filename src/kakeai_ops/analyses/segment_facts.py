"""The facts behind each user's stuck point (rules.md §1), one numpy array per fact.

Worked on integer user positions and only the 1on1 columns a fact needs: counting and
sorting 2.5M string ids, or copying every column of the held 1on1s, is what costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..config import Rules

if TYPE_CHECKING:  # the frames' adapter (user_facts) imports pandas where it runs
    import pandas as pd
    import pyarrow as pa

NO_TIME = np.iinfo(np.int64).min
# Held times are packed as seconds since ingest's earliest date into 32 bits (see
# recent_as_member).
PACK_FROM = int(np.datetime64("2000-01-01T00:00:00", "s").astype(np.int64))
PACK_SPAN = 2**32 - 1


@dataclass(frozen=True)
class FactRows:
    """What the facts are counted from, as NumPy arrays: user positions (``n`` for an id
    of no user here), the held 1on1s' times and whether each was prepared and rated."""

    n: int
    pair_manager: np.ndarray  # formed pairs with both people here
    pair_member: np.ndarray
    recurring: np.ndarray  # per formed pair here
    waiting_manager: np.ndarray  # pairs not accepted, both people here
    waiting_member: np.ndarray
    held_manager: np.ndarray  # held 1on1s (definitions.held_mask)
    held_member: np.ndarray
    held_at: np.ndarray  # datetime64, the snapshot's unit
    prepared: np.ndarray  # per held 1on1
    rated: np.ndarray
    meeting_ids: Callable[[np.ndarray], Sequence[str]]  # rows of the held 1on1s → their ids


def user_facts(
    index: pd.Index, pairs: pd.DataFrame, meetings: pd.DataFrame, rules: Rules, as_of: dt.date
) -> dict[str, np.ndarray]:
    """Per user of ``index``: pair counts, held 1on1s (as manager, member, in the lapse
    window, the last one) and the last ``recent_n`` as member (how many, prepared, rated)."""
    from ..columnar.lookup import is_in
    from .definitions import formed_pairs, held_mask, is_prepared

    n = len(index)
    formed = formed_pairs(pairs)
    # A pair with someone who has left (退職: not in ``index``) is no pair any more, so a
    # mail never counts it among the reader's pairs (rules.md: 退職 is left out of everything).
    here = is_in(formed["manager_id"], index) & is_in(formed["member_id"], index)
    if not here.all():
        formed = formed[here]
    waiting = pairs.loc[pairs["accepted_at"].isna(), ["manager_id", "member_id"]]
    waiting = waiting[is_in(waiting["manager_id"], index) & is_in(waiting["member_id"], index)]
    held = held_mask(meetings, as_of)
    # Times stay in the snapshot's unit (microseconds): converting 2M of them costs.
    held_rows = np.flatnonzero(held)
    rows = FactRows(
        n=n,
        pair_manager=_positions(index, formed["manager_id"]),
        pair_member=_positions(index, formed["member_id"]),
        recurring=formed["recurring"].to_numpy(dtype=bool),
        waiting_manager=_positions(index, waiting["manager_id"]),
        waiting_member=_positions(index, waiting["member_id"]),
        held_manager=_positions(index, meetings["manager_id"], held),
        held_member=_positions(index, meetings["member_id"], held),
        held_at=meetings["held_at"].to_numpy()[held],
        prepared=is_prepared(meetings).to_numpy(dtype=bool)[held],
        rated=meetings["sukkiri"].notna().to_numpy(dtype=bool)[held],
        meeting_ids=lambda tied: meetings["meeting_id"].iloc[held_rows[tied]].astype(str).tolist(),
    )
    return facts_of(rows, rules, as_of)


def arrow_fact_rows(
    ids: pa.Array, pairs: pa.Table, meetings: pa.Table, as_of: dt.date
) -> FactRows | None:
    """``FactRows`` from the snapshot's Arrow tables (reads.SEGMENT), as ``user_facts``
    makes them from the frames, for the user ids ``ids`` (text, all different); None
    for columns not of the kinds a snapshot stores (ids and statuses as text, recurring
    as booleans, naive times), which the frames' path judges."""
    import pyarrow as pa

    from ..columnar.arrow_codes import code_of, dictionary_codes, id_positions, is_text
    from ..columnar.buffers import present, to_flags, to_numbers

    n = len(ids)
    texts = [pairs.column(c) for c in ("manager_id", "member_id")]
    texts += [meetings.column(c) for c in ("manager_id", "member_id", "status")]
    if not all(is_text(column) for column in texts):
        return None
    if not pa.types.is_boolean(pairs.schema.field("recurring").type):
        return None
    times = {}
    for table, name in ((pairs, "accepted_at"), (meetings, "held_at"), (meetings, "prepared_at")):
        kind = table.schema.field(name).type
        if not (pa.types.is_timestamp(kind) and kind.tz is None):
            return None
        unit = f"datetime64[{kind.unit}]"
        times[name] = to_numbers(table.column(name), missing=NO_TIME).view(unit)
    everyone = np.ones(pairs.num_rows, dtype=bool)
    pair_manager = id_positions(ids, pairs.column("manager_id"), everyone, missing=n)
    pair_member = id_positions(ids, pairs.column("member_id"), everyone, missing=n)
    here = (pair_manager < n) & (pair_member < n)
    accepted = ~np.isnat(times["accepted_at"])
    formed, waiting = accepted & here, ~accepted & here
    # As definitions.held_mask and is_prepared (NaT compares False).
    statuses, status = dictionary_codes(meetings.column("status"))
    held_code = code_of(statuses, "held")
    held_at = times["held_at"]
    day_end = np.datetime64(as_of + dt.timedelta(days=1), "D").astype(held_at.dtype)
    held = (status == held_code) & (held_at < day_end)
    prepared_at = times["prepared_at"]
    topic = present(meetings.column("topic"))
    prepared = ~np.isnat(prepared_at) & (prepared_at <= held_at) & topic
    held_rows = np.flatnonzero(held)
    meeting_id = meetings.column("meeting_id")

    def meeting_ids(tied: np.ndarray) -> list[str]:  # as the frames' astype(str) writes them
        chosen = [meeting_id[int(row)].as_py() for row in held_rows[tied]]
        return ["nan" if value is None else str(value) for value in chosen]

    return FactRows(
        n=n,
        pair_manager=pair_manager[formed],
        pair_member=pair_member[formed],
        recurring=to_flags(pairs.column("recurring"))[formed],
        waiting_manager=pair_manager[waiting],
        waiting_member=pair_member[waiting],
        held_manager=id_positions(ids, meetings.column("manager_id"), held, missing=n),
        held_member=id_positions(ids, meetings.column("member_id"), held, missing=n),
        held_at=held_at[held],
        prepared=prepared[held],
        rated=present(meetings.column("sukkiri"))[held],
        meeting_ids=meeting_ids,
    )


def facts_of(rows: FactRows, rules: Rules, as_of: dt.date) -> dict[str, np.ndarray]:
    """The facts per user (``user_facts``) from their rows."""
    n = rows.n
    held_at = rows.held_at
    held_time = held_at.view(np.int64)
    facts = {
        "pairs_as_manager": _count(rows.pair_manager, n),
        "pairs_as_member": _count(rows.pair_member, n),
        "recurring_pairs": _count(rows.pair_manager[rows.recurring], n),
        "held_as_manager": _count(rows.held_manager, n),
        "held_as_member": _count(rows.held_member, n),
    }
    facts["held_total"] = facts["held_as_manager"] + facts["held_as_member"]
    facts["invites_to_accept"] = invites_to_accept(rows)

    last = np.full(n + 1, NO_TIME)  # NaT
    np.maximum.at(last, rows.held_manager, held_time)
    np.maximum.at(last, rows.held_member, held_time)
    facts["last_held_at"] = last[:n].view(held_at.dtype).astype("datetime64[ns]")
    # The window's first day at midnight: the day after the as-of day, lapse_days back.
    window_start = np.datetime64(as_of + dt.timedelta(days=1 - rules.lapse_days), "D")
    in_window = held_at >= window_start.astype(held_at.dtype)
    facts["held_in_lapse_window"] = _count(rows.held_manager[in_window], n) + _count(
        rows.held_member[in_window], n
    )

    count, prepared, rated = recent_as_member(
        rows.held_member,
        held_at.astype("datetime64[s]").view(np.int64),
        rows.meeting_ids,
        rows.prepared,
        rows.rated,
        rules.recent_n,
        n,
    )
    facts["recent_count"] = count
    facts["recent_prepared"] = prepared
    facts["recent_rated"] = rated
    return facts


def invites_to_accept(rows: FactRows) -> np.ndarray:
    """Per user: how many 上司 (still here) have invited them to a pair they have not
    accepted (a pairs row without 承認日), not counting one they already have a pair
    with. A mail can then say an invitation is waiting rather than 「届いていれば」."""
    # A pair of people as one number (positions are of different ids: one number per pair).
    width = rows.n + 1
    asked = np.unique(rows.waiting_manager.astype(np.int64) * width + rows.waiting_member)
    paired = rows.pair_manager.astype(np.int64) * width + rows.pair_member
    asked = asked[~np.isin(asked, paired)]
    return _count(asked % width, rows.n)


def _positions(index: pd.Index, ids: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """``user_positions`` as int32, and an id of no user there gets ``len(index)``, one
    past the last user: counts and maxima then need no filtering, only a last slot to
    drop. (Each copy of 2M values costs its page faults in a short-lived process.)"""
    from .definitions import user_positions

    return user_positions(index, ids, rows, missing=len(index), dtype=np.int32)


def _count(positions: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(positions, minlength=n + 1)[:n]


def recent_as_member(
    member: np.ndarray,
    held_seconds: np.ndarray,
    meeting_ids: Callable[[np.ndarray], Sequence[str]],
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
    meeting_ids: Callable[[np.ndarray], Sequence[str]],
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
    ids = list(meeting_ids(tied[by_row]))
    # Ranks 1, 2, … by id, equal ids in row order (pandas' rank "first"); text compares
    # by code point, as Arrow's sort of UTF-8 does.
    by_id = sorted(range(len(ids)), key=lambda i: (ids[i], i))
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[by_id] = np.arange(1, len(ids) + 1)
    rank = np.empty(len(tied), dtype=np.int64)
    rank[by_row] = ranks
    order[spots] = tied[np.lexsort((-rank, sorted_key[spots]))]
