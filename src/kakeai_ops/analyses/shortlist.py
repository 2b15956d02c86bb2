"""Interview shortlist (rules.md §3): manager–member pairs worth a newsletter article.

From 1on1 metadata only (never memo text). Private topics (心身の状態,
プライベート) are only ever counted together, never named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import Interview, Scale, Settings
from ..errors import KopsError
from ..model import Tables
from .common import day_end, formed_pairs, held_meetings

PARTS = ("regularity", "volume", "sukkiri", "growth", "diversity", "recency")

SHORTLIST_COLUMNS = [
    "rank",
    "manager_id",
    "manager_name",
    "member_id",
    "member_name",
    "division",
    "department",
    "job_type",
    "age_band",
    "held",
    "regularity",
    "sukkiri_avg",
    "growth_avg",
    "top_topics",
    "score",
    "reason",
    "manager_division",
    "manager_department",
    "manager_job_type",
    "manager_age_band",
    "private_topics",
    "theme_share",
]


@dataclass(frozen=True)
class Options:
    n: int
    topic: str | None = None
    division: str | None = None


def check_topic(topic: str, settings: Settings) -> None:
    """A theme to shortlist by: a known topic, and never a private one (心身の状態 is
    health-related; a shortlist names people)."""
    if topic not in settings.exports.topics:
        raise KopsError(
            f"--topic: '{topic}' is not a topic",
            hint="topics: " + ", ".join(settings.exports.topics),
        )
    if topic in settings.interview.private_topics:
        raise KopsError(
            f"--topic: '{topic}' is a private topic and is never named in a shortlist",
            hint="choose another theme",
        )


def pair_stats(
    tables: Tables,
    rules: Interview,
    as_of: dt.date,
    sukkiri_scale: Scale,
    growth_scale: Scale,
    topics: list[str],
    topic: str | None = None,
) -> pd.DataFrame:
    """Every formed pair with its facts in the lookback window and its score parts."""
    pairs = formed_pairs(tables.pairs)[["manager_id", "member_id"]].drop_duplicates()
    end = day_end(as_of)
    start = end - pd.Timedelta(days=rules.lookback_days)
    held = held_meetings(tables.meetings, as_of)
    held = held[held["held_at"] >= start]
    keys = ["manager_id", "member_id"]
    held = held.assign(
        manager_id=held["manager_id"].astype(str),
        member_id=held["member_id"].astype(str),
        week=held["held_at"].dt.to_period("W-SUN"),
        private=held["topic"].astype(str).isin(rules.private_topics),
    )
    grouped = held.groupby(keys, observed=True)
    stats = pd.DataFrame(
        {
            "held": grouped.size(),
            "weeks_covered": grouped["week"].nunique(),
            "sukkiri_avg": grouped["sukkiri"].mean(),
            "rated": grouped["sukkiri"].count(),
            "growth_avg": grouped["growth"].mean(),
            "topics_distinct": grouped["topic"].nunique(),
            "private_topics": grouped["private"].sum(),
            "last_held_at": grouped["held_at"].max(),
        }
    )
    if topic is not None:
        stats["theme_count"] = held[held["topic"] == topic].groupby(keys, observed=True).size()
    frame = pairs.astype(str).merge(stats.reset_index(), on=keys, how="left")
    frame["held"] = frame["held"].fillna(0).astype(int)
    frame["weeks_covered"] = frame["weeks_covered"].fillna(0).astype(int)
    frame["private_topics"] = frame["private_topics"].fillna(0).astype(int)
    frame["topics_distinct"] = frame["topics_distinct"].fillna(0).astype(int)
    weeks = int(np.ceil(rules.lookback_days / 7))
    frame["regularity"] = (frame["weeks_covered"] / weeks).clip(upper=1.0)
    frame["part_regularity"] = frame["regularity"]
    frame["part_volume"] = (frame["held"] / weeks).clip(upper=1.0)
    frame["part_sukkiri"] = _scaled(frame["sukkiri_avg"], sukkiri_scale)
    frame["part_growth"] = _scaled(frame["growth_avg"], growth_scale)
    frame["part_diversity"] = (frame["topics_distinct"] / max(len(topics), 1)).clip(upper=1.0)
    days_since = (end - frame["last_held_at"]).dt.days
    frame["part_recency"] = (
        (1 - days_since / rules.lookback_days).clip(lower=0.0, upper=1.0).fillna(0.0)
    )
    weights = rules.weights.model_dump()
    total = sum(weights.values()) or 1.0
    frame["score"] = sum(frame[f"part_{p}"] * weights[p] for p in PARTS) / total
    if topic is not None:
        frame["theme_count"] = frame["theme_count"].fillna(0).astype(int)
        frame["theme_share"] = (
            frame["theme_count"] / frame["held"].where(frame["held"] > 0)
        ).fillna(0.0)
        # The theme counts as much as all the other parts together.
        frame["score"] = (frame["score"] + frame["theme_share"]) / 2
    else:
        frame["theme_share"] = np.nan
    frame["score"] = frame["score"].round(6)
    return frame


def _scaled(values: pd.Series, scale: Scale) -> pd.Series:
    return ((values - scale.min) / (scale.max - scale.min)).clip(0.0, 1.0).fillna(0.0).astype(float)


def eligibility(
    stats: pd.DataFrame,
    users: pd.DataFrame,
    rules: Interview,
    excluded: set[str],
    interviewed: set[str],
    topic: str | None = None,
) -> pd.DataFrame:
    """Add the people's details and why each pair is (not) eligible."""
    people = users.set_index("user_id")
    frame = stats.copy()
    for role in ("manager", "member"):
        ids = frame[f"{role}_id"]
        for column in (
            "name",
            "division",
            "department",
            "job_type",
            "age_band",
            "employment_status",
        ):
            frame[f"{role}_{column}"] = ids.map(people[column])
    checks = {
        "manager not employed or on leave": frame["manager_employment_status"] != "active",
        "member not employed or on leave": frame["member_employment_status"] != "active",
        "manager excluded": frame["manager_id"].isin(excluded),
        "member excluded": frame["member_id"].isin(excluded),
        "manager interviewed before": frame["manager_id"].isin(interviewed),
        "member interviewed before": frame["member_id"].isin(interviewed),
        f"fewer than {rules.min_held} held 1on1s in {rules.lookback_days} days": frame["held"]
        < rules.min_held,
        f"average スッキリ度 below {rules.min_sukkiri:g}": ~(
            frame["sukkiri_avg"] >= rules.min_sukkiri
        ),
    }
    if topic is not None:
        checks[f"no 1on1 on {topic}"] = frame["theme_count"] == 0
    reasons = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    for label, mask in checks.items():
        for position in mask[mask.fillna(True).astype(bool)].index:
            reasons.loc[position].append(label)
    frame["ineligible_because"] = reasons.map("; ".join)
    frame["eligible"] = frame["ineligible_because"] == ""
    return frame


