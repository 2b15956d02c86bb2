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

from .. import glossary, model
from ..config import Interview, Scale, Settings
from ..errors import KopsError, Phrase
from ..i18n import N_, _
from ..model import Tables
from ..numbers import fixed, percent
from . import segmentation
from .definitions import day_end, formed_pairs, held_meetings

PARTS = ("regularity", "volume", "sukkiri", "growth", "diversity", "recency")

# What names a pick: its rank and the two people (the 事業部 is the member's).
PAIR_COLUMNS = ["rank", "manager_id", "manager_name", "member_id", "member_name", "division"]

SHORTLIST_COLUMNS = [
    *PAIR_COLUMNS,
    "department",
    "member_job_type",
    "member_age_band",
    "held",
    "regularity",
    "sukkiri_avg",
    "growth_avg",
    "top_topics",
    "theme_share",
    "score",
    "reason",
    "spread_note",  # why a pick is listed out of score order: beside the score and reason
    "manager_division",
    "manager_department",
    "manager_job_type",
    "manager_age_band",
    "private_topics",
    "weeks_covered",
    "topics_distinct",
    "last_held_at",
    "stuck_points",
]

# The note on a pick that came before a higher-scoring pair because of the spread rule.
PROMOTED = "分散のため繰り上げ"
# A pick listed after lower scores (it repeated a spread of the picks above it): rank 4 at
# 0.92 under rank 3 at 0.88 with nothing said read as a mistake.
HELD_BACK = "分散のため後に"
# The spreads by the glossary's word (the file's) and by key (an English screen).
SPREAD_KEYS = {"職種": "job_type", "年代": "age_band", "事業部": "division"}


@dataclass(frozen=True)
class Options:
    n: int
    topic: str | None = None
    division: str | None = None
    include_stuck: bool = False  # also pairs whose manager or member has a stuck point


