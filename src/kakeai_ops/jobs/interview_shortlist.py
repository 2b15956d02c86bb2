"""The interview shortlist as `kops interview shortlist` and the review deck make it: the
pairs' facts and score, who was interviewed or excluded, and the stuck points now (a pair
held up as good practice must not show what the programme tries to fix)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analyses import segmentation, shortlist
from ..config import Interview, Settings
from ..dates import period_label
from ..errors import KopsError
from ..i18n import _
from ..model import Tables, records
from ..numbers import fixed
from ..store import interview_history
from ..workspace import Workspace


@dataclass
class Candidates:
    pairs: pd.DataFrame  # shortlist.eligibility's frame
    stuck: pd.DataFrame  # segment's result for the same as-of (facts for --explain)


def candidates(
    ws: Workspace,
    settings: Settings,
    tables: Tables,
    as_of: dt.date,
    topic: str | None = None,
    stuck: pd.DataFrame | None = None,
) -> Candidates:
    """Every pair with its figures and why it is (not) eligible. ``stuck``: the stuck points
    of ``tables`` at ``as_of`` when the caller has them already (the review does)."""
    rules = settings.interview
    exports = settings.exports
    stats = shortlist.pair_stats(
        tables, rules, as_of, exports.sukkiri_scale, exports.growth_scale, exports.topics, topic
    )
    done, excluded = interview_history(ws)
    interviewed = set(done["manager_id"]) | set(done["member_id"])
    if stuck is None:
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


def pick(found: Candidates, rules: Interview, options: shortlist.Options) -> shortlist.Shortlist:
    """The shortlist of the candidates; a --division that no pair is in is refused."""
    frame = found.pairs
    if options.division is not None and options.division not in set(
        frame["member_division"].dropna()
    ):
        raise KopsError(
            _("--division: no 事業部 '{division}' among the pairs").format(
                division=options.division
            )
        )
    return shortlist.select(frame, rules, options)


def shortlist_table(
    picks: pd.DataFrame,
    meetings: pd.DataFrame,
    rules: Interview,
    as_of: dt.date,
    topic: str | None,
) -> pd.DataFrame:
    """The picks as the shortlist file lists them (SHORTLIST_COLUMNS), ranked."""
    if not len(picks):
        return pd.DataFrame(columns=shortlist.SHORTLIST_COLUMNS)
    topics = shortlist.top_topics(meetings, picks, rules, as_of)
    rows = [
        _shortlist_row(rank, row, topics, rules, topic)
        for rank, row in enumerate(records(picks), start=1)
    ]
    return pd.DataFrame(rows, columns=shortlist.SHORTLIST_COLUMNS)


# A share or an average is stored to 6 decimals, not to 2 or 3: the workbook's 0% and
# 0.0 cells round it once, as the reason line does (an average of 4.5454… stored as
# 4.55 showed 4.6 beside 「平均スッキリ度 4.5」).
_KEPT = 6


def _shortlist_row(
    rank: int,
    row: dict[str, Any],
    topics: dict[tuple[str, str], str],
    rules: Interview,
    topic: str | None,
) -> dict[str, Any]:
    return {
        "rank": rank,
        "manager_id": row["manager_id"],
        "manager_name": row["manager_name"],
        "member_id": row["member_id"],
        "member_name": row["member_name"],
        "division": row["member_division"],
        "department": row["member_department"],
        "member_job_type": row["member_job_type"],
        "member_age_band": row["member_age_band"],
        "held": int(row["held"]),
        "regularity": round(float(row["regularity"]), _KEPT),
        "sukkiri_avg": round(float(row["sukkiri_avg"]), _KEPT),
        "growth_avg": None
        if pd.isna(row["growth_avg"])
        else round(float(row["growth_avg"]), _KEPT),
        "top_topics": topics.get((row["manager_id"], row["member_id"]), ""),
        "score": round(float(row["score"]), 2),
        "reason": shortlist.reason_line(row, rules, topic),
        "manager_division": row["manager_division"],
        "manager_department": row["manager_department"],
        "manager_job_type": row["manager_job_type"],
        "manager_age_band": row["manager_age_band"],
        "private_topics": int(row["private_topics"]),
        "theme_share": None if topic is None else round(float(row["theme_share"]), _KEPT),
        "weeks_covered": int(row["weeks_covered"]),
        "topics_distinct": int(row["topics_distinct"]),
        "last_held_at": pd.Timestamp(row["last_held_at"]).strftime("%Y-%m-%d"),
        "spread_note": row.get("spread_note", ""),
        "stuck_points": row.get("stuck_because", ""),
    }


def candidate_pair(found: Candidates, pair: tuple[str, str]) -> pd.Series:
    """The candidates' row of one formed pair (manager id, member id); refused with the pair
    the ids probably stand for when they name none."""
    frame = found.pairs
    rows = frame[(frame["manager_id"] == pair[0]) & (frame["member_id"] == pair[1])]
    if not rows.empty:
        return rows.iloc[0]
    meant = _meant_pair(frame, pair)
    swapped = meant is not None and meant == (pair[1], pair[0])
    if meant is not None and not swapped and _same_order(meant, pair):
        # The ids in their order, only their leading zeros dropped (000119 120): the pair
        # they name, as `segment --explain 120` takes 000120 (the CLI says so).
        rows = frame[(frame["manager_id"] == meant[0]) & (frame["member_id"] == meant[1])]
        return rows.iloc[0]
    message = _("no formed pair {manager} → {member}").format(manager=pair[0], member=pair[1])
    if meant:
        message += _("; did you mean {manager} {member}?").format(manager=meant[0], member=meant[1])
    raise KopsError(
        message,
        # The order is blamed only where the ids swapped name a pair.
        hint=_("give the manager's id first, then the member's (as in the pairs export)")
        if meant is not None
        else _("`kops interview shortlist --format csv` lists the candidate pairs with their ids"),
    )


def _same_order(meant: tuple[str, str], typed: tuple[str, str]) -> bool:
    return all(m.lstrip("0") == t.lstrip("0") for m, t in zip(meant, typed, strict=True))


def _meant_pair(frame: pd.DataFrame, pair: tuple[str, str]) -> tuple[str, str] | None:
    """The formed pair the ids probably stand for: swapped (member first), or with the
    leading zeros a spreadsheet dropped."""
    formed = set(zip(frame["manager_id"].astype(str), frame["member_id"].astype(str), strict=True))
    if (pair[1], pair[0]) in formed:
        return pair[1], pair[0]
    by_digits = {(m.lstrip("0"), p.lstrip("0")): (m, p) for m, p in formed}
    stripped = (pair[0].lstrip("0"), pair[1].lstrip("0"))
    return by_digits.get(stripped) or by_digits.get((stripped[1], stripped[0]))


def score_parts(row: pd.Series, rules: Interview) -> pd.DataFrame:
    """A pair's score part by part: the facts behind it, its value (0–1), its weight from
    kops.yaml and what it adds to the score (value × weight / the weights' sum)."""
    weights = rules.weights.model_dump()
    facts = _part_facts(row, rules)
    total = sum(weights.values()) or 1.0
    return pd.DataFrame(
        [
            {
                "part": part,
                "facts": facts[part],
                "value": round(float(row[f"part_{part}"]), 3),
                "weight": weights[part],
                "contribution": round(float(row[f"part_{part}"]) * weights[part] / total, 4),
            }
            for part in shortlist.PARTS
        ]
    )


def _part_facts(row: pd.Series, rules: Interview) -> dict[str, str]:
    return {
        "regularity": _("{covered} of {weeks} weeks with a 1on1").format(
            covered=int(row["weeks_covered"]), weeks=-(-rules.lookback_days // 7)
        ),
        "volume": _("{held} held in {days} days").format(
            held=int(row["held"]), days=rules.lookback_days
        ),
        "sukkiri": "-"
        if pd.isna(row["sukkiri_avg"])
        else _("average {average} ({rated} rated)").format(
            average=fixed(float(row["sukkiri_avg"]), 2), rated=int(row["rated"] or 0)
        ),
        "growth": "-"
        if pd.isna(row["growth_avg"])
        else _("average {average}").format(average=fixed(float(row["growth_avg"]), 2)),
        "diversity": _("{n} distinct topics, private ones left out").format(
            n=int(row["topics_distinct"])
        ),
        "recency": "-"
        if pd.isna(row["last_held_at"])
        else _("last held {day}").format(day=pd.Timestamp(row["last_held_at"]).date()),
    }


def conditions(
    result: shortlist.Shortlist, options: shortlist.Options, rules: Interview, as_of: dt.date
) -> pd.DataFrame:
    """What the shortlist was drawn under, as its file's 条件 sheet says it (項目, 値): a file
    opened a month later does not say by itself that its pairs were chosen for a theme,
    and their スコア are of that theme."""
    start = as_of - dt.timedelta(days=rules.lookback_days - 1)
    rows = [
        ("基準日", as_of),  # a date in Excel, as every other file writes it
        ("期間", f"直近{rules.lookback_days}日（{period_label(start, as_of)}）"),
        (
            "対象のペア",
            f"上司・部下とも在籍（休職中でない）、インタビュー済みでも除外した人でもない、"
            f"期間中の1on1が{rules.min_held}回以上、平均スッキリ度が{rules.min_sukkiri:g}以上",
        ),
        ("テーマ", options.topic or "なし"),
    ]
    if options.topic:
        rows += [
            (
                "テーマの扱い",
                f"「{options.topic}」の1on1があるペアだけを選び、その割合をほかのスコアの要素すべてと"
                "同じ重みでスコアに加える（割合の高いペアが上とは限らない）",
            ),
            ("スコア", "テーマを加えた値（テーマなしで選んだときのスコアとは違います）"),
        ]
    rows += [
        ("事業部", options.division or "全社"),
        ("選ぶ組", f"{options.n}組（選んだのは{len(result.picks)}組）"),
        ("スタックポイントのあるペア", "含む" if options.include_stuck else "除く"),
        ("条件を満たすペア", f"{result.candidates:,}組"),
    ]
    return pd.DataFrame(rows, columns=["label", "value"])