@dataclass
class Shortlist:
    picks: pd.DataFrame
    relaxed: list[str] = field(default_factory=list)
    candidates: int = 0


def select(candidates: pd.DataFrame, rules: Interview, options: Options) -> Shortlist:
    """Greedy, deterministic selection spread across 事業部, 職種 and 年代.

    At each step: stay under ``max_per_division`` pairs per 事業部 while pairs of
    other 事業部 remain; take the best-scoring pair unless its 職種 or 年代 is
    already on the list and a pair of a different one is within
    ``spread_tolerance`` of its score. Constraints that had to give way are
    reported.
    """
    pool = candidates[candidates["eligible"]]
    if options.division is not None:
        pool = pool[pool["member_division"] == options.division]
    pool = pool.sort_values(["score", "manager_id", "member_id"], ascending=[False, True, True])
    remaining = pool.to_dict("records")
    picks: list[dict[str, object]] = []
    relaxed: list[str] = []
    per_division: dict[str, int] = {}
    jobs: set[object] = set()
    ages: set[object] = set()
    while remaining and len(picks) < options.n:
        under = [
            c
            for c in remaining
            if per_division.get(str(c["member_division"]), 0) < rules.max_per_division
        ]
        if not under:
            under = remaining
            relaxed.append(
                f"pick {len(picks) + 1}: more than {rules.max_per_division} pair(s) "
                "from one 事業部 "
                "(no other 事業部 left)"
            )
        top = under[0]

        def repeats(c: dict[str, object]) -> int:
            return int(c["member_job_type"] in jobs) + int(c["member_age_band"] in ages)

        chosen = top
        if repeats(top):
            close = [
                c
                for c in under
                if float(c["score"]) >= float(top["score"]) - rules.spread_tolerance
            ]
            chosen = min(close, key=lambda c: (repeats(c), close.index(c)))
            if repeats(chosen):
                what = [
                    label
                    for label, key, used in (
                        ("職種", "member_job_type", jobs),
                        ("年代", "member_age_band", ages),
                    )
                    if chosen[key] in used
                ]
                relaxed.append(
                    f"pick {len(picks) + 1}: {'/'.join(what)} repeated "
                    f"(no pair of another within {rules.spread_tolerance:g} of the score)"
                )
        picks.append(chosen)
        remaining.remove(chosen)
        division = str(chosen["member_division"])
        per_division[division] = per_division.get(division, 0) + 1
        jobs.add(chosen["member_job_type"])
        ages.add(chosen["member_age_band"])
    if len(picks) < options.n:
        relaxed.append(f"only {len(picks)} eligible pair(s) for {options.n} places")
    frame = pd.DataFrame(picks)
    return Shortlist(frame, relaxed, len(pool))


