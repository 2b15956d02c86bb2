"""Who moved on after a seminar: n per group, small groups hidden, within stuck point."""

from __future__ import annotations

import pandas as pd

from kakeai_ops.analyses.seminar_movement import (
    ATTENDED,
    NOT_ATTENDED,
    movement,
)


def _invited(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user_id", "stuck_point", "attended"])


def _later(points: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"user_id": list(points), "stuck_point": list(points.values())})


def test_groups_have_their_n_and_small_ones_are_hidden() -> None:
    rows = [(f"a{i}", "no_pair", True) for i in range(6)]  # 6 attended, 3 moved on
    rows += [(f"n{i}", "no_pair", False) for i in range(4)]  # 4 did not: too few to show
    later = {f"a{i}": ("no_1on1" if i < 3 else "no_pair") for i in range(6)}
    later |= {f"n{i}": "healthy" for i in range(3)}  # n3 left the company: not in snapshot
    result = movement(_invited(rows), _later(later), minimum=5)
    overall = result.overall.set_index("group")
    assert overall.loc[ATTENDED, "in_snapshot"] == 6
    assert overall.loc[ATTENDED, "moved_on"] == 3
    assert overall.loc[ATTENDED, "share_moved_on"] == 0.5
    assert overall.loc[NOT_ATTENDED, "users"] == 4 and overall.loc[NOT_ATTENDED, "in_snapshot"] == 3
    assert overall.loc[NOT_ATTENDED, "moved_on"] == "<5"
    assert pd.isna(overall.loc[NOT_ATTENDED, "share_moved_on"])
    assert set(overall["group_label"]) == {"出席した人", "出席しなかった人"}


def test_different_mixes_are_compared_within_stuck_point() -> None:
    # Attendees are mostly not_activated (hard to move), non-attendees mostly no_rating.
    rows = [(f"a{i}", "not_activated", True) for i in range(8)]
    rows += [(f"b{i}", "no_rating", True) for i in range(2)]
    rows += [(f"c{i}", "not_activated", False) for i in range(5)]
    rows += [(f"d{i}", "no_rating", False) for i in range(15)]
    later = {f"a{i}": ("no_pair" if i < 2 else "not_activated") for i in range(8)}
    later |= {f"b{i}": "healthy" for i in range(2)}
    later |= {f"c{i}": "not_activated" for i in range(5)}
    later |= {f"d{i}": ("healthy" if i < 6 else "no_rating") for i in range(15)}
    result = movement(_invited(rows), _later(later), minimum=5)
    assert result.mix_differs
    assert "スタックポイントの構成が違います" in result.mix_note
    # The widest gap is named only where both counts may be shown (8 and 5 here).
    assert "未ログイン: 出席した人の80%、出席しなかった人の25%" in result.mix_note
    within = result.by_stuck_point.set_index(["stuck_point", "group"])
    assert within.loc[("not_activated", ATTENDED), "share_moved_on"] == 0.25
    assert within.loc[("not_activated", NOT_ATTENDED), "share_moved_on"] == 0.0
    assert within.loc[("no_rating", ATTENDED), "moved_on"] == "<5"  # two people
    assert within.loc[("no_rating", NOT_ATTENDED), "share_moved_on"] == 0.4


def test_alike_mixes_say_nothing() -> None:
    rows = [(f"a{i}", "no_pair", True) for i in range(5)]
    rows += [(f"b{i}", "no_pair", False) for i in range(5)]
    result = movement(_invited(rows), _later({}), minimum=5)
    assert not result.mix_differs and result.mix_note == ""
    assert list(result.overall["in_snapshot"]) == [0, 0]
    assert list(result.overall["moved_on"]) == ["<5", "<5"]


def test_the_deck_gives_a_hidden_group_its_n_only() -> None:
    from kakeai_ops.jobs.monthly_review.activity import _moved

    assert _moved("出席した人", 4, 17) == "出席した人 4/17人"
    assert _moved("出席した人", "<5", 3) == "出席した人 n=3（人数が少ないため非表示）"


def test_bars_start_at_zero_and_shares_end_at_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pptx import Presentation

    from kakeai_ops.outputs.review_pptx import Chart, Slide, write_deck

    share = Chart(
        "column",
        "次の段階に進んだ割合",
        ["出席した人（n=17）", "出席しなかった人（n=47）"],
        [("割合", [0.24, 0.21])],
        "0%",
    )
    path = write_deck([Slide("6.", chart=share)], tmp_path / "deck.pptx")
    chart = next(s.chart for s in Presentation(str(path)).slides[0].shapes if s.has_chart)
    assert chart.value_axis.minimum_scale == 0 and chart.value_axis.maximum_scale == 1


def test_nobody_invited_yet_gives_empty_groups_not_a_crash() -> None:
    # An invitation only written to the outbox (a rehearsal) invites nobody yet: the
    # frame arrives empty, with columns of no particular type.
    empty = pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in ("user_id", "stuck_point", "attended")}
    )
    result = movement(empty, _later({"x": "healthy"}), minimum=5)
    overall = result.overall.set_index("group")
    assert overall.loc[ATTENDED, "users"] == 0 and overall.loc[NOT_ATTENDED, "users"] == 0
    assert result.by_stuck_point.empty
