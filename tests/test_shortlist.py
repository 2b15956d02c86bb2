"""Interview shortlist (rules.md §3) on hand-made pairs."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.analyses import shortlist as sl
from kakeai_ops.config import DEFAULT_TOPICS, Exports, Interview, Settings
from kakeai_ops.errors import KopsError

AS_OF = dt.date(2026, 11, 20)
RULES = Interview()
EXPORTS = Exports()


def weekly(
    manager: str,
    member: str,
    n: int = 10,
    sukkiri: int = 5,
    topics: list[str] | None = None,
    growth: int = 4,
) -> list[dict]:
    end = pd.Timestamp("2026-11-18 10:00")
    topics = topics or ["業務の進捗や進め方", "今後のキャリア", "人間関係"]
    return [
        meeting(
            manager,
            member,
            str(end - pd.Timedelta(weeks=i)),
            sukkiri=sukkiri,
            growth=growth,
            topic=topics[i % len(topics)],
        )
        for i in range(n)
    ]


def analyse(
    t,
    excluded: set[str] = frozenset(),
    interviewed: set[str] = frozenset(),
    topic: str | None = None,
    rules: Interview = RULES,
) -> pd.DataFrame:  # type: ignore[no-untyped-def, assignment]
    stats = sl.pair_stats(
        t, rules, AS_OF, EXPORTS.sukkiri_scale, EXPORTS.growth_scale, DEFAULT_TOPICS, topic
    )
    return sl.eligibility(stats, t.users, rules, set(excluded), set(interviewed), topic)


def test_eligibility_thresholds_and_exclusions() -> None:
    t = tables(
        users=[user(u) for u in ("M", "OK", "FEW", "LOW", "X", "INT")]
        + [user("LEAVE", employment="産休", employment_status="leave")]
        + [user("LEFT", employment="退職", employment_status="retired")],
        pairs=[pair("M", u) for u in ("OK", "FEW", "LOW", "LEAVE", "LEFT", "X", "INT")],
        meetings=[
            *weekly("M", "OK", n=6, sukkiri=4),  # exactly at both thresholds
            *weekly("M", "FEW", n=5),
            *weekly("M", "LOW", n=10, sukkiri=3),
            *weekly("M", "LEAVE"),
            *weekly("M", "LEFT"),
            *weekly("M", "X"),
            *weekly("M", "INT"),
            meeting("M", "FEW", "2026-08-01 10:00"),  # outside the 90-day lookback
        ],
    )
    frame = analyse(t, excluded={"X"}, interviewed={"INT"}).set_index("member_id")
    assert bool(frame.loc["OK", "eligible"])
    assert "fewer than 6 held 1on1s in 90 days" in frame.loc["FEW", "ineligible_because"]
    assert frame.loc["FEW", "held"] == 5
    assert "average スッキリ度 below 4" in frame.loc["LOW", "ineligible_because"]
    # Said as it is: on leave (産休 here) is not having left, nor the other way round.
    assert frame.loc["LEAVE", "ineligible_because"] == "member on leave"
    assert frame.loc["LEFT", "ineligible_because"] == "member has left"
    assert frame.loc["X", "ineligible_because"] == "member excluded"
    assert frame.loc["INT", "ineligible_because"] == "member interviewed before"
    # Someone interviewed as a manager is out too, with any member.
    assert not analyse(t, interviewed={"M"})["eligible"].any()


def _company() -> tuple:  # type: ignore[type-arg]
    users, pairs, meetings = [], [], []
    spec = [
        # member, division, job, age, sukkiri
        ("A1", "営業本部", "営業", "20代", 5),
        ("A2", "営業本部", "営業", "30代", 5),
        ("A3", "営業本部", "企画", "40代", 5),
        ("B1", "開発本部", "エンジニア", "20代", 4),
        ("B2", "開発本部", "エンジニア", "50代", 4),
        ("C1", "管理本部", "事務", "30代", 4),
    ]
    for member, division, job, age, sukkiri in spec:
        manager = f"m{member}"
        users += [
            user(manager, division=division),
            user(member, division=division, job_type=job, age_band=age),
        ]
        pairs.append(pair(manager, member))
        meetings += weekly(manager, member, n=12, sukkiri=sukkiri)
    return users, pairs, meetings


def test_spread_across_divisions_then_relaxed() -> None:
    users, pairs, meetings = _company()
    frame = analyse(tables(users, pairs, meetings))
    three = sl.select(frame, RULES, sl.Options(n=3))
    assert sorted(three.picks["member_division"]) == ["営業本部", "管理本部", "開発本部"]
    assert three.relaxed == []
    five = sl.select(frame, RULES, sl.Options(n=5))
    divisions = list(five.picks["member_division"])
    assert divisions[:3].count("営業本部") == 1  # one per 事業部 while others are available
    assert any("同じ事業部から1組を超えました" in r for r in five.relaxed)
    only = sl.select(frame, RULES, sl.Options(n=6, division="開発本部"))
    assert set(only.picks["member_division"]) == {"開発本部"} and len(only.picks) == 2
    assert "条件を満たすペアは2組だけです（6組の枠）" in only.relaxed[-1]


def test_job_and_age_spread_within_tolerance() -> None:
    users, pairs, meetings = _company()
    frame = analyse(tables(users, pairs, meetings))
    rules = Interview(max_per_division=3)  # division spread out of the way
    picks = sl.select(frame, rules, sl.Options(n=3)).picks
    assert picks["member_job_type"].is_unique
    assert picks["member_age_band"].is_unique
    # With no tolerance the best scores win even when a 職種 repeats (A3 now scores lower).
    lower = [dict(m, sukkiri=4) if m["member_id"] == "A3" else m for m in meetings]
    frame = analyse(tables(users, pairs, lower))
    strict = sl.select(frame, Interview(max_per_division=3, spread_tolerance=0.0), sl.Options(n=2))
    assert list(strict.picks["member_id"]) == ["A1", "A2"]
    assert any("職種が重複しています" in r for r in strict.relaxed)


def test_theme_favours_pairs_on_that_topic() -> None:
    users, pairs, meetings = _company()
    career = [dict(m, topic="今後のキャリア") if m["member_id"] == "C1" else m for m in meetings]
    frame = analyse(tables(users, pairs, career), topic="今後のキャリア")
    picks = sl.select(frame, RULES, sl.Options(n=1, topic="今後のキャリア")).picks
    assert list(picks["member_id"]) == ["C1"]
    assert float(picks.iloc[0]["theme_share"]) == 1.0


def test_deterministic_whatever_the_row_order() -> None:
    users, pairs, meetings = _company()
    first = sl.select(analyse(tables(users, pairs, meetings)), RULES, sl.Options(n=4))
    random.Random(3).shuffle(users)
    random.Random(4).shuffle(pairs)
    random.Random(5).shuffle(meetings)
    second = sl.select(analyse(tables(users, pairs, meetings)), RULES, sl.Options(n=4))
    assert list(first.picks["member_id"]) == list(second.picks["member_id"])
    assert first.relaxed == second.relaxed


def test_private_topics_are_counted_never_named() -> None:
    t = tables(
        users=[user("M"), user("A")],
        pairs=[pair("M", "A")],
        meetings=weekly("M", "A", n=9, topics=["心身の状態", "プライベート", "今後のキャリア"]),
    )
    frame = analyse(t)
    text = sl.top_topics(t.meetings, frame, RULES, AS_OF)[("M", "A")]
    assert text == "今後のキャリア 3件 / 非公開トピック 6件"
    assert "心身" not in text and "プライベート" not in text
    assert int(frame.iloc[0]["private_topics"]) == 6


def test_top_topics_are_said_for_the_picked_pairs_only_as_for_all() -> None:
    users, pairs, meetings = _company()
    t = tables(users, pairs, meetings)
    frame = analyse(t)
    every = sl.top_topics(t.meetings, frame, RULES, AS_OF)
    picked = frame[frame["member_id"].isin(["A2", "C1"])]
    some = sl.top_topics(t.meetings, picked, RULES, AS_OF)
    assert sorted(some) == [("mA2", "A2"), ("mC1", "C1")]
    assert all(some[pair] == every[pair] for pair in some)
    assert len(every) == 6
    # Twelve weekly 1on1s over three topics in turn: four each, ties in the topics' order.
    assert some[("mC1", "C1")] == "人間関係 4件 / 今後のキャリア 4件 / 業務の進捗や進め方 4件"


def test_every_reason_a_pair_is_out_is_said_in_the_checks_order() -> None:
    t = tables(
        users=[user("M"), user("BOTH"), user("OK")],
        pairs=[pair("M", "BOTH"), pair("M", "OK")],
        meetings=[*weekly("M", "BOTH", n=5, sukkiri=3), *weekly("M", "OK", n=6)],
    )
    frame = analyse(t, interviewed={"BOTH"}).set_index("member_id")
    assert frame.loc["BOTH", "ineligible_because"] == (
        "member interviewed before; fewer than 6 held 1on1s in 90 days; average スッキリ度 below 4"
    )
    assert frame.loc["OK", "ineligible_because"] == ""
    assert [bool(frame.loc[m, "eligible"]) for m in ("BOTH", "OK")] == [False, True]


def test_topic_guard_refuses_private_and_unknown_topics() -> None:
    settings = Settings()
    sl.check_topic("業務の進捗や進め方", settings)
    with pytest.raises(KopsError, match="private topic"):
        sl.check_topic("心身の状態", settings)
    with pytest.raises(KopsError, match="is not a topic") as unknown:
        sl.check_topic("天気", settings)
    # The hint offers the themes it may be, never one it then refuses.
    hint = unknown.value.hint or ""
    assert "業務の進捗や進め方" in hint
    assert not [t for t in settings.interview.private_topics if t in hint]


def _stuck(t) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from kakeai_ops.analyses.segmentation import segment
    from kakeai_ops.config import Rules

    return segment(t, Rules(), AS_OF)


def test_pairs_with_a_stuck_point_are_left_out_unless_asked() -> None:
    users, pairs, meetings = _company()
    # A1's member prepared none of the last three 1on1s (no_prep); B1's manager set no
    # pair to recur (no_recurrence); A2's member rated none (no_rating).
    meetings = [dict(m, prepared_at=pd.NaT) if m["member_id"] == "A1" else m for m in meetings]
    meetings = [dict(m, sukkiri=None) if m["member_id"] == "A2" else m for m in meetings]
    pairs = [dict(p, recurring=False) if p["member_id"] == "B1" else p for p in pairs]
    t = tables(users, pairs, meetings)
    frame = analyse(t)
    with_stuck = sl.eligibility(
        sl.pair_stats(t, RULES, AS_OF, EXPORTS.sukkiri_scale, EXPORTS.growth_scale, DEFAULT_TOPICS),
        t.users,
        RULES,
        set(),
        set(),
        None,
        _stuck(t),
    ).set_index("member_id")
    # Each person's own (over all their 1on1s), not the pair's: said so.
    assert with_stuck.loc["A1", "stuck_because"] == "部下本人：事前準備なし"
    assert with_stuck.loc["B1", "stuck_because"] == "上司本人：繰り返し未設定"
    assert with_stuck.loc["C1", "stuck_because"] == ""
    # A2 is rated by nobody: below the スッキリ度 threshold too, so not eligible at all.
    assert not with_stuck.loc["A2", "eligible"]
    chosen = sl.select(with_stuck.reset_index(), RULES, sl.Options(n=6))
    assert set(chosen.picks["member_id"]) == {"A3", "B2", "C1"}
    assert chosen.left_out_stuck == 2 and chosen.candidates == 3
    everyone = sl.select(with_stuck.reset_index(), RULES, sl.Options(n=6, include_stuck=True))
    assert {"A1", "B1"} <= set(everyone.picks["member_id"]) and everyone.left_out_stuck == 0
    # Without the stuck points (no segment given) nothing is left out for them.
    assert sl.select(frame, RULES, sl.Options(n=6)).left_out_stuck == 0


def test_a_pick_before_a_higher_score_says_it_was_promoted() -> None:
    users, pairs, meetings = _company()
    frame = analyse(tables(users, pairs, meetings))
    picks = sl.select(frame, RULES, sl.Options(n=4)).picks.reset_index(drop=True)
    scores = list(picks["score"])
    for i, note in enumerate(picks["spread_note"]):
        later_higher = any(s > scores[i] for s in scores[i + 1 :])
        earlier_lower = any(s < scores[i] for s in scores[:i])
        assert note.startswith(sl.PROMOTED) == later_higher, (i, note, scores)
        # A pick below lower scores says why too (it repeated what the picks above had).
        assert note.startswith(sl.HELD_BACK) == (earlier_lower and not later_higher), (i, note)
    assert any(n.startswith(sl.HELD_BACK) for n in picks["spread_note"])
    # A2 (営業本部, スッキリ度 5) waits while other 事業部 (4) remain: they say why.
    assert picks["member_id"][0] == "A1" and "A2" not in list(picks["member_id"][:3])
    assert picks["spread_note"][1].startswith(f"{sl.PROMOTED}（事業部")


def test_the_reason_line_names_each_average_as_the_glossary_does() -> None:
    """「平均スッキリ度 4.4、平均成長実感 4.0」: the table beside it says 平均成長実感; a bare
    「成長実感 4.0」 read as another figure."""
    from kakeai_ops import glossary

    row = {
        "last_held_at": "2026-11-18 10:00",
        "held": 13,
        "regularity": 1.0,
        "sukkiri_avg": 4.44,
        "growth_avg": 4.0,
        "topics_distinct": 7,
    }
    line = sl.reason_line(row, RULES, None)
    for key, value in (("sukkiri_avg", "4.4"), ("growth_avg", "4.0")):
        assert f"{glossary.FIGURES[key].label} {value}" in line, line
    assert "、成長実感" not in line


def test_a_promoted_pick_names_every_spread_the_higher_scores_gave_way_for() -> None:
    """The second pick, F, came before B (its 事業部 had its pair), C (職種 of the first
    pick) and D (年代 of the first): its note said only 事業部 and the 職種 of the pair just
    under the cap, and the reader could not tell why D, scored higher, came later."""

    def row(member: str, division: str, job: str, age: str, score: float) -> dict[str, object]:
        return {
            "manager_id": f"M{member}",
            "member_id": member,
            "member_division": division,
            "member_job_type": job,
            "member_age_band": age,
            "score": score,
            "eligible": True,
            "stuck_because": "",
        }

    frame = pd.DataFrame(
        [
            row("A", "営業本部", "営業", "30代", 0.99),
            row("B", "営業本部", "事務", "50代", 0.95),  # the 事業部 of A
            row("C", "開発本部", "営業", "40代", 0.93),  # the 職種 of A
            row("D", "管理本部", "エンジニア", "30代", 0.92),  # the 年代 of A
            row("F", "人事本部", "企画", "20代", 0.90),  # repeats nothing
        ]
    )
    rules = Interview(max_per_division=1, spread_tolerance=0.1)
    picks = sl.select(frame, rules, sl.Options(n=2)).picks
    assert list(picks["member_id"]) == ["A", "F"]
    assert picks.iloc[1]["spread_note"] == f"{sl.PROMOTED}（事業部・職種・年代）"