def top_topics(
    meetings: pd.DataFrame, pairs: pd.DataFrame, rules: Interview, as_of: dt.date, limit: int = 3
) -> dict[tuple[str, str], str]:
    """'今後のキャリア 5件 / … / 非公開トピック 3件' per pair: private topics only as one count."""
    end = day_end(as_of)
    held = held_meetings(meetings, as_of)
    held = held[held["held_at"] >= end - pd.Timedelta(days=rules.lookback_days)]
    held = held[held["topic"].notna()]
    wanted = set(zip(pairs["manager_id"], pairs["member_id"], strict=True))
    text: dict[tuple[str, str], str] = {}
    grouped = held.assign(
        manager_id=held["manager_id"].astype(str), member_id=held["member_id"].astype(str)
    )
    for key, rows in grouped.groupby(["manager_id", "member_id"], observed=True):
        pair = (str(key[0]), str(key[1]))
        if pair not in wanted:
            continue
        topics = rows["topic"].astype(str)
        private = topics.isin(rules.private_topics)
        counts = topics[~private].value_counts()
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        parts = [f"{name} {count}件" for name, count in counts.head(limit).items()]
        if private.any():
            parts.append(f"非公開トピック {int(private.sum())}件")
        text[pair] = " / ".join(parts)
    return text


def reason_line(row: dict[str, Any], rules: Interview, topic: str | None) -> str:
    """One line on why the pair was picked."""
    last = pd.Timestamp(row["last_held_at"])
    parts = [
        f"{rules.lookback_days}日で{row['held']}回（週カバー率 {float(row['regularity']):.0%}）",
        f"平均スッキリ度 {float(row['sukkiri_avg']):.1f}",
    ]
    if not pd.isna(row["growth_avg"]):
        parts.append(f"成長実感 {float(row['growth_avg']):.1f}")
    parts.append(f"トピック{row['topics_distinct']}種")
    parts.append(f"最終実施 {last.month}/{last.day}")
    if topic is not None:
        parts.append(f"「{topic}」が{float(row['theme_share']):.0%}")
    return "、".join(parts)
