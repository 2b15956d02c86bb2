"""The interview shortlist as `kops interview shortlist` and the review deck make it: the
pairs' facts and score, who was interviewed or excluded, and the stuck points now (a pair
held up as good practice must not show what the programme tries to fix)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..analyses import segmentation, shortlist
from ..config import Settings
from ..model import Tables
from ..store import interview_history
from ..workspace import Workspace


@dataclass
class Candidates:
    pairs: pd.DataFrame  # shortlist.eligibility's frame
    stuck: pd.DataFrame  # segment's result for the same as-of (facts for --explain)


def candidates(
    ws: Workspace, settings: Settings, tables: Tables, as_of: dt.date, topic: str | None = None
) -> Candidates:
    rules = settings.interview
    exports = settings.exports
    stats = shortlist.pair_stats(
        tables, rules, as_of, exports.sukkiri_scale, exports.growth_scale, exports.topics, topic
    )
    done, excluded = interview_history(ws)
    interviewed = set(done["manager_id"]) | set(done["member_id"])
    stuck = segmentation.segment(tables, settings.rules, as_of)
    pairs = shortlist.eligibility(
        stats, tables.users, rules, set(excluded["user_id"]), interviewed, topic, stuck
    )
    return Candidates(pairs, stuck)


def history_with_names(
    ws: Workspace, users: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The interviews done and the people excluded, each id with its name (blank when the
    person is not in ``users``, e.g. no snapshot yet)."""
    done, excluded = interview_history(ws)
    names = (
        pd.Series(dtype=str)
        if users is None
        else users.drop_duplicates("user_id").set_index("user_id")["name"]
    )

    def name(ids: pd.Series) -> pd.Series:
        return ids.map(names).fillna("").astype(str)

    done = done.assign(manager_name=name(done["manager_id"]), member_name=name(done["member_id"]))[
        ["manager_id", "manager_name", "member_id", "member_name", "interviewed_on", "recorded_at"]
    ]
    excluded = excluded.assign(name=name(excluded["user_id"]))[
        ["user_id", "name", "reason", "added_at"]
    ]
    return done, excluded
