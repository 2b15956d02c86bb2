"""Segment facts on hostile rows against the plain per-user rules."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.segmentation import segment
from test_segment_facts import AS_OF, RULES, _plain_recent
from test_segmentation import assert_the_list_without_pandas_is_the_same


def _hostile_tables_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Ids that differ only by NFKC, users with no rows, 1on1s with members and managers
    no one knows, several 1on1s at one second, division names that are NFKC twins."""
    users = [
        user("u1", division="A", department="a1"),
        user("ｕ1", division="Ａ", department="a1"),  # NFKC twin of u1 and of A
        user("U1", division="A", department="a2"),
        user("m1", division="B", department="a1"),  # a1 in two divisions
        user("idle", division="C", department="c1"),  # no pairs, no 1on1s
        user("idle2", division="A", department="a1", last_login_at=None),
    ]
    pairs = [pair("m1", "u1"), pair("m1", "ｕ1"), pair("U1", "u1"), pair("m1", "ghost")]
    at = "2026-11-10 10:00:00"
    meetings = [
        meeting("m1", "u1", at, meeting_id="M3", sukkiri=3),
        meeting("m1", "u1", at, meeting_id="M10", prepared=None),
        meeting("U1", "u1", at, meeting_id="M2", sukkiri=None),
        meeting("m1", "ｕ1", at, meeting_id="M4", topic="心身の状態"),
        meeting("m1", "ｕ1", "2026-11-09 10:00:00", meeting_id="M5", status="cancelled"),
        meeting("m1", "ghost", at, meeting_id="M6"),  # a member no one knows
        meeting("nobody", "U1", at, meeting_id="M7"),  # a manager no one knows
        meeting("m1", "u1", "2026-11-01 10:00:00", meeting_id="M8", sukkiri=1),
        meeting("m1", "u1", "2026-11-21 10:00:00", meeting_id="M9"),  # after as_of
    ]
    return users, pairs, meetings


def test_segment_facts_on_hostile_rows_are_the_plain_ones() -> None:
    users, pairs, meetings = _hostile_tables_rows()
    expected = _plain_recent(meetings, RULES.recent_n)
    first = None
    for shuffle in range(4):
        rows = list(meetings)
        random.Random(shuffle).shuffle(rows)
        shuffled = tables(users, pairs, rows)
        result = segment(shuffled, RULES, AS_OF)
        assert_the_list_without_pandas_is_the_same(shuffled, RULES, AS_OF, result)
        result = result.set_index("user_id")
        assert sorted(result.index) == sorted(u["user_id"] for u in users)  # no ghost
        for member in result.index:
            got = result.loc[member, ["recent_count", "recent_prepared", "recent_rated"]]
            assert tuple(int(v) for v in got) == expected.get(member, (0, 0, 0)), member
        held = [
            m
            for m in meetings
            if m["status"] == "held" and m["held_at"] < pd.Timestamp("2026-11-21")
        ]
        for person in result.index:
            as_manager = sum(m["manager_id"] == person for m in held)
            as_member = sum(m["member_id"] == person for m in held)
            assert int(result.loc[person, "held_total"]) == as_manager + as_member, person
        if first is None:
            first = result
        else:
            pd.testing.assert_frame_equal(result, first)


def _sparse_tables() -> dict[str, Any]:
    """Tables with next to nothing in them: no 1on1s, only strangers' 1on1s, a user
    meeting themself, blank division and department names."""
    a = {"division": "A", "department": "a"}
    return {
        "hostile": tables(*_hostile_tables_rows()),
        "no 1on1s": tables([user("u1", **a), user("m1", **a)], [pair("m1", "u1")], []),
        "only strangers": tables([user("u1", **a)], [], [meeting("x", "y", "2026-11-10 10:00")]),
        "one user": tables([user("u1", **a)], [], [meeting("u1", "u1", "2026-11-10 10:00")]),
        "blank names": tables(
            [user("u1", division="", department=""), user("m1", division="A", department="")],
            [pair("m1", "u1")],
            [meeting("m1", "u1", "2026-11-10 10:00")],
        ),
    }


@pytest.mark.parametrize("case", list(_sparse_tables()))
def test_segment_of_sparse_tables_counts_as_the_plain_rule(case: str) -> None:
    sparse = _sparse_tables()[case]
    result = segment(sparse, RULES, AS_OF)
    assert_the_list_without_pandas_is_the_same(sparse, RULES, AS_OF, result)
    result = result.set_index("user_id")
    assert sorted(result.index) == sorted(sparse.users["user_id"])
    meetings = sparse.meetings
    held = meetings[(meetings["status"] == "held") & (meetings["held_at"] < "2026-11-21")]
    for person in result.index:
        plain = int((held["manager_id"] == person).sum() + (held["member_id"] == person).sum())
        assert int(result.loc[person, "held_total"]) == plain, person


def test_an_invitation_waiting_counts_each_inviting_manager_once() -> None:
    """An invitation sent twice counts once; none where the pair is formed by another row,
    from someone who left (not a user here), or with no 上司 id."""
    people = [user(u) for u in ("a", "b", "c")]
    rows = [
        pair("a", "b", accepted=None),
        pair("a", "b", accepted=None),
        pair("a", "c"),
        pair("a", "c", accepted=None),
        pair("gone", "c", accepted=None),
        {**pair("a", "c", accepted=None), "manager_id": None},
    ]
    for given in (tables(people, rows), tables(people)):
        result = segment(given, RULES, AS_OF)
        assert_the_list_without_pandas_is_the_same(given, RULES, AS_OF, result)
        expected = [0, 1, 0] if len(given.pairs) else [0, 0, 0]
        assert result["invites_to_accept"].tolist() == expected
