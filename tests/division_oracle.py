"""The division figures stated plainly: the oracle the report's figures are checked against.

One pandas groupby (and one merge of the 1on1s with the users) per figure, group
level and period, as rules.md §4 words each figure. The report computes them in
one grouped pass over integer codes (``kakeai_ops.analyses.division_groups``);
tests compare the two frame for frame, and check these against hand counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kakeai_ops.analyses.definitions import (
    current_users,
    day_end,
    formed_pairs,
    is_prepared,
)
from kakeai_ops.analyses.divisions import Period, last_months, with_rates
from kakeai_ops.columnar.lookup import is_in
from kakeai_ops.model import Tables


def metrics(tables: Tables, period: Period, levels: list[str]) -> pd.DataFrame:
    """Headline figures per group (``levels``: ['division'] or ['division', 'department'])."""
    users = current_users(tables.users)
    pairs = formed_pairs(tables.pairs)
    in_pair_ids = set(pairs["manager_id"]) | set(pairs["member_id"])
    member_ids = set(pairs["member_id"])
    held = _held_in(tables.meetings, period)
    people = users[["user_id", *levels]].copy()
    people["activated"] = users["last_login_at"].notna().to_numpy()
    people["in_pair"] = is_in(users["user_id"], in_pair_ids).to_numpy()
    people["member"] = is_in(users["user_id"], member_ids).to_numpy()
    held_members = set(held["member_id"].astype(str))
    people["member_with_1on1"] = people["member"] & is_in(people["user_id"], held_members)
    people["period_member"] = people["member"] & (
        is_in(people["user_id"], _paired_by(tables, pairs, period.end)) | people["member_with_1on1"]
    )
    grouped = people.groupby(levels, sort=True)
    frame = pd.DataFrame(
        {
            "headcount": grouped.size(),
            "activated": grouped["activated"].sum(),
            "in_pair": grouped["in_pair"].sum(),
            "members": grouped["member"].sum(),
            "period_members": grouped["period_member"].sum(),
            "members_with_1on1": grouped["member_with_1on1"].sum(),
        }
    )
    meetings = _attribute(held, users, levels)
    by = meetings.groupby(levels, sort=True)
    frame["held"] = by.size()
    frame["prepared_share"] = by["prepared"].mean()
    frame["rated_share"] = by["rated"].mean()
    frame["sukkiri_avg"] = by["sukkiri"].mean()
    frame["growth_avg"] = by["growth"].mean()
    frame["rating_people"] = by["member_id"].nunique()
    # An average is over the people who gave the rating, not all who met.
    for column in ("sukkiri", "growth"):
        rated = meetings[meetings[column].notna()].groupby(levels, sort=True)
        frame[f"{column}_people"] = rated["member_id"].nunique()
    for column in ("held", "rating_people", "sukkiri_people", "growth_people"):
        frame[column] = frame[column].fillna(0).astype(int)
    return with_rates(frame, period).reset_index()


def _paired_by(tables: Tables, pairs: pd.DataFrame, end: dt.date) -> set[str]:
    """部下 of that time: of a formed pair accepted on or before ``end`` (or after the data's
    last day: a date not yet come is taken as today's), or with a 1on1 held as 部下 by then."""
    meetings = tables.meetings
    held = meetings[meetings["status"] == "held"]
    last = max(held["held_at"].max(), tables.users["last_login_at"].max())
    accepted = pairs[(pairs["accepted_at"] < day_end(end)) | (pairs["accepted_at"] > last)]
    met = held[held["held_at"] < day_end(end)]
    return set(accepted["member_id"].astype(str)) | set(met["member_id"].astype(str))


def _held_in(meetings: pd.DataFrame, period: Period) -> pd.DataFrame:
    """held_meetings() up to the period's end, from its start: one selection of rows, not
    a copy of two years of 1on1s narrowed down afterwards."""
    held_at = meetings["held_at"]
    mask = (
        (meetings["status"] == "held")
        & (held_at < day_end(period.end))
        & (held_at >= pd.Timestamp(period.start))
    )
    return meetings[mask]


def _attribute(held: pd.DataFrame, users: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    """1on1s belong to the member's group."""
    meetings = held.assign(
        member_id=held["member_id"].astype(str),
        prepared=is_prepared(held).to_numpy(),
        rated=held["sukkiri"].notna().to_numpy(),
        sukkiri=held["sukkiri"].astype(float),
        growth=held["growth"].astype(float),
    )
    return meetings.merge(
        users[["user_id", *levels]], left_on="member_id", right_on="user_id", how="inner"
    )


def mix(
    tables: Tables, period: Period, levels: list[str], column: str, vocabulary: list[str]
) -> pd.DataFrame:
    """Per group × value of ``column`` (topic or response): 1on1 count and distinct members."""
    users = current_users(tables.users)
    meetings = _attribute(_held_in(tables.meetings, period), users, levels)
    meetings = meetings[meetings[column].notna()]
    meetings = meetings.assign(value=meetings[column].astype(str))
    grouped = meetings.groupby([*levels, "value"], sort=True)
    frame = pd.DataFrame(
        {"count": grouped.size(), "people": grouped["member_id"].nunique()}
    ).reset_index()
    frame["value"] = pd.Categorical(frame["value"], categories=vocabulary, ordered=True)
    return frame.sort_values([*levels, "value"]).reset_index(drop=True)


def topic_response(tables: Tables, period: Period, levels: list[str]) -> pd.DataFrame:
    """Average スッキリ度 per group × topic × 対応, with the distinct members behind each cell."""
    users = current_users(tables.users)
    meetings = _attribute(_held_in(tables.meetings, period), users, levels)
    meetings = meetings[
        meetings["topic"].notna() & meetings["response"].notna() & meetings["sukkiri"].notna()
    ]
    meetings = meetings.assign(
        topic=meetings["topic"].astype(str), response=meetings["response"].astype(str)
    )
    grouped = meetings.groupby([*levels, "topic", "response"], sort=True)
    return pd.DataFrame(
        {
            "sukkiri_avg": grouped["sukkiri"].mean(),
            "count": grouped.size(),
            "people": grouped["member_id"].nunique(),
        }
    ).reset_index()


def monthly(tables: Tables, as_of: dt.date, months: int = 6) -> pd.DataFrame:
    """Per 事業部 and calendar month (the last ``months`` complete or current months):
    the share of members with a held 1on1 that month, and the people behind it."""
    users = current_users(tables.users)
    pairs = formed_pairs(tables.pairs)
    today = users[is_in(users["user_id"], set(pairs["member_id"]))]
    divisions = today.groupby("division").size().index
    rows = []
    for period in reversed(last_months(as_of, months)):
        end = min(period.end, as_of)
        held = _held_in(tables.meetings, Period(period.label, period.start, end))
        met = set(held["member_id"].astype(str))
        # The 部下 of that month: paired by its end, or met in it.
        members = today[is_in(today["user_id"], _paired_by(tables, pairs, end) | met)]
        member_count = members.groupby("division").size()
        active = members[is_in(members["user_id"], met)]
        counts = active.groupby("division").size()
        for division in divisions:
            total = int(member_count.get(division, 0))
            rows.append(
                {
                    "division": division,
                    "month": period.label,
                    "members": total,
                    "members_with_1on1": int(counts.get(division, 0)),
                    "rate": counts.get(division, 0) / total if total else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["division", "month", "members", "members_with_1on1", "rate"])
