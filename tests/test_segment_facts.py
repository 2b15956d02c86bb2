"""The vectorised facts of ``segment`` against the plain rule, member by member, on
1on1s crowded onto the same seconds (ties broken by 1on1 id) in any row order."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from pandas.errors import InvalidIndexError

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.definitions import user_positions
from kakeai_ops.analyses.segmentation import segment
from kakeai_ops.config import Rules

AS_OF = dt.date(2026, 11, 20)
RULES = Rules(recent_n=3)


def _crowded(seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    pick = random.Random(seed)
    people = [f"U{i:03d}" for i in range(12)]
    users = [user(p) for p in people]
    pairs = [pair(people[i], people[i + 1]) for i in range(0, 11, 2)]
    pairs += [pair(people[0], people[5]), pair(people[2], people[9])]
    # Few distinct seconds, so many 1on1s of one member share one; ids in random order.
    seconds = [f"2026-11-{day:02d} 10:00:{s:02d}" for day in (2, 9, 18, 25) for s in (0, 1)]
    ids = pick.sample(range(1000, 9999), 60)
    meetings = []
    for number in ids:
        manager, member = pick.choice([(p["manager_id"], p["member_id"]) for p in pairs])
        meetings.append(
            meeting(
                manager,
                member,
                pick.choice(seconds),
                status=pick.choice(["held", "held", "held", "cancelled"]),
                prepared=pick.choice(["before", "after", None]),
                sukkiri=pick.choice([None, 3]),
                meeting_id=f"M{number}",
            )
        )
    return users, pairs, meetings


def _plain_recent(meetings: list[dict], recent_n: int) -> dict[str, tuple[int, int, int]]:
    """Per member: their last recent_n held 1on1s (newest first, then highest id)."""
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    by_member: dict[str, list[dict]] = {}
    for m in meetings:
        if m["status"] == "held" and m["held_at"] < end:
            by_member.setdefault(m["member_id"], []).append(m)
    facts = {}
    for member, rows in by_member.items():
        rows.sort(key=lambda m: (m["held_at"], m["meeting_id"]), reverse=True)
        recent = rows[:recent_n]
        prepared = sum(
            m["prepared_at"] is not None
            and not pd.isna(m["prepared_at"])
            and m["prepared_at"] <= m["held_at"]
            for m in recent
        )
        rated = sum(m["sukkiri"] is not None for m in recent)
        facts[member] = (len(recent), prepared, rated)
    return facts


def test_recent_facts_match_the_plain_rule_in_any_row_order() -> None:
    for seed in range(8):
        users, pairs, meetings = _crowded(seed)
        expected = _plain_recent(meetings, RULES.recent_n)
        first = None
        for shuffle in range(3):
            rows = list(meetings)
            random.Random(shuffle).shuffle(rows)
            result = segment(tables(users, pairs, rows), RULES, AS_OF).set_index("user_id")
            for member, (count, prepared, rated) in expected.items():
                got = result.loc[member, ["recent_count", "recent_prepared", "recent_rated"]]
                assert tuple(int(v) for v in got) == (count, prepared, rated), (seed, member)
            if first is None:
                first = result
            else:
                pd.testing.assert_frame_equal(result, first)


def test_users_out_of_id_order_come_out_sorted() -> None:
    users, pairs, meetings = _crowded(1)
    result = segment(tables(users[::-1], pairs, meetings), RULES, AS_OF)
    assert result["user_id"].tolist() == sorted(u["user_id"] for u in users)
    expected = segment(tables(users, pairs, meetings), RULES, AS_OF)
    pd.testing.assert_frame_equal(result, expected)


def test_user_positions_by_arrow_match_pandas() -> None:
    index = pd.Index(["000123", "A-1", "ｘ", "000124", "b"], dtype="str")
    ids = pd.Series(["b", None, "000123", "zz", "ｘ", "000124", "b", ""], dtype="str")
    expected = pd.Index(index.to_numpy(dtype=object)).get_indexer(ids.to_numpy(dtype=object))
    assert user_positions(index, ids).tolist() == expected.tolist()
    assert user_positions(index, ids.astype("category")).tolist() == expected.tolist()
    rows = np.array([6, 0, 3])
    assert user_positions(index, ids, rows).tolist() == expected[rows].tolist()
    assert user_positions(index, ids.astype("category"), rows).tolist() == expected[rows].tolist()
    repeated = pd.Index(["a", "b", "a"], dtype="str")
    with pytest.raises(InvalidIndexError):  # as pandas: repeated user ids are refused
        user_positions(repeated, ids)


def test_packed_times_start_at_the_earliest_date_ingest_accepts() -> None:
    """recent_as_member packs seconds since 2000 into 32 bits: that is safe only while
    ingest refuses earlier dates (and held 1on1s are not after 2136)."""
    from kakeai_ops.analyses.segment_facts import PACK_FROM, PACK_SPAN, recent_as_member
    from kakeai_ops.exports.columns import EARLIEST

    assert int(EARLIEST.timestamp()) == PACK_FROM
    # Two members, times at both ends of the packed range and one before it (clipped).
    floor, top = PACK_FROM, PACK_FROM + PACK_SPAN
    member = np.array([0, 0, 0, 1, 1], dtype=np.int32)
    seconds = np.array([floor, top, floor - 5, floor + 10, floor + 20], dtype=np.int64)
    prepared = np.array([False, True, False, True, False])
    rated = np.array([True, False, False, False, True])
    ids = pd.Series(["a", "b", "c", "d", "e"])
    count, prep, rate = recent_as_member(
        member, seconds, lambda rows: ids.iloc[rows], prepared, rated, 1, 2
    )
    # member 0's newest is the 2136 one (prepared, not rated); member 1's is at +20.
    assert count.tolist() == [1, 1] and prep.tolist() == [1, 0] and rate.tolist() == [0, 1]
