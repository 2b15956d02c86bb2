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
    # 4 attendees moved on in all: showing 2 of the 8 would give the two no_rating back.
    assert within.loc[("not_activated", ATTENDED), "moved_on"] == "(秘匿)"
    assert pd.isna(within.loc[("not_activated", ATTENDED), "share_moved_on"])
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
    assert _moved("出席した人", "<5", 3) == "出席した人 3人（人数が少ないため非表示）"


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


def _attacker(rows: pd.DataFrame, total: int) -> dict[str, tuple[int, int]]:
    """Every whole-number assignment of the hidden counts (each 0 … its people) that adds up
    with the shown ones to the 全体 row: the range each hidden count can take."""
    from itertools import product

    hidden = rows[rows["moved_on"].map(lambda v: isinstance(v, str))]
    shown = rows[~rows.index.isin(hidden.index)]
    rest = total - int(shown["moved_on"].sum())
    ranges = [range(int(n) + 1) for n in hidden["in_snapshot"]]
    seen: dict[str, set[int]] = {point: set() for point in hidden["stuck_point"]}
    for values in product(*ranges):
        if sum(values) == rest:
            for point, value in zip(hidden["stuck_point"], values, strict=True):
                seen[point].add(value)
    return {p: (min(v), max(v)) if v else (-1, -1) for p, v in seen.items()}


def test_a_small_group_is_not_given_back_by_subtracting_from_the_whole() -> None:
    """The sample's month: among those who did not attend, 0 + 0 + ? + 9 of 10 moved on
    gave the hidden 1on1未実施 count back (1). A second count is hidden, so that every
    small group's count can be anything from none to all of its people."""
    rows, later = [], {}
    sizes = {"not_activated": (13, 0), "no_pair": (10, 0), "no_1on1": (4, 1), "no_rating": (20, 9)}
    for point, (people, moved) in sizes.items():
        for i in range(people):
            rows.append((f"{point}{i}", point, False))
            later[f"{point}{i}"] = "healthy" if i < moved else point
    result = movement(_invited(rows), _later(later), minimum=5)
    total = int(result.overall.set_index("group").loc[NOT_ATTENDED, "moved_on"])
    assert total == 10
    group = result.by_stuck_point[result.by_stuck_point["group"] == NOT_ATTENDED]
    assert (group["moved_on"] == "(秘匿)").sum() == 1  # one more, not all of them
    hidden = group[group["moved_on"].map(lambda v: isinstance(v, str))]
    assert all(pd.isna(hidden["share_moved_on"]))
    ranges = _attacker(group, total)
    for point, people in zip(group["stuck_point"], group["in_snapshot"], strict=True):
        if group.set_index("stuck_point").loc[point, "moved_on"] == "<5":
            assert ranges[point] == (0, int(people)), point