def check_topic(topic: str, settings: Settings) -> None:
    """A theme to shortlist by: a known topic, and never a private one (心身の状態 is
    health-related; a shortlist names people)."""
    if topic not in settings.exports.topics:
        # The themes it may be: the private topics are refused below, so not offered here.
        themes = [t for t in settings.exports.topics if t not in settings.interview.private_topics]
        raise KopsError(
            _("--topic: '{topic}' is not a topic").format(topic=topic),
            hint=_("topics: {topics}").format(topics=", ".join(themes)),
        )
    if topic in settings.interview.private_topics:
        raise KopsError(
            _("--topic: '{topic}' is a private topic and is never named in a shortlist").format(
                topic=topic
            ),
            hint=_("choose another theme"),
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
            # Of the topics a list may name: with the private ones in it, 「トピック8種」
            # beside 「非公開トピック 4件」 said the member took both 心身の状態 and
            # プライベート (there are eight topics in all).
            "topics_distinct": held.loc[~held["private"]]
            .groupby(keys, observed=True)["topic"]
            .nunique(),
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
    public = [t for t in topics if t not in rules.private_topics]
    frame["part_diversity"] = (frame["topics_distinct"] / max(len(public), 1)).clip(upper=1.0)
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
    stuck: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add the people's details and why each pair is (not) eligible.

    ``stuck``: the stuck points now (a ``segment`` result); a pair whose manager or member
    has one of ``rules.stuck_points_out`` gets it in ``manager_stuck``/``member_stuck`` and
    ``stuck_because``, and ``select`` leaves it out unless asked to include it.
    """
    people = users.set_index("user_id")
    frame = stats.copy()
    for role in model.SIDES:
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
    # Said to the secretariat by `--explain`: in its language, like every other line.
    # 産休・育休・休職 are one status in the exports' canonical form (on leave).
    manager, member = frame["manager_employment_status"], frame["member_employment_status"]
    checks = {
        _("manager has left"): (manager == "retired") | manager.isna(),
        _("manager on leave"): manager == "leave",
        _("member has left"): (member == "retired") | member.isna(),
        _("member on leave"): member == "leave",
        _("manager excluded"): frame["manager_id"].isin(excluded),
        _("member excluded"): frame["member_id"].isin(excluded),
        _("manager interviewed before"): frame["manager_id"].isin(interviewed),
        _("member interviewed before"): frame["member_id"].isin(interviewed),
        _("fewer than {held} held 1on1s in {days} days").format(
            held=rules.min_held, days=rules.lookback_days
        ): frame["held"] < rules.min_held,
        _("average スッキリ度 below {sukkiri:g}").format(sukkiri=rules.min_sukkiri): ~(
            frame["sukkiri_avg"] >= rules.min_sukkiri
        ),
    }
    if topic is not None:
        checks[_("no 1on1 on {topic}").format(topic=topic)] = frame["theme_count"] == 0
    # A check that cannot be told (a missing figure) counts as failed.
    failed = [mask.fillna(True).astype(bool).to_numpy() for mask in checks.values()]
    labels = list(checks)
    # Reasons read as one sentence: 「上司はインタビュー済み、部下はインタビュー済み」.
    joiner = _("; ")
    frame["ineligible_because"] = [
        joiner.join(label for label, fails in zip(labels, row, strict=True) if fails)
        for row in zip(*failed, strict=True)
    ]
    frame["eligible"] = frame["ineligible_because"] == ""
    conflicts = _conflicts(stuck, rules).to_dict()
    for role in model.SIDES:
        frame[f"{role}_stuck"] = [str(conflicts.get(u, "")) for u in frame[f"{role}_id"].tolist()]
    # Each person's own stuck points, over all their 1on1s (a 上司's 事前準備なし is of the
    # 1on1s they have as 部下): 「上司 事前準備なし」 read as this pair not preparing.
    frame["stuck_because"] = [
        " / ".join(
            f"{glossary.ROLES[role]}本人：{_labels(keys)}"
            for role, keys in (("manager", manager), ("member", member))
            if keys
        )
        for manager, member in zip(frame["manager_stuck"], frame["member_stuck"], strict=True)
    ]
    return frame


def _conflicts(stuck: pd.DataFrame | None, rules: Interview) -> pd.Series:
    """Per user id: the stuck points (of ``stuck_points_out``) they have now, as 'k1;k2'."""
    if stuck is None or stuck.empty:
        return pd.Series(dtype=object)
    wanted = [k for k in segmentation.KEYS if k in set(rules.stuck_points_out)]
    flags = stuck.set_index("user_id")["flags"].astype(str)
    text = {
        combination: ";".join(k for k in wanted if k in combination.split(";"))
        for combination in flags.unique()
    }
    return flags.map(text)


def _labels(keys: str) -> str:
    return "・".join(segmentation.BY_KEY[k].label for k in keys.split(";") if k)


@dataclass
class Shortlist:
    picks: pd.DataFrame
    relaxed: list[str] = field(default_factory=list)  # in Japanese: the file's notes sheet
    candidates: int = 0
    left_out_stuck: int = 0  # eligible pairs left out for a stuck point (not include_stuck)
    # The same as ``relaxed``, for the screen in the reader's language.
    relaxed_said: list[Phrase] = field(default_factory=list)


def select(candidates: pd.DataFrame, rules: Interview, options: Options) -> Shortlist:
    """Greedy, deterministic selection spread across 事業部, 職種 and 年代.

    At each step: stay under ``max_per_division`` pairs per 事業部 while pairs of
    other 事業部 remain; take the best-scoring pair unless its 職種 or 年代 is
    already on the list and a pair of a different one is within
    ``spread_tolerance`` of its score. Constraints that had to give way are
    reported; a pick taken before a higher-scoring pair gets ``spread_note``
    (分散のため繰り上げ, and which spread it served).
    """
    pool, stuck_out = _pool(candidates, options)
    remaining = model.records(pool)
    picks: list[dict[str, Any]] = []
    relaxed: list[tuple[str, Phrase]] = []
    spread = _Spread()
    while remaining and len(picks) < options.n:
        chosen, note, gave_way = _next_pick(remaining, spread, rules, len(picks) + 1)
        if not note and any(float(p["score"]) < float(chosen["score"]) for p in picks):
            note = _held_back(chosen, spread, rules)
        relaxed += gave_way
        picks.append({**chosen, "spread_note": note})
        remaining.remove(chosen)
        spread.add(chosen)
    if len(picks) < options.n:
        relaxed.append(
            (
                f"条件を満たすペアは{len(picks)}組だけです（{options.n}組の枠）",
                Phrase(
                    N_("only {n} pair(s) meet the conditions ({wanted} wanted)"),
                    n=len(picks),
                    wanted=options.n,
                ),
            )
        )
    frame = pd.DataFrame(picks)
    return Shortlist(
        frame, [j for j, _said in relaxed], len(pool), stuck_out, [p for _j, p in relaxed]
    )


def _held_back(chosen: dict[str, Any], spread: _Spread, rules: Interview) -> str:
    """Why a pick comes after lower scores: the spreads it repeats of the picks above it
    (「分散のため後に（年代が上位と重複）」), or its 事業部 when that had its pairs already."""
    # Every spread it repeats, its 事業部 first when that had its pairs already (the
    # terminal's 「同じ事業部から1組を超えました」 beside 「年代が上位と重複」 read as two reasons).
    full = spread.per_division.get(str(chosen["member_division"]), 0) >= rules.max_per_division
    repeats = ["事業部"] * full + spread.repeats(chosen)
    return f"{HELD_BACK}（{'・'.join(repeats) or '分散'}が上位と重複）"


def _pool(candidates: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, int]:
    """The eligible pairs to choose from, best score first, and how many of them (in the
    asked 事業部) were left out for a stuck point."""
    pool = candidates[candidates["eligible"]]
    stuck_out = 0
    if "stuck_because" in pool and not options.include_stuck:
        stuck = pool["stuck_because"] != ""
        if options.division is not None:
            stuck_out = int((stuck & (pool["member_division"] == options.division)).sum())
        else:
            stuck_out = int(stuck.sum())
        pool = pool[~stuck]
    if options.division is not None:
        pool = pool[pool["member_division"] == options.division]
    pool = pool.sort_values(["score", "manager_id", "member_id"], ascending=[False, True, True])
    return pool, stuck_out


@dataclass
class _Spread:
    """What the picks so far already cover: pairs per 事業部, 職種 and 年代."""

    per_division: dict[str, int] = field(default_factory=dict)
    jobs: set[object] = field(default_factory=set)
    ages: set[object] = field(default_factory=set)

    def repeats(self, c: dict[str, object]) -> list[str]:
        """The spreads (職種, 年代) a candidate would repeat."""
        return [
            label
            for label, key, used in (
                ("職種", "member_job_type", self.jobs),
                ("年代", "member_age_band", self.ages),
            )
            if c[key] in used
        ]

    def add(self, chosen: dict[str, object]) -> None:
        division = str(chosen["member_division"])
        self.per_division[division] = self.per_division.get(division, 0) + 1
        self.jobs.add(chosen["member_job_type"])
        self.ages.add(chosen["member_age_band"])


def _next_pick(
    remaining: list[dict[str, Any]], spread: _Spread, rules: Interview, number: int
) -> tuple[dict[str, Any], str, list[tuple[str, Phrase]]]:
    """The ``number``-th pick from ``remaining`` (best score first): the pick, its
    spread note, and the constraints that had to give way for it (in Japanese for the
    file, and as a phrase for the screen)."""
    relaxed: list[tuple[str, Phrase]] = []
    best = remaining[0]  # the highest score left
    under = [
        c
        for c in remaining
        if spread.per_division.get(str(c["member_division"]), 0) < rules.max_per_division
    ]
    if not under:
        under = remaining
        relaxed.append(
            (
                f"{number}組目: 同じ事業部から{rules.max_per_division}組を超えました"
                "（ほかの事業部の候補がありません）",
                Phrase(
                    N_("pair {n}: more than {most} from one division (no candidate from another)"),
                    n=number,
                    most=rules.max_per_division,
                ),
            )
        )
    top = under[0]
    chosen = top
    if spread.repeats(top):
        close = [
            c for c in under if float(c["score"]) >= float(top["score"]) - rules.spread_tolerance
        ]
        chosen = min(close, key=lambda c: (len(spread.repeats(c)), close.index(c)))
        if spread.repeats(chosen):
            dims = "・".join(spread.repeats(chosen))
            keys = "/".join(SPREAD_KEYS[d] for d in spread.repeats(chosen))
            relaxed.append(
                (
                    f"{number}組目: {dims}が重複しています（スコア差 "
                    f"{rules.spread_tolerance:g} 以内に、ほかの{dims}のペアがありません）",
                    Phrase(
                        N_(
                            "pair {n}: the same {what} again (no pair of another {what} "
                            "within a score of {tolerance})"
                        ),
                        n=number,
                        what=keys,
                        tolerance=f"{rules.spread_tolerance:g}",
                    ),
                )
            )
    # Every spread a higher score passed over repeats, its 事業部 first (only the top's
    # said 「事業部・年代」 where a pair in between gave way for its 職種).
    open_ids = {id(c) for c in under}
    passed = [c for c in remaining if float(c["score"]) > float(chosen["score"])]
    served = ["事業部"] * any(id(c) not in open_ids for c in passed)
    repeated = {d for c in passed if id(c) in open_ids for d in spread.repeats(c)}
    served += [dimension for dimension in SPREAD_KEYS if dimension in repeated]
    note = ""
    if float(chosen["score"]) < float(best["score"]) and served:
        note = f"{PROMOTED}（{'・'.join(served)}）"
    return chosen, note, relaxed


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
    managers, members = held["manager_id"].astype(str), held["member_id"].astype(str)
    # Only the picked pairs' 1on1s are grouped: a handful of pairs, where grouping every
    # pair of a large company (tens of thousands) took seconds.
    picked = pd.MultiIndex.from_arrays([managers, members]).isin(list(wanted))
    grouped = held.assign(manager_id=managers, member_id=members)[picked]
    for key, rows in grouped.groupby(["manager_id", "member_id"], observed=True):
        pair = (str(key[0]), str(key[1]))
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
        # Each reason a phrase of its own (not 「90日で13回（週カバー率 100%）」): a printed
        # list breaks between two of them, so the longest sets its column's width.
        f"{rules.lookback_days}日で{row['held']}回",
        f"週カバー率 {percent(float(row['regularity']))}",
        f"平均スッキリ度 {fixed(float(row['sukkiri_avg']))}",
    ]
    if not pd.isna(row["growth_avg"]):
        parts.append(f"平均成長実感 {fixed(float(row['growth_avg']))}")
    parts.append(f"公開トピック{row['topics_distinct']}種")
    parts.append(f"最終実施 {last.month}/{last.day}")
    if topic is not None:
        parts.append(f"「{topic}」が{percent(float(row['theme_share']))}")
    return "、".join(parts)
